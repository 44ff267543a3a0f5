//! Native file dialogs behind a small trait, so tests (and machines without a desktop portal)
//! can do without them.

use std::path::PathBuf;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, PartialEq)]
pub enum DialogOutcome {
    Picked(Vec<PathBuf>),
    Cancelled,
    /// No dialog could be shown (no portal or desktop service): ask for a typed path instead.
    Unavailable,
}

/// What the dialog is for; decides filters and titles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DialogKind {
    OpenProject,
    SaveProject,
    ImportFiles,
    ImportFolder,
    ExportTarget,
}

impl DialogKind {
    pub fn title(self) -> &'static str {
        match self {
            DialogKind::OpenProject => "Open project",
            DialogKind::SaveProject => "Save project as",
            DialogKind::ImportFiles => "Import documents",
            DialogKind::ImportFolder => "Import a folder",
            DialogKind::ExportTarget => "Export to",
        }
    }
}

pub trait FileDialogs {
    fn show(&mut self, kind: DialogKind, suggested_name: &str) -> DialogOutcome;
}

/// Real dialogs through rfd (the XDG desktop portal on Linux).
pub struct NativeDialogs;

/// A portal that is missing answers at once; a person takes longer than this to cancel.
const TOO_FAST_TO_BE_A_PERSON: Duration = Duration::from_millis(250);

impl FileDialogs for NativeDialogs {
    fn show(&mut self, kind: DialogKind, suggested_name: &str) -> DialogOutcome {
        let started = Instant::now();
        let dialog = rfd::FileDialog::new().set_title(kind.title());
        let picked: Option<Vec<PathBuf>> = match kind {
            DialogKind::OpenProject => dialog
                .add_filter("Marginalia project", &["ron"])
                .pick_file()
                .map(|p| vec![p]),
            DialogKind::SaveProject => dialog
                .add_filter("Marginalia project", &["ron"])
                .set_file_name(suggested_name)
                .save_file()
                .map(|p| vec![p]),
            DialogKind::ImportFiles => dialog
                .add_filter(
                    "Documents",
                    &[
                        "txt", "md", "markdown", "html", "htm", "eml", "mbox", "csv", "tsv",
                        "xlsx", "xls", "ods", "docx", "odt", "pdf",
                    ],
                )
                .add_filter("Annotations", &["ann", "conll", "iob", "jsonl", "json"])
                .add_filter("All files", &["*"])
                .pick_files(),
            DialogKind::ImportFolder => dialog.pick_folder().map(|p| vec![p]),
            DialogKind::ExportTarget => dialog
                .set_file_name(suggested_name)
                .save_file()
                .map(|p| vec![p]),
        };
        match picked {
            Some(paths) if !paths.is_empty() => DialogOutcome::Picked(paths),
            _ if started.elapsed() < TOO_FAST_TO_BE_A_PERSON => DialogOutcome::Unavailable,
            _ => DialogOutcome::Cancelled,
        }
    }
}

/// Scripted answers, for tests.
#[derive(Default)]
pub struct ScriptedDialogs {
    pub answers: Vec<DialogOutcome>,
    pub asked: Vec<DialogKind>,
}

impl FileDialogs for ScriptedDialogs {
    fn show(&mut self, kind: DialogKind, _suggested_name: &str) -> DialogOutcome {
        self.asked.push(kind);
        if self.answers.is_empty() {
            DialogOutcome::Cancelled
        } else {
            self.answers.remove(0)
        }
    }
}
