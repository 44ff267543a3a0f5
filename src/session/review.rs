//! Reviewing suggestions, without a window: a run of the engines on a worker thread against
//! a snapshot of the project (progress, cancel), and which of its suggestions are still
//! waiting for a decision as the analyst works.

use crate::model::{DocumentId, Project};
use crate::suggest::{
    RelationSuggestion, Suggestion, SuggestionSet, engines_by_name, learn_all, resolve_overlaps,
    run_engines,
};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, TryRecvError, channel};
use std::time::{Duration, Instant};

/// Quiet time after the last edit before an automatic refresh.
pub const AUTO_REFRESH_AFTER: Duration = Duration::from_secs(2);

/// Quiet time after the analyst's annotations changed (spans accepted, made, retyped or
/// deleted, a document marked done) before the engines learn again and every document's
/// suggestions refresh, once a run has shown suggestions.
pub const LEARN_AFTER: Duration = Duration::from_secs(1);

/// Called from the worker thread when there is news (progress, results): the window
/// repaints.
pub type Wake = Arc<dyn Fn() + Send + Sync>;

/// What to run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRequest {
    pub engines: Vec<String>,
}

/// Which suggestions to show: a type, an engine, a minimum score.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestionFilter {
    pub entity_type: Option<String>,
    pub engine: Option<String>,
    pub min_score: f32,
}

impl Default for SuggestionFilter {
    fn default() -> SuggestionFilter {
        SuggestionFilter {
            entity_type: None,
            engine: None,
            // The same bar `suggest --accept` uses; weaker candidates are one slider away.
            min_score: crate::suggest::DEFAULT_MIN_SCORE,
        }
    }
}

impl SuggestionFilter {
    pub fn passes(&self, s: &Suggestion) -> bool {
        s.score >= self.min_score
            && self
                .entity_type
                .as_ref()
                .is_none_or(|t| *t == s.entity_type)
            && self.engine.as_ref().is_none_or(|e| s.is_from(e))
    }
}

/// A run of the engines on a worker thread.
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
    learned: Learned,
}

/// What a run learned from: its annotations' fingerprint, (when the model engine ran) the
/// spans and annotated documents it was trained on, and (when the relations engine ran) the
/// relations and the documents with relations its classifier was trained on.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
struct Learned {
    annotations: u64,
    model: Option<(usize, usize)>,
    relations: Option<(usize, usize)>,
}

/// A fingerprint of what the engines learn from: every span (offsets and type), every
/// relation (ends and type) and which documents are marked done. Other edits (notes, entity
/// names, the schema's colours) leave it alone, so they do not start a new run.
fn annotations_fingerprint(project: &Project) -> u64 {
    project.documents.iter().fold(0u64, |acc, d| {
        let spans = d
            .spans
            .iter()
            .fold(0u64, |h, s| h ^ fingerprint(s.start, s.end, &s.entity_type));
        let spans = d.relations.iter().fold(spans, |h, r| {
            h ^ fingerprint(r.source.0 as usize, r.target.0 as usize, &r.relation_type)
                .rotate_left(7)
        });
        let done = matches!(d.status, crate::model::DocumentStatus::Done) as u64;
        acc.wrapping_add(fingerprint(d.id.0 as usize, done as usize, "") ^ spans)
            .rotate_left(1)
    })
}

/// The suggestion runs of a session and what is still to review.
#[derive(Default)]
pub struct Review {
    job: Option<Job>,
    results: SuggestionSet,
    has_results: bool,
    /// The pending suggestions, for the project revision in `pending_for`.
    pending: PendingIndex,
    pending_for: Option<u64>,
    /// When automatic refresh is on: the last revision seen and when it changed.
    last_revision: u64,
    last_change: Option<Instant>,
    /// The last thing that happened to a run ("Suggesting…", "Cancelled", "12 suggestions").
    pub message: String,
    /// What the last finished run learned from.
    learned: Option<Learned>,
    /// The engines of the last run, for the runs live learning starts.
    last_request: Option<RunRequest>,
    /// Fingerprint of the annotations at the last revision seen, and when it changed.
    annotations: Option<(u64, u64)>,
    annotations_changed: Option<Instant>,
}

