//! The open project with its session state: undo history, file path, dirty tracking.

use crate::edit::{History, Transaction};
use crate::model::{ModelError, Project};
use crate::store::{self, StoreError};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub struct Workspace {
    pub project: Project,
    /// Where the project is saved; None for a project never saved.
    pub path: Option<PathBuf>,
    pub history: History,
    /// The project revision at the last save or load.
    saved_revision: u64,
    pub last_saved: Option<SystemTime>,
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
        }
    }

    pub fn open(path: &Path) -> Result<Workspace, StoreError> {
        let project = store::load(path)?;
        Ok(Workspace::from_project(project, Some(path.to_path_buf())))
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
        self.path = Some(path.to_path_buf());
        self.saved_revision = self.project.revision;
        self.last_saved = Some(SystemTime::now());
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
