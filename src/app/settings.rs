//! UI state that persists between sessions through eframe's storage.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

pub const STORAGE_KEY: &str = "marginalia.settings";
const MAX_RECENT: usize = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    pub recent_projects: Vec<PathBuf>,
    pub dark_mode: bool,
    /// Font size of the document text, in points.
    pub font_size: f32,
    pub show_documents: bool,
    pub show_inspector: bool,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            recent_projects: Vec::new(),
            dark_mode: false,
            font_size: 17.0,
            show_documents: true,
            show_inspector: true,
        }
    }
}

impl Settings {
    pub fn remember_project(&mut self, path: &Path) {
        let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
        self.recent_projects.retain(|p| *p != path);
        self.recent_projects.insert(0, path);
        self.recent_projects.truncate(MAX_RECENT);
    }

    pub fn zoom(&mut self, delta: f32) {
        self.font_size = (self.font_size + delta).clamp(10.0, 32.0);
    }
}