impl Review {
    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    pub fn has_results(&self) -> bool {
        self.has_results
    }

    /// (spans, documents with spans) the model learned from in the last finished run; None
    /// when no run with the model engine has finished. The status bar shows it.
    pub fn learned_from(&self) -> Option<(usize, usize)> {
        self.learned.and_then(|l| l.model)
    }

    /// (relations, documents with relations) the relation classifier learned from in the
    /// last finished run; None when no run with the relations engine has finished.
    pub fn relations_learned_from(&self) -> Option<(usize, usize)> {
        self.learned.and_then(|l| l.relations)
    }

    /// The status bar's line about learning: "model: learned from N spans in M documents ·
    /// relations: learned from N relations in M documents".
    pub fn learned_summary(&self) -> Option<String> {
        use crate::session::ops::count;
        let docs = |n| count(n, "document", "documents");
        let model = self.learned_from().map(|(spans, d)| {
            format!(
                "model: learned from {} in {}",
                count(spans, "span", "spans"),
                docs(d)
            )
        });
        let relations = self.relations_learned_from().map(|(relations, d)| {
            format!(
                "relations: learned from {} in {}",
                count(relations, "relation", "relations"),
                docs(d)
            )
        });
        let parts: Vec<String> = model.into_iter().chain(relations).collect();
        (!parts.is_empty()).then(|| parts.join(" · "))
    }

    /// The engines of the last run started (live learning starts the same ones).
    pub fn last_request(&self) -> Option<&RunRequest> {
        self.last_request.as_ref()
    }

    /// (documents done, documents in all) of the running job.
    pub fn progress(&self) -> Option<(usize, usize)> {
        self.job
            .as_ref()
            .map(|j| (j.done.load(Ordering::Relaxed), j.total))
    }

    /// Starts the engines on a snapshot of the project in a worker thread (a snapshot is
    /// cheap: documents are shared until edited).
    pub fn start(&mut self, project: &Project, request: RunRequest, wake: Wake) {
        if self.job.is_some() {
            return;
        }
        if request.engines.is_empty() {
            self.message = "Choose at least one engine".into();
            return;
        }
        let mut engines = match engines_by_name(&request.engines) {
            Ok(engines) => engines,
            Err(e) => {
                self.message = e.to_string();
                return;
            }
        };
        let snapshot = project.clone();
        let runs = |engine: &str| request.engines.iter().any(|e| e.trim() == engine);
        let (with_model, with_relations) = (runs("model"), runs("relations"));
        self.last_request = Some(request);
        let done = Arc::new(AtomicUsize::new(0));
        let cancel = Arc::new(AtomicBool::new(false));
        let (sender, results) = channel();
        let job = Job {
            done: done.clone(),
            total: snapshot.documents.len(),
            cancel: cancel.clone(),
            results,
        };
        let spawned = std::thread::Builder::new()
            .name("suggest".into())
            .spawn(move || {
                // The engines' parallel parts get all cores but one: the window keeps one
                // to itself, so no frame waits for a core.
                let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(cores.saturating_sub(1).max(1))
                    .build()
                    .ok();
                // Learning reads the snapshot only: the analyst keeps working meanwhile.
                on_pool(&pool, || learn_all(&mut engines, &snapshot));
                let learned = Learned {
                    annotations: annotations_fingerprint(&snapshot),
                    model: with_model.then(|| {
                        let annotated = snapshot.documents.iter().filter(|d| !d.spans.is_empty());
                        (snapshot.span_count(), annotated.count())
                    }),
                    relations: with_relations.then(|| {
                        let related = snapshot
                            .documents
                            .iter()
                            .filter(|d| !d.relations.is_empty());
                        (snapshot.relation_count(), related.count())
                    }),
                };
                let mut set = SuggestionSet::default();
                for doc in &snapshot.documents {
                    if cancel.load(Ordering::Relaxed) {
                        return;
                    }
                    let part = run_engines(&snapshot, &engines, &[doc.id]);
                    set.entities.extend(part.entities);
                    set.relations.extend(part.relations);
                    done.fetch_add(1, Ordering::Relaxed);
                    wake();
                }
                // Checking ~200,000 suggestions against the project is work for this thread,
                // not for the frame that receives them.
                let pending = on_pool(&pool, || {
                    let mut pending = PendingIndex::new(&set.entities);
                    pending.refresh(&snapshot, &set.entities);
                    pending
                });
                let finished = Finished {
                    set,
                    pending,
                    revision: snapshot.revision,
                    learned,
                };
                // A send fails only when the run was cancelled meanwhile (the receiver is
                // gone): then nobody wants the results.
                if sender.send(finished).is_ok() {
                    wake();
                }
            });
        match spawned {
            Ok(_) => {
                self.job = Some(job);
                self.message = "Suggesting…".into();
            }
            Err(e) => self.message = format!("Could not start the engines: {e}"),
        }
    }

