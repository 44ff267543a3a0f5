//! Reviewing suggestions: run the engines in the background (progress, cancel), filter by
//! type, engine and score, step through them, accept or reject one by one or in bulk.

use super::commands::AppCommand;
use super::document_view::{swatch_button, type_filter_combo};
use super::theme::type_color;
use crate::model::{DocumentId, Project};
use crate::suggest::{
    ENGINE_NAMES, RelationSuggestion, SpanRef, Suggestion, SuggestionSet, engines_by_name,
    learn_all, relation_decision_key, run_engines,
};
use egui::{RichText, Ui};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::{Duration, Instant};

/// Rows drawn in the list at most (the rest are reachable with Next and the filters).
const MAX_ROWS: usize = 400;
/// Quiet time after the last edit before an automatic refresh.
const AUTO_REFRESH_AFTER: Duration = Duration::from_secs(2);

/// A run of the engines on a worker thread, against a snapshot of the project.
struct Job {
    done: Arc<AtomicUsize>,
    total: usize,
    cancel: Arc<AtomicBool>,
    results: Receiver<Finished>,
}

/// What a finished run hands back: the suggestions and, checked against the snapshot on the
/// worker thread, which of them are pending at that project revision.
struct Finished {
    set: SuggestionSet,
    pending: PendingIndex,
    revision: u64,
}

/// Which suggestions are still pending (not accepted, not rejected), worked out per document
/// and again only for documents that changed: a run over 10,000 documents leaves ~200,000
/// suggestions, and every edit would otherwise check them all.
#[derive(Default)]
struct PendingIndex {
    /// Indexes in the run's `entities` of each document's suggestions.
    by_doc: HashMap<DocumentId, Vec<usize>>,
    /// Of those, the pending ones, with what the document looked like when checked.
    checked: HashMap<DocumentId, (DocumentState, Vec<usize>)>,
    /// All pending indexes, in document order.
    all: Vec<usize>,
}

/// What a document's pending suggestions depend on: fingerprints of its spans and of the
/// decisions recorded on it.
type DocumentState = (u64, u64);

/// A fingerprint of a (start, end, type) key, combined with xor so order does not matter.
/// Cheap on purpose: every span of the project is fingerprinted after each edit.
fn fingerprint(start: usize, end: usize, ty: &str) -> u64 {
    let mut h = (start as u64) ^ ((end as u64) << 32);
    for b in ty.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    h = h.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    h ^ (h >> 29)
}

impl PendingIndex {
    fn new(entities: &[Suggestion]) -> PendingIndex {
        let mut by_doc: HashMap<DocumentId, Vec<usize>> = HashMap::new();
        for (i, s) in entities.iter().enumerate() {
            by_doc.entry(s.document).or_default().push(i);
        }
        PendingIndex {
            by_doc,
            ..PendingIndex::default()
        }
    }

    fn refresh(&mut self, project: &Project, entities: &[Suggestion]) {
        let mut decisions: HashMap<DocumentId, u64> = HashMap::new();
        for d in &project.decisions {
            *decisions.entry(d.document).or_default() ^=
                fingerprint(d.start, d.end, &d.entity_type);
        }
        let decided: HashSet<(DocumentId, usize, usize, &str)> = project
            .decisions
            .iter()
            .map(|d| (d.document, d.start, d.end, d.entity_type.as_str()))
            .collect();
        let fresh: Vec<(DocumentId, DocumentState, Vec<usize>)> = project
            .documents
            .par_iter()
            .filter_map(|d| {
                let indexes = self.by_doc.get(&d.id)?;
                let spans = d.spans.iter().fold(0, |acc, s| {
                    acc ^ fingerprint(s.start, s.end, &s.entity_type)
                });
                let state = (spans, decisions.get(&d.id).copied().unwrap_or(0));
                if self.checked.get(&d.id).is_some_and(|(s, _)| *s == state) {
                    return None;
                }
                let pending = indexes
                    .iter()
                    .copied()
                    .filter(|&i| {
                        let s = &entities[i];
                        !d.has_span(s.start, s.end, &s.entity_type)
                            && !decided.contains(&(d.id, s.start, s.end, s.entity_type.as_str()))
                    })
                    .collect();
                Some((d.id, state, pending))
            })
            .collect();
        for (id, state, pending) in fresh {
            self.checked.insert(id, (state, pending));
        }
        self.all = project
            .documents
            .iter()
            .filter_map(|d| self.checked.get(&d.id))
            .flat_map(|(_, pending)| pending.iter().copied())
            .collect();
    }
}

