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
}

impl Review {
    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    pub fn has_results(&self) -> bool {
        self.has_results
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

    /// Collects finished results; call once per frame. With `auto_refresh`, returns true when
    /// the analyst has paused long enough after an edit for a new run to start.
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
