//! The open project with its session state (never saved in the project): undo history,
//! file path, dirty tracking, autosave timing, the suggestion run and its pending index.
//! The window holds one `Session` and only draws it and sends it `Op`s; the command line
//! and the tests drive the same type.

pub mod author;
pub mod ops;
pub mod review;

pub use author::{Author, UserSettings};
pub use ops::{Created, Op, OpError, Planned};
pub use review::{Review, RunRequest};

use crate::edit::History;
use crate::import::{ImportFormat, ImportOptions, ImportReport, plan_import_with};
use crate::model::{DocumentId, ModelError, Project};
use crate::store::{self, FileStamp, OnDisk, ProjectLock, StoreError};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// Unsaved work older than this is written to the recovery file.
pub const AUTOSAVE_AFTER: Duration = Duration::from_secs(30);

/// Where the session reads the time, so tests can move it on by hand.
pub trait Clock: Send {
    fn now(&self) -> Instant;
    fn wall(&self) -> SystemTime;
}

/// The machine's clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Instant {
        Instant::now()
    }
    fn wall(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// A clock that moves only when told (for tests of autosave timing).
#[derive(Debug, Clone)]
pub struct ManualClock {
    start: Instant,
    start_wall: SystemTime,
    elapsed_ms: Arc<AtomicU64>,
}

impl Default for ManualClock {
    fn default() -> ManualClock {
        ManualClock {
            start: Instant::now(),
            start_wall: SystemTime::now(),
            elapsed_ms: Arc::default(),
        }
    }
}

impl ManualClock {
    pub fn advance(&self, by: Duration) {
        let ms = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.elapsed_ms.fetch_add(ms, Ordering::Relaxed);
    }

    fn elapsed(&self) -> Duration {
        Duration::from_millis(self.elapsed_ms.load(Ordering::Relaxed))
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Instant {
        self.start + self.elapsed()
    }
    fn wall(&self) -> SystemTime {
        self.start_wall + self.elapsed()
    }
}

pub struct Session {
    pub project: Project,
    /// Where the project is saved; None for a project never saved.
    pub path: Option<PathBuf>,
    pub history: History,
    /// The suggestion runs and what is still to review.
    pub review: Review,
    /// The project revision at the last save or load.
    saved_revision: u64,
    pub last_saved: Option<SystemTime>,
    pub last_autosave: Option<SystemTime>,
    /// The project file as it was when opened or last saved, to notice outside changes
    /// cheaply (size and time); `on_disk` is the exact check a save makes.
    opened_stamp: Option<FileStamp>,
    /// What the project file held when it was read or last saved here (`absent` for a file
    /// not written yet): a save refuses to replace anything else.
    on_disk: OnDisk,
    /// Keeps other writers (another window, a CLI import) out of `path` while it is open.
    /// `None` for a project with no file, or where the folder cannot hold a lock file.
    lock: Option<ProjectLock>,
    /// When the current unsaved work began (or was last autosaved).
    unsaved_since: Option<Instant>,
    autosaved_revision: Option<u64>,
    clock: Box<dyn Clock>,
    /// Who is editing: stamps what the operations make and gives new ids their block.
    /// `None`: no stamps, ids from the shared counter (tests, tools).
    author: Option<Author>,
}

impl Session {
    pub fn new_project(name: &str) -> Session {
        Session::from_project(Project::new(name), None)
    }

    pub fn from_project(project: Project, path: Option<PathBuf>) -> Session {
        let saved_revision = project.revision;
        Session {
            project,
            path,
            history: History::default(),
            review: Review::default(),
            saved_revision,
            last_saved: None,
            last_autosave: None,
            opened_stamp: None,
            on_disk: OnDisk::absent(),
            lock: None,
            unsaved_since: None,
            autosaved_revision: None,
            clock: Box::new(SystemClock),
            author: None,
        }
    }

    /// The same session edited by `author` (see `set_author`).
    pub fn with_author(mut self, author: Option<Author>) -> Session {
        self.set_author(author);
        self
    }

    /// From now on, what the operations make is stamped with `author` and the clock's time,
    /// and new ids come from the author's block.
    pub fn set_author(&mut self, author: Option<Author>) {
        self.project.id_block = crate::model::IdBlockChoice(author.as_ref().map(|a| a.id_block));
        self.author = author;
    }

    pub fn author(&self) -> Option<&Author> {
        self.author.as_ref()
    }

    fn stamp(&self, tx: &mut crate::edit::Transaction) {
        if let Some(author) = &self.author {
            author.stamp(tx, self.clock.wall());
        }
    }

    /// The same session reading time from `clock`.
    pub fn with_clock(mut self, clock: Box<dyn Clock>) -> Session {
        self.clock = clock;
        self
    }

    /// Opens a project for editing: locks it against other writers (another window, a CLI
    /// write: "p.ron is open in another Marginalia (pid N)"), then reads it.
    pub fn open(path: &Path) -> Result<Session, StoreError> {
        Session::open_locked(path, lock_for_editing(path)?)
    }

    /// Opens `path` with a lock already held (or none, where none can be had).
    fn open_locked(path: &Path, lock: Option<ProjectLock>) -> Result<Session, StoreError> {
        let (project, on_disk) = store::load_tracked(path)?;
        let mut session = Session::from_project(project, Some(path.to_path_buf()));
        session.opened_stamp = FileStamp::of(path);
        session.on_disk = on_disk;
        session.lock = lock;
        Ok(session)
    }

    /// A new, empty project that will be saved as `path` (which must not exist yet); the
    /// name is locked from now on, so no other writer can create it meanwhile.
    pub fn create(name: &str, path: &Path) -> Result<Session, StoreError> {
        let lock = lock_for_editing(path)?;
        let mut session = Session::new_project(name);
        session.path = Some(path.to_path_buf());
        session.lock = lock;
        Ok(session)
    }

    /// Opens `path` again from disk, dropping every unsaved change and the undo history
    /// (after "the file changed on disk": take the other writer's version). Keeps the lock.
    pub fn reload(&mut self) -> Result<(), StoreError> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        let lock = self.lock.take();
        match Session::open_locked(&path, lock) {
            Ok(fresh) => {
                let clock = std::mem::replace(&mut self.clock, Box::new(SystemClock));
                *self = fresh.with_clock(clock);
                Ok(())
            }
            Err(e) => {
                // The lock went with the failed attempt: take it again (the next save tries
                // once more if this fails).
                if let Err(lock) = self.reload_lock() {
                    crate::diag::warn(lock.to_string());
                }
                Err(e)
            }
        }
    }

    /// Replaces the project with the autosaved work in `recovery` (unsaved: the project file
    /// is still the one on disk). The path, the lock and the on-disk check stay.
    pub fn restore(&mut self, recovery: &Path) -> Result<(), StoreError> {
        let project = store::load(recovery)?;
        self.project = project;
        self.history = History::default();
        self.review = Review::default();
        self.saved_revision = u64::MAX;
        Ok(())
    }

    /// Gives up the lock (before this window opens the same file again).
    pub fn release_lock(&mut self) -> Option<ProjectLock> {
        self.lock.take()
    }

    /// Takes the lock of the session's file unless it is held already (after `release_lock`,
    /// or where the file was opened without one).
    pub fn reload_lock(&mut self) -> Result<(), StoreError> {
        if let (None, Some(path)) = (&self.lock, &self.path) {
            self.lock = lock_for_editing(path)?;
        }
        Ok(())
    }

    /// True while this session holds its file's lock.
    pub fn holds_lock(&self) -> bool {
        self.lock.is_some()
    }

    /// True when the project file was changed on disk by someone else since it was opened or
    /// saved here (another program, a git pull).
    pub fn changed_on_disk(&self) -> bool {
        match &self.path {
            Some(path) => FileStamp::of(path) != self.opened_stamp,
            None => false,
        }
    }

    /// Writes the recovery file when there has been unsaved work for `AUTOSAVE_AFTER`, or at
    /// once when `now` (the window lost focus). Returns true when it wrote.
    pub fn autosave(&mut self, now: bool) -> Result<bool, StoreError> {
        if !self.is_dirty() {
            self.unsaved_since = None;
            return Ok(false);
        }
        let at = self.clock.now();
        let since = *self.unsaved_since.get_or_insert(at);
        let Some(path) = self.path.clone() else {
            return Ok(false);
        };
        let fresh = self.autosaved_revision != Some(self.project.revision);
        if fresh && (now || at.duration_since(since) >= AUTOSAVE_AFTER) {
            store::write_recovery(&self.project, &path)?;
            self.autosaved_revision = Some(self.project.revision);
            self.unsaved_since = Some(at);
            self.last_autosave = Some(self.clock.wall());
            return Ok(true);
        }
        Ok(false)
    }

    pub fn is_dirty(&self) -> bool {
        self.project.revision != self.saved_revision
    }

    /// Plans `op` and applies it through the history (one undo step). An operation with
    /// nothing to do changes nothing and is not an undo step.
    pub fn run(&mut self, op: Op) -> Result<Planned, OpError> {
        let mut planned = op.plan(&self.project)?;
        self.stamp(&mut planned.tx);
        if !planned.tx.is_empty() {
            self.history.apply(&mut self.project, planned.tx.clone())?;
        }
        Ok(planned)
    }

    /// Reads files and adds them as documents (one undo step); nothing changes on error.
    /// Returns the report and the first new document.
    pub fn import(
        &mut self,
        paths: &[PathBuf],
        format: ImportFormat,
        options: &ImportOptions,
    ) -> Result<(ImportReport, Option<DocumentId>), crate::import::ImportError> {
        let (mut tx, report) = plan_import_with(&self.project, paths, format, options)?;
        self.stamp(&mut tx);
        let first_new = tx.edits.iter().find_map(|e| match e {
            crate::edit::Edit::InsertDocument { document, .. } => Some(document.id),
            _ => None,
        });
        if !tx.is_empty() {
            self.history
                .apply(&mut self.project, tx)
                .map_err(crate::import::ImportError::Model)?;
        }
        Ok((report, first_new))
    }

    pub fn undo(&mut self) -> Result<Option<String>, ModelError> {
        self.history.undo(&mut self.project)
    }

    pub fn redo(&mut self) -> Result<Option<String>, ModelError> {
        self.history.redo(&mut self.project)
    }

    /// Saves to `path`. To the session's own file: only if the file is still what was read
    /// or last saved here (`StoreError::Changed` otherwise; nothing written). To another file
    /// (Save As): that file is locked first, replaced (the user chose it), and becomes the
    /// session's file; the old one is released.
    pub fn save_to(&mut self, path: &Path) -> Result<(), StoreError> {
        if self.path.as_deref() == Some(path) {
            self.reload_lock()?;
            let saved = store::save_tracked(&self.project, path, &self.on_disk)?;
            self.on_disk = saved.on_disk;
        } else {
            let lock = lock_for_editing(path)?;
            self.on_disk = store::save_replacing(&self.project, path)?;
            self.lock = lock;
        }
        self.saved(path)
    }

    /// Saves over the session's file whatever it holds now (the user saw "changed on disk"
    /// and chose to overwrite).
    pub fn overwrite(&mut self) -> Result<(), StoreError> {
        let Some(path) = self.path.clone() else {
            return Ok(());
        };
        self.reload_lock()?;
        self.on_disk = store::save_replacing(&self.project, &path)?;
        self.saved(&path)
    }

    fn saved(&mut self, path: &Path) -> Result<(), StoreError> {
        // The saved file supersedes any autosaved work; a leftover recovery file would be
        // offered again on the next open, so failing to remove it is an error too.
        store::remove_recovery(path)?;
        self.path = Some(path.to_path_buf());
        self.saved_revision = self.project.revision;
        self.last_saved = Some(self.clock.wall());
        self.opened_stamp = FileStamp::of(path);
        self.unsaved_since = None;
        Ok(())
    }

    /// The window title: project name, file and an unsaved-changes marker.
    pub fn title(&self) -> String {
        let file = self
            .path
            .as_ref()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "not saved yet".into());
        let marker = if self.is_dirty() { "● " } else { "" };
        format!("{marker}{} ({file}) — Marginalia", self.project.name)
    }
}

/// Locks `path` for this session. Another Marginalia holding it is an error; a folder that
/// cannot hold a lock file (read-only media) is not: the project opens without a lock, with a
/// warning, and saving there fails on its own with a clear error.
fn lock_for_editing(path: &Path) -> Result<Option<ProjectLock>, StoreError> {
    match ProjectLock::acquire(path) {
        Ok(lock) => Ok(Some(lock)),
        Err(e @ StoreError::Lock { .. }) => {
            crate::diag::warn(format!(
                "{e}; other programs are not kept from changing it while it is open"
            ));
            Ok(None)
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests;