pub struct SuggestionsPanel {
    pub engines: Vec<(&'static str, bool)>,
    job: Option<Job>,
    results: SuggestionSet,
    pub has_results: bool,
    /// The pending suggestions, for the project revision in `pending_for`.
    pending: PendingIndex,
    pending_for: Option<u64>,
    pub type_filter: Option<String>,
    pub engine_filter: Option<String>,
    pub min_score: f32,
    pub all_documents: bool,
    pub auto_refresh: bool,
    last_revision: u64,
    last_change: Option<Instant>,
    pub message: String,
}

impl Default for SuggestionsPanel {
    fn default() -> SuggestionsPanel {
        SuggestionsPanel {
            engines: ENGINE_NAMES.iter().map(|n| (*n, true)).collect(),
            job: None,
            results: SuggestionSet::default(),
            has_results: false,
            pending: PendingIndex::default(),
            pending_for: None,
            type_filter: None,
            engine_filter: None,
            // The same bar `suggest --accept` uses; weaker candidates are one slider away.
            min_score: crate::suggest::DEFAULT_MIN_SCORE,
            all_documents: false,
            auto_refresh: false,
            last_revision: 0,
            last_change: None,
            message: String::new(),
        }
    }
}

impl SuggestionsPanel {
    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// (documents done, documents in all) of the running job.
    pub fn progress(&self) -> Option<(usize, usize)> {
        self.job
            .as_ref()
            .map(|j| (j.done.load(Ordering::Relaxed), j.total))
    }

    /// Starts the engines on a snapshot of the project in a worker thread.
    pub fn start(&mut self, project: &Project, ctx: &egui::Context) {
        if self.job.is_some() {
            return;
        }
        let names: Vec<String> = self
            .engines
            .iter()
            .filter(|(_, on)| *on)
            .map(|(n, _)| n.to_string())
            .collect();
        if names.is_empty() {
            self.message = "Choose at least one engine".into();
            return;
        }
        let snapshot = project.clone();
        let done = Arc::new(AtomicUsize::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (sender, results) = channel();
        let job = Job {
            done: done.clone(),
            total: snapshot.documents.len(),
            cancel: cancel.clone(),
            results,
        };
        let ctx = ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("suggest".into())
            .spawn(move || {
                let Ok(mut engines) = engines_by_name(&names) else {
                    return;
                };
                // The engines' parallel parts get all cores but one: the window keeps one
                // to itself, so no frame waits for a core.
                let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(cores.saturating_sub(1).max(1))
                    .build()
                    .ok();
                // Learning reads the snapshot only: the analyst keeps working meanwhile.
                on_pool(&pool, || learn_all(&mut engines, &snapshot));
                let mut set = SuggestionSet::default();
                for doc in &snapshot.documents {
                    if cancel.load(Ordering::Relaxed) {
                        return;
                    }
                    let part = run_engines(&snapshot, &engines, &[doc.id]);
                    set.entities.extend(part.entities);
                    set.relations.extend(part.relations);
                    done.fetch_add(1, Ordering::Relaxed);
                    ctx.request_repaint();
                }
                // Checking ~200,000 suggestions against the project is work for this thread,
                // not for the frame that receives them.
                let pending = on_pool(&pool, || {
                    let mut pending = PendingIndex::new(&set.entities);
                    pending.refresh(&snapshot, &set.entities);
                    pending
                });
                let _ = sender.send(Finished {
                    set,
                    pending,
                    revision: snapshot.revision,
                });
                ctx.request_repaint();
            });
        match spawned {
            Ok(_) => {
                self.job = Some(job);
                self.message = "Suggesting…".into();
            }
            Err(e) => self.message = format!("Could not start: {e}"),
        }
    }

    pub fn cancel(&mut self) {
        if let Some(job) = self.job.take() {
            job.cancel.store(true, Ordering::Relaxed);
            self.message = "Cancelled".into();
        }
    }

    /// Collects finished results and starts automatic refreshes; call once per frame.
    pub fn poll(&mut self, project: &Project, ctx: &egui::Context) {
        if let Some(job) = &self.job {
            match job.results.try_recv() {
                Ok(finished) => {
                    self.message = format!("{} suggestions", finished.set.entities.len());
                    self.results = finished.set;
                    self.has_results = true;
                    self.pending = finished.pending;
                    self.pending_for = Some(finished.revision);
                    self.job = None;
                }
                Err(TryRecvError::Empty) => {}
                Err(TryRecvError::Disconnected) => {
                    self.job = None;
                    self.message = "The suggestion run stopped".into();
                }
            }
        }
        if project.revision != self.last_revision {
            self.last_revision = project.revision;
            self.last_change = Some(Instant::now());
        }
        if self.auto_refresh
            && self.job.is_none()
            && let Some(t) = self.last_change
        {
            if t.elapsed() >= AUTO_REFRESH_AFTER {
                self.last_change = None;
                self.start(project, ctx);
            } else {
                ctx.request_repaint_after(AUTO_REFRESH_AFTER);
            }
        }
    }

    /// Suggestions still waiting for a decision, in document order.
    fn refresh_pending(&mut self, project: &Project) {
        if self.pending_for == Some(project.revision) {
            return;
        }
        self.pending.refresh(project, &self.results.entities);
        self.pending_for = Some(project.revision);
    }

    fn pending(&self) -> impl Iterator<Item = &Suggestion> {
        self.pending.all.iter().map(|&i| &self.results.entities[i])
    }

    fn passes(&self, s: &Suggestion) -> bool {
        s.score >= self.min_score
            && self
                .type_filter
                .as_ref()
                .is_none_or(|t| *t == s.entity_type)
            && self
                .engine_filter
                .as_ref()
                .is_none_or(|e| s.engine.split('+').any(|x| x == e))
    }

    /// The suggestions shown for a document (drawn as ghosts in the document view).
    /// Overlapping suggestions are resolved in favour of the higher score (then the longer),
    /// so the text shows one clear proposal per stretch; the list keeps every alternative.
    pub fn shown_for(&mut self, project: &Project, doc: Option<DocumentId>) -> Vec<Suggestion> {
        self.refresh_pending(project);
        let mut candidates: Vec<&Suggestion> = self
            .pending()
            .filter(|s| Some(s.document) == doc && self.passes(s))
            .collect();
        candidates.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then((b.end - b.start).cmp(&(a.end - a.start)))
        });
        let mut kept: Vec<Suggestion> = Vec::new();
        for s in candidates {
            if !kept.iter().any(|k| k.start < s.end && s.start < k.end) {
                kept.push(s.clone());
            }
        }
        kept.sort_by_key(|s| (s.start, s.end));
        kept
    }

