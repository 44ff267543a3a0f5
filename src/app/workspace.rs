//! The open project with its session state: undo history, file path, dirty tracking.

use crate::edit::{History, Transaction};
use crate::model::{ModelError, Project};
use crate::store::{self, FileStamp, StoreError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime};

/// Unsaved work older than this is written to the recovery file.
pub const AUTOSAVE_AFTER: Duration = Duration::from_secs(30);

pub struct Workspace {
    pub project: Project,
    /// Where the project is saved; None for a project never saved.
    pub path: Option<PathBuf>,
    pub history: History,
    /// The project revision at the last save or load.
    saved_revision: u64,
    pub last_saved: Option<SystemTime>,
    pub last_autosave: Option<SystemTime>,
    /// The project file as it was when opened or last saved, to notice outside changes.
    opened_stamp: Option<FileStamp>,
    /// When the current unsaved work began (or was last autosaved).
    unsaved_since: Option<Instant>,
    autosaved_revision: Option<u64>,
}

impl Workspace {
    pub fn new_project(name: &str) -> Workspace {
        Workspace::from_project(Project::new(name), None)
    }

    pub fn from_project(project: Project, path: Option<PathBuf>) -> Workspace {
        let saved_revision = project.revision;
        Workspace {
            project,
            path,
            history: History::default(),
            saved_revision,
            last_saved: None,
            last_autosave: None,
            opened_stamp: None,
            unsaved_since: None,
            autosaved_revision: None,
        }
    }

    pub fn open(path: &Path) -> Result<Workspace, StoreError> {
        let project = store::load(path)?;
        let mut ws = Workspace::from_project(project, Some(path.to_path_buf()));
        ws.opened_stamp = FileStamp::of(path);
        Ok(ws)
    }

    /// Opens the recovery file of `path` as that project, with its changes still unsaved.
    pub fn restore(path: &Path, recovery: &Path) -> Result<Workspace, StoreError> {
        let project = store::load(recovery)?;
        let mut ws = Workspace::from_project(project, Some(path.to_path_buf()));
        ws.opened_stamp = FileStamp::of(path);
        ws.saved_revision = u64::MAX;
        Ok(ws)
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
        let since = *self.unsaved_since.get_or_insert_with(Instant::now);
        let Some(path) = self.path.clone() else {
            return Ok(false);
        };
        let fresh = self.autosaved_revision != Some(self.project.revision);
        if fresh && (now || since.elapsed() >= AUTOSAVE_AFTER) {
            store::write_recovery(&self.project, &path)?;
            self.autosaved_revision = Some(self.project.revision);
            self.unsaved_since = Some(Instant::now());
            self.last_autosave = Some(SystemTime::now());
            return Ok(true);
        }
        Ok(false)
    }

    pub fn is_dirty(&self) -> bool {
        self.project.revision != self.saved_revision
    }

    pub fn apply(&mut self, tx: Transaction) -> Result<(), ModelError> {
        self.history.apply(&mut self.project, tx)
    }

    pub fn undo(&mut self) -> Result<Option<String>, ModelError> {
        self.history.undo(&mut self.project)
    }

    pub fn redo(&mut self) -> Result<Option<String>, ModelError> {
        self.history.redo(&mut self.project)
    }

    pub fn save_to(&mut self, path: &Path) -> Result<(), StoreError> {
        store::save(&self.project, path)?;
        // The saved file supersedes any autosaved work; a leftover file would only confuse.
        let _ = store::remove_recovery(path);
        self.path = Some(path.to_path_buf());
        self.saved_revision = self.project.revision;
        self.last_saved = Some(SystemTime::now());
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