    pub fn cancel(&mut self) {
        if let Some(job) = self.job.take() {
            job.cancel.store(true, Ordering::Relaxed);
            self.message = "Cancelled".into();
        }
    }

    /// Collects finished results; call once per frame. Returns true when a new run should
    /// start (with the engines of `last_request`): with `auto_refresh`, when the analyst has
    /// paused `AUTO_REFRESH_AFTER` after any edit; and always (live learning), once a run
    /// has shown suggestions, when the annotations the engines learn from have changed since
    /// that run and have then stayed unchanged for `LEARN_AFTER` (so a burst of accepts
    /// retrains once, after it).
    pub fn poll(&mut self, project: &Project, auto_refresh: bool, now: Instant) -> bool {
        if let Some(job) = &self.job {
            match job.results.try_recv() {
                Ok(finished) => {
                    self.message = crate::session::ops::count(
                        finished.set.entities.len(),
                        "suggestion",
                        "suggestions",
                    );
                    self.results = finished.set;
                    self.has_results = true;
                    self.pending = finished.pending;
                    self.pending_for = Some(finished.revision);
                    self.learned = Some(finished.learned);
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
            self.last_change = Some(now);
            if self.learned.is_some() || self.job.is_some() {
                let fp = annotations_fingerprint(project);
                if self.annotations.is_none_or(|(_, old)| old != fp) {
                    self.annotations = Some((project.revision, fp));
                    self.annotations_changed = Some(now);
                }
            }
        }
        if self.job.is_none()
            && let (Some(learned), Some((_, fp)), Some(t)) =
                (self.learned, self.annotations, self.annotations_changed)
            && fp != learned.annotations
            && now.duration_since(t) >= LEARN_AFTER
        {
            self.annotations_changed = None;
            self.last_change = None;
            return true;
        }
        if auto_refresh
            && self.job.is_none()
            && let Some(t) = self.last_change
            && now.duration_since(t) >= AUTO_REFRESH_AFTER
        {
            self.last_change = None;
            return true;
        }
        false
    }

    /// True while live learning waits for the annotations to stay unchanged for `LEARN_AFTER`
    /// (the window asks for a repaint then, so the run starts without input).
    pub fn learn_waiting(&self) -> bool {
        self.annotations_changed.is_some()
            && matches!((self.learned, self.annotations), (Some(l), Some((_, fp))) if fp != l.annotations)
    }

    /// True while an automatic refresh is waiting for the analyst to pause.
    pub fn refresh_waiting(&self) -> bool {
        self.last_change.is_some()
    }

    /// Brings the pending index up to the project's revision.
    fn refresh_pending(&mut self, project: &Project) {
        if self.pending_for == Some(project.revision) {
            return;
        }
        self.pending.refresh(project, &self.results.entities);
        self.pending_for = Some(project.revision);
    }

    /// Entity suggestions still waiting for a decision that pass `filter`, in document order;
    /// of one document, or of all when `doc` is None.
    pub fn pending(
        &mut self,
        project: &Project,
        doc: Option<DocumentId>,
        filter: &SuggestionFilter,
    ) -> Vec<Suggestion> {
        self.refresh_pending(project);
        let entities = &self.results.entities;
        let indexes: &[usize] = match doc {
            Some(d) => self
                .pending
                .checked
                .get(&d)
                .map_or(&[], |(_, pending)| pending.as_slice()),
            None => &self.pending.all,
        };
        indexes
            .iter()
            .map(|&i| &entities[i])
            .filter(|s| filter.passes(s))
            .cloned()
            .collect()
    }

    /// What the text of a document shows: its pending suggestions passing `filter`, with
    /// overlaps resolved by the one resolver bulk accepts use, in reading order.
    pub fn shown_in(
        &mut self,
        project: &Project,
        doc: DocumentId,
        filter: &SuggestionFilter,
    ) -> Vec<Suggestion> {
        let pending = self.pending(project, Some(doc), filter);
        let mut shown = resolve_overlaps(project, &pending);
        shown.sort_by(|a, b| {
            (a.start, a.end, &a.entity_type).cmp(&(b.start, b.end, &b.entity_type))
        });
        shown
    }

    /// The relation suggestions of a document still to decide, at or above `min_score`.
    pub fn relations_pending(
        &self,
        project: &Project,
        doc: DocumentId,
        min_score: f32,
    ) -> Vec<RelationSuggestion> {
        self.results
            .relations
            .iter()
            .filter(|r| r.document == doc && r.score >= min_score && relation_pending(project, r))
            .cloned()
            .collect()
    }
}

/// A relation suggestion not yet accepted (no such relation between its ends) nor rejected.
fn relation_pending(project: &Project, r: &RelationSuggestion) -> bool {
    let Some(d) = project.document(r.document) else {
        return false;
    };
    if project.is_relation_rejected(r.document, &r.relation_type, &r.source, &r.target) {
        return false;
    }
    let at = |e: &crate::model::SpanRef| d.span_at(e.start, e.end, &e.entity_type).map(|s| s.id);
    match (at(&r.source), at(&r.target)) {
        (Some(a), Some(b)) => !d
            .relations
            .iter()
            .any(|x| x.source == a && x.target == b && x.relation_type == r.relation_type),
        _ => true,
    }
}

/// Runs `f` on the job's thread pool (the global one if it could not be made).
fn on_pool<T: Send>(pool: &Option<rayon::ThreadPool>, f: impl FnOnce() -> T + Send) -> T {
    match pool {
        Some(pool) => pool.install(f),
        None => f(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, DocumentStatus, Relation, RelationId, Span, SpanId};

    fn project() -> Project {
        let mut p = Project::new("p");
        let text = "Talks in Yerevan. Then talks in Baku and Yerevan.";
        let mut d = Document::new(DocumentId(1), "a", "a.txt", text.to_string());
        d.spans.push(Span::new(SpanId(2), 9, 16, "GPE"));
        p.documents.push(d.into());
        p.documents
            .push(Document::new(DocumentId(3), "b", "b.txt", text.to_string()).into());
        p.next_id = 10;
        p
    }

    fn edit(p: &mut Project, f: impl FnOnce(&mut Document)) {
        if let Some(d) = p.documents.get_mut(1) {
            f(Arc::make_mut(d));
        }
        p.revision += 1;
    }

    #[test]
    fn annotations_retrain_once_after_a_quiet_second_other_edits_do_not() {
        let mut p = project();
        let mut r = Review {
            learned: Some(Learned {
                annotations: annotations_fingerprint(&p),
                model: Some((1, 1)),
                relations: None,
            }),
            ..Review::default()
        };
        let t0 = Instant::now();
        assert!(!r.poll(&p, false, t0));
        // An edit that changes no annotation (the title) starts nothing.
        edit(&mut p, |d| d.title = "renamed".into());
        assert!(!r.poll(&p, false, t0));
        assert!(!r.poll(&p, false, t0 + LEARN_AFTER * 3));
        assert!(!r.learn_waiting());
        // An accepted span: nothing while the analyst keeps going, one run after the pause.
        let t1 = t0 + LEARN_AFTER * 4;
        edit(&mut p, |d| {
            d.spans.push(Span::new(SpanId(11), 32, 36, "GPE"))
        });
        assert!(!r.poll(&p, false, t1));
        assert!(r.learn_waiting());
        assert!(!r.poll(&p, false, t1 + LEARN_AFTER / 2));
        // A second accept in the burst moves the pause on.
        let t2 = t1 + LEARN_AFTER / 2;
        edit(&mut p, |d| {
            d.spans.push(Span::new(SpanId(12), 41, 48, "GPE"))
        });
        assert!(!r.poll(&p, false, t2));
        assert!(!r.poll(&p, false, t1 + LEARN_AFTER));
        assert!(r.poll(&p, false, t2 + LEARN_AFTER));
        assert!(!r.poll(&p, false, t2 + LEARN_AFTER * 2));
        // Marking a document done counts as learning material too.
        edit(&mut p, |d| d.status = DocumentStatus::Done);
        let t3 = t2 + LEARN_AFTER * 3;
        assert!(!r.poll(&p, false, t3));
        assert!(r.poll(&p, false, t3 + LEARN_AFTER));
        // So does a relation (the relation classifier learns from them).
        edit(&mut p, |d| {
            d.relations.push(Relation::new(
                RelationId(13),
                "located_in",
                SpanId(11),
                SpanId(12),
            ))
        });
        let t4 = t3 + LEARN_AFTER * 3;
        assert!(!r.poll(&p, false, t4));
        assert!(r.poll(&p, false, t4 + LEARN_AFTER));
    }

    #[test]
    fn nothing_learns_live_before_a_run_has_shown_suggestions() {
        let mut p = project();
        let mut r = Review::default();
        let t0 = Instant::now();
        edit(&mut p, |d| {
            d.spans.push(Span::new(SpanId(11), 32, 36, "GPE"))
        });
        assert!(!r.poll(&p, false, t0));
        assert!(!r.poll(&p, false, t0 + LEARN_AFTER * 5));
        assert_eq!(r.learned_summary(), None);
    }

    #[test]
    fn a_finished_run_says_what_the_model_learned_from() {
        let p = project();
        let mut r = Review::default();
        let request = RunRequest {
            engines: vec!["memory".into(), "model".into()],
        };
        r.start(&p, request.clone(), Arc::new(|| {}));
        assert_eq!(r.last_request(), Some(&request));
        let t0 = Instant::now();
        // A two-document project learns in milliseconds; the bound only stops a broken run.
        while r.is_running() && t0.elapsed() < Duration::from_secs(30) {
            r.poll(&p, false, Instant::now());
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(r.learned_from(), Some((1, 1)));
        assert_eq!(r.relations_learned_from(), None, "no relations engine ran");
        assert_eq!(
            r.learned_summary().as_deref(),
            Some("model: learned from 1 span in 1 document")
        );
        // Memory proposes the other "Yerevan"s.
        assert!(r.has_results());
        let pending = r.pending(&p, None, &SuggestionFilter::default());
        assert!(
            pending.iter().any(|s| s.document == DocumentId(3)),
            "{pending:?}"
        );
    }

    #[test]
    fn a_finished_run_says_what_the_relation_classifier_learned_from() {
        let mut p = project();
        edit(&mut p, |d| {
            d.spans.push(Span::new(SpanId(11), 32, 36, "GPE"));
            d.spans.push(Span::new(SpanId(12), 41, 48, "GPE"));
            d.relations.push(Relation::new(
                RelationId(13),
                "located_in",
                SpanId(11),
                SpanId(12),
            ));
        });
        let mut r = Review::default();
        let request = RunRequest {
            engines: vec!["model".into(), "relations".into()],
        };
        r.start(&p, request, Arc::new(|| {}));
        let t0 = Instant::now();
        // A two-document project learns in milliseconds; the bound only stops a broken run.
        while r.is_running() && t0.elapsed() < Duration::from_secs(30) {
            r.poll(&p, false, Instant::now());
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(r.relations_learned_from(), Some((1, 1)));
        assert_eq!(
            r.learned_summary().as_deref(),
            Some(
                "model: learned from 3 spans in 2 documents · relations: learned from 1 relation in 1 document"
            )
        );
    }
}