    fn shown(&self, doc: Option<DocumentId>) -> Vec<&Suggestion> {
        self.pending()
            .filter(|s| (self.all_documents || Some(s.document) == doc) && self.passes(s))
            .collect()
    }

    /// Draws the panel. `focused` is the document view's focused ghost (an index into the
    /// current document's shown suggestions).
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        project: &Project,
        doc: Option<DocumentId>,
        focused: &mut Option<usize>,
        commands: &mut Vec<AppCommand>,
    ) {
        self.refresh_pending(project);
        ui.add_space(4.0);
        ui.heading("Suggestions");
        ui.horizontal_wrapped(|ui| {
            for (name, on) in &mut self.engines {
                ui.checkbox(on, *name);
            }
        });
        ui.horizontal(|ui| {
            if self.job.is_some() {
                let (done, total) = self
                    .job
                    .as_ref()
                    .map_or((0, 1), |j| (j.done.load(Ordering::Relaxed), j.total.max(1)));
                ui.add(
                    egui::ProgressBar::new(done as f32 / total as f32)
                        .desired_width(150.0)
                        .text(format!("{done} / {total}")),
                );
                if ui.button("Cancel").clicked() {
                    self.cancel();
                }
            } else if ui
                .button(RichText::new("Suggest").strong())
                .on_hover_text("Run the checked engines over every document")
                .clicked()
            {
                self.start(project, ui.ctx());
            }
        });
        ui.checkbox(&mut self.auto_refresh, "Refresh after edits")
            .on_hover_text("Re-learn from your annotations and suggest again when you pause");
        if !self.message.is_empty() {
            ui.label(RichText::new(&self.message).weak());
        }
        if !self.has_results {
            ui.add_space(8.0);
            ui.label(
                RichText::new(
                    "Run the engines to see suggestions here and as dashed boxes in the text.",
                )
                .weak(),
            );
            return;
        }
        ui.separator();
        egui::Grid::new("suggestion_filters")
            .num_columns(2)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                let type_label = ui.label("Type");
                let width = ui.spacing().combo_width;
                type_filter_combo(
                    ui,
                    "suggestion_type",
                    &type_label,
                    "all",
                    width,
                    &project.schema,
                    &mut self.type_filter,
                );
                ui.end_row();
                let engine_label = ui.label("Engine");
                egui::ComboBox::from_id_salt("suggestion_engine")
                    .selected_text(self.engine_filter.clone().unwrap_or_else(|| "all".into()))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut self.engine_filter, None, "all");
                        for e in ENGINE_NAMES {
                            ui.selectable_value(&mut self.engine_filter, Some(e.to_string()), *e);
                        }
                    })
                    .response
                    .labelled_by(engine_label.id);
                ui.end_row();
                let score_label = ui.label("Min score");
                ui.add(egui::Slider::new(&mut self.min_score, 0.0..=1.0).fixed_decimals(2))
                    .labelled_by(score_label.id);
                ui.end_row();
                ui.label("Scope");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut self.all_documents, false, "this document");
                    ui.radio_value(&mut self.all_documents, true, "all");
                });
                ui.end_row();
            });

        let shown: Vec<Suggestion> = self.shown(doc).into_iter().cloned().collect();
        // Next/Previous step through what the text shows (the document view's ghosts).
        let here: Vec<Suggestion> = self.shown_for(project, doc);
        ui.horizontal(|ui| {
            ui.label(format!("{} shown", shown.len()));
            if ui
                .add_enabled(!here.is_empty(), egui::Button::new("Previous"))
                .clicked()
            {
                *focused = Some(focused.map_or(here.len() - 1, |i| i.saturating_sub(1)));
                jump(&here, *focused, commands);
            }
            if ui
                .add_enabled(!here.is_empty(), egui::Button::new("Next"))
                .clicked()
            {
                *focused = Some(focused.map_or(0, |i| (i + 1).min(here.len() - 1)));
                jump(&here, *focused, commands);
            }
        });
        ui.horizontal_wrapped(|ui| {
            if ui
                .add_enabled(!shown.is_empty(), egui::Button::new("Accept shown"))
                .clicked()
            {
                commands.push(AppCommand::AcceptSuggestions(shown.clone()));
            }
            if ui
                .add_enabled(!shown.is_empty(), egui::Button::new("Reject shown"))
                .clicked()
            {
                commands.push(AppCommand::RejectSuggestions(shown.clone()));
            }
            ui.menu_button("Accept type…", |ui| {
                for t in &project.schema.entity_types {
                    let of_type: Vec<Suggestion> = shown
                        .iter()
                        .filter(|s| s.entity_type == t.id)
                        .cloned()
                        .collect();
                    if ui
                        .add_enabled(
                            !of_type.is_empty(),
                            egui::Button::new(format!("{} ({})", t.id, of_type.len())),
                        )
                        .clicked()
                    {
                        commands.push(AppCommand::AcceptSuggestions(of_type));
                        ui.close();
                    }
                }
            });
            ui.menu_button("Reject engine…", |ui| {
                for e in ENGINE_NAMES {
                    let of_engine: Vec<Suggestion> = shown
                        .iter()
                        .filter(|s| s.engine.split('+').any(|x| x == *e))
                        .cloned()
                        .collect();
                    if ui
                        .add_enabled(
                            !of_engine.is_empty(),
                            egui::Button::new(format!("{e} ({})", of_engine.len())),
                        )
                        .clicked()
                    {
                        commands.push(AppCommand::RejectSuggestions(of_engine));
                        ui.close();
                    }
                }
            });
        });
        let relations = self.relations_shown_for(project, doc);
        if !relations.is_empty() {
            ui.separator();
            ui.label(
                RichText::new(format!("Relations in this document ({})", relations.len())).strong(),
            );
            for (row, r) in relations.iter().enumerate() {
                let Some(d) = project.document(r.document) else {
                    continue;
                };
                let label = project
                    .schema
                    .relation_type(&r.relation_type)
                    .map_or(r.relation_type.as_str(), |t| t.label.as_str());
                ui.push_id(("relation", row), |ui| {
                    ui.label(format!(
                        "“{}” {label} “{}”  {:.2}",
                        d.slice(r.source.start, r.source.end),
                        d.slice(r.target.start, r.target.end),
                        r.score
                    ))
                    .on_hover_text(format!("{}: {}", r.engine, r.explanation));
                    ui.horizontal(|ui| {
                        ui.add_space(18.0);
                        if ui
                            .small_button("Accept")
                            .on_hover_text(
                                "Adds the relation, and its ends if they are still suggestions",
                            )
                            .clicked()
                        {
                            commands.push(AppCommand::AcceptRelationSuggestions(vec![r.clone()]));
                        }
                        if ui.small_button("Reject").clicked() {
                            commands.push(AppCommand::RejectRelationSuggestions(vec![r.clone()]));
                        }
                    });
                });
            }
        }
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt("suggestion_list")
            .show(ui, |ui| {
                for (row, s) in shown.iter().take(MAX_ROWS).enumerate() {
                    let Some(d) = project.document(s.document) else {
                        continue;
                    };
                    let index_here = here.iter().position(|h| h == s);
                    let is_focused = index_here.is_some() && index_here == *focused;
                    ui.push_id(row, |ui| {
                        ui.horizontal(|ui| {
                            let text = format!(
                                "{}  “{}”  {:.2}",
                                s.entity_type,
                                d.slice(s.start, s.end),
                                s.score
                            );
                            let r = swatch_button(
                                ui,
                                type_color(&project.schema, &s.entity_type),
                                &text,
                            );
                            let r = if is_focused { r.highlight() } else { r };
                            if r.on_hover_text(format!("{}: {}", s.engine, s.explanation))
                                .clicked()
                            {
                                *focused = index_here;
                                commands.push(AppCommand::JumpTo {
                                    doc: s.document,
                                    start: s.start,
                                    end: s.end,
                                });
                            }
                        });
                        ui.horizontal(|ui| {
                            ui.add_space(18.0);
                            if ui.small_button("Accept").clicked() {
                                commands.push(AppCommand::AcceptSuggestions(vec![s.clone()]));
                            }
                            if ui.small_button("Reject").clicked() {
                                commands.push(AppCommand::RejectSuggestions(vec![s.clone()]));
                            }
                            if self.all_documents {
                                ui.label(RichText::new(&d.title).small().weak());
                            }
                        });
                    });
                }
                if shown.len() > MAX_ROWS {
                    ui.label(
                        RichText::new(format!(
                            "{} more: narrow the filters",
                            shown.len() - MAX_ROWS
                        ))
                        .weak(),
                    );
                }
            });
    }
}

/// A relation suggestion not yet accepted (no such relation between its ends) nor rejected.
impl SuggestionsPanel {
    /// The relation suggestions of a document still to decide, above the minimum score
    /// (listed in the panel, drawn as dashed arcs in the text).
    pub fn relations_shown_for(
        &self,
        project: &Project,
        doc: Option<DocumentId>,
    ) -> Vec<RelationSuggestion> {
        self.results
            .relations
            .iter()
            .filter(|r| {
                Some(r.document) == doc && r.score >= self.min_score && relation_pending(project, r)
            })
            .cloned()
            .collect()
    }
}

/// Runs `f` on the job's thread pool (the global one if it could not be made).
fn on_pool<T: Send>(pool: &Option<rayon::ThreadPool>, f: impl FnOnce() -> T + Send) -> T {
    match pool {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

fn relation_pending(project: &Project, r: &RelationSuggestion) -> bool {
    let Some(d) = project.document(r.document) else {
        return false;
    };
    if project.is_rejected(
        r.document,
        r.target.start,
        r.target.end,
        &relation_decision_key(r),
    ) {
        return false;
    }
    let span_at = |e: &SpanRef| {
        d.spans
            .iter()
            .find(|s| s.start == e.start && s.end == e.end && s.entity_type == e.entity_type)
            .map(|s| s.id)
    };
    match (span_at(&r.source), span_at(&r.target)) {
        (Some(a), Some(b)) => !d
            .relations
            .iter()
            .any(|x| x.source == a && x.target == b && x.relation_type == r.relation_type),
        _ => true,
    }
}

fn jump(here: &[Suggestion], focused: Option<usize>, commands: &mut Vec<AppCommand>) {
    if let Some(s) = focused.and_then(|i| here.get(i)) {
        commands.push(AppCommand::JumpTo {
            doc: s.document,
            start: s.start,
            end: s.end,
        });
    }
}
