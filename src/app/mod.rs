//! The eframe window. Panels read the model and push `AppCommand`s while drawing; the app
//! runs them afterwards, turning them into `Edit`s applied through the undo history.

mod actions;
mod chrome;
mod column_choice;
mod commands;
mod curation;
mod dialogs;
mod document_view;
mod documents_panel;
mod entities_panel;
mod export_dialog;
mod graph_view;
mod inspector;
mod prompts;
mod schema_editor;
mod search_panel;
mod settings;
mod suggestions_panel;
mod theme;
mod widgets;

pub use crate::session::Session;
pub use column_choice::ColumnChoice;
pub use commands::{AppCommand, COMMANDS, MenuCommand};
pub use curation::CurationPanel;
pub use dialogs::{DialogKind, DialogOutcome, FileDialogs, NativeDialogs, ScriptedDialogs};
pub use document_view::{DocumentView, Selection, snap_to_tokens};
pub use entities_panel::EntitiesPanel;
pub use graph_view::{GraphSelection, GraphView};
pub use search_panel::SearchPanel;
pub use settings::Settings;

use crate::import::{ImportError, ImportFormat, ImportOptions};
use crate::model::DocumentId;
use crate::session::{Created, Op};
use column_choice::ColumnAnswer;
use commands::{menu_item, menu_item_enabled, pressed_shortcuts};
use documents_panel::DocumentsPanel;
use egui::{RichText, Ui, ViewportCommand};
use export_dialog::ExportDialog;
use inspector::Inspector;
use schema_editor::SchemaEditor;
use std::path::{Path, PathBuf};
use suggestions_panel::SuggestionsPanel;

/// Side panel widths (points): a stable default the user can drag between the bounds; egui
/// remembers the dragged width. Content wraps or scrolls inside, so it never pushes a panel
/// wider.
pub const RIGHT_PANEL_WIDTH: f32 = 330.0;
const RIGHT_PANEL_MIN: f32 = 260.0;
const RIGHT_PANEL_MAX: f32 = 560.0;
const LEFT_PANEL_WIDTH: f32 = 240.0;
const LEFT_PANEL_MIN: f32 = 170.0;
const LEFT_PANEL_MAX: f32 = 420.0;

/// Makes a side panel's content stay inside it: text wraps (also in rows of widgets) instead
/// of widening the panel.
fn contain(ui: &mut Ui) {
    ui.style_mut().wrap_mode = Some(egui::TextWrapMode::Wrap);
    ui.set_max_width(ui.available_width());
}

/// Where the main parts of the window were drawn last frame (for layout tests).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct FrameLayout {
    pub documents_panel: Option<egui::Rect>,
    pub right_panel: Option<egui::Rect>,
    pub status_bar: Option<egui::Rect>,
    /// The document's text column.
    pub text: Option<egui::Rect>,
}

/// The tabs of the right panel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RightTab {
    Inspector,
    Suggestions,
    Entities,
    Find,
}

impl RightTab {
    const ALL: [RightTab; 4] = [
        RightTab::Inspector,
        RightTab::Suggestions,
        RightTab::Entities,
        RightTab::Find,
    ];

    fn label(self) -> &'static str {
        match self {
            RightTab::Inspector => "Inspector",
            RightTab::Suggestions => "Suggestions",
            RightTab::Entities => "Entities",
            RightTab::Find => "Find",
        }
    }
}

/// What the central panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CentralView {
    Document,
    Graph,
    Curation,
}

/// Who the window stamps as the author of new annotations (and whose id block it uses).
#[derive(Debug, Clone, Default)]
pub enum AuthorFrom {
    /// Nobody: no stamps, ids from the project's shared counter (tests).
    #[default]
    Nobody,
    /// Always this author (tests).
    Fixed(crate::session::Author),
    /// The user's settings file, else `git config user.name` where the project is in a git
    /// work tree, else the OS user (resolved again for every project opened).
    Settings,
}

/// What to do once the user has answered the unsaved-changes question.
#[derive(Debug, Clone, PartialEq)]
pub enum PendingAction {
    NewProject,
    Open(Option<PathBuf>),
    Quit,
}

/// A modal question or notice.
#[derive(Debug, Clone, PartialEq)]
pub enum Prompt {
    UnsavedChanges(PendingAction),
    /// A file dialog could not be shown: ask for a typed path.
    TypePath {
        kind: DialogKind,
        text: String,
    },
    Error(String),
    /// Autosaved work newer than the project file was found when opening it.
    Recover {
        path: PathBuf,
        recovery: PathBuf,
    },
    /// The project file changed on disk since it was opened: overwrite it?
    ChangedOnDisk,
    /// A table to import has no column named text: which one is it?
    TextColumn(ColumnChoice),
}

pub struct MarginaliaApp {
    pub session: Session,
    pub settings: Settings,
    pub view: DocumentView,
    pub current_doc: Option<DocumentId>,
    pub prompt: Option<Prompt>,
    /// The last thing that happened, for the status bar.
    pub status: String,
    documents: DocumentsPanel,
    inspector: Inspector,
    schema_editor: SchemaEditor,
    pub suggestions: SuggestionsPanel,
    pub right_tab: RightTab,
    pub entities: EntitiesPanel,
    pub find: SearchPanel,
    pub graph: GraphView,
    pub central: CentralView,
    pub curation: CurationPanel,
    /// Where the author of this window's edits comes from.
    pub author_from: AuthorFrom,
    pub export_dialog: ExportDialog,
    pub layout: FrameLayout,
    dialogs: Box<dyn FileDialogs>,
    show_shortcuts: bool,
    show_about: bool,
    commands: Vec<AppCommand>,
    /// Set once the user agreed to close (so the next close request goes through).
    pub quit_confirmed: bool,
    was_focused: Option<bool>,
    last_title: String,
    /// The theme set on the context (set only when it changes: setting it repaints).
    applied_dark_mode: Option<bool>,
}

impl MarginaliaApp {
    pub fn new(
        session: Session,
        settings: Settings,
        dialogs: Box<dyn FileDialogs>,
    ) -> MarginaliaApp {
        let current_doc = session.project.documents.first().map(|d| d.id);
        MarginaliaApp {
            session,
            settings,
            view: DocumentView::default(),
            current_doc,
            prompt: None,
            status: String::new(),
            documents: DocumentsPanel::default(),
            inspector: Inspector::default(),
            schema_editor: SchemaEditor::default(),
            suggestions: SuggestionsPanel::default(),
            right_tab: RightTab::Inspector,
            entities: EntitiesPanel::default(),
            find: SearchPanel::default(),
            graph: GraphView::default(),
            central: CentralView::Document,
            curation: CurationPanel::default(),
            author_from: AuthorFrom::Nobody,
            export_dialog: ExportDialog::default(),
            layout: FrameLayout::default(),
            dialogs,
            show_shortcuts: false,
            show_about: false,
            commands: Vec::new(),
            quit_confirmed: false,
            was_focused: None,
            last_title: String::new(),
            applied_dark_mode: None,
        }
    }

    /// Opens `path` if it exists, starts a new project that will be saved there if it does not.
    pub fn with_project_path(
        path: Option<&Path>,
        settings: Settings,
        dialogs: Box<dyn FileDialogs>,
    ) -> MarginaliaApp {
        let mut app = MarginaliaApp::new(Session::new_project("Untitled"), settings, dialogs);
        if let Some(path) = path {
            if path.exists() {
                app.open_path(path);
            } else {
                let name = path
                    .file_stem()
                    .map_or("Untitled".into(), |s| s.to_string_lossy().into_owned());
                match Session::create(&name, path) {
                    Ok(session) => {
                        app.session = session;
                        app.bind_author();
                        app.status = format!("New project; it will be saved as {}", path.display());
                    }
                    Err(e) => {
                        app.prompt = Some(Prompt::Error(format!(
                            "Could not start a project at {}.\n\n{e}",
                            path.display()
                        )))
                    }
                }
            }
        }
        app
    }

    /// The same app with its author from `from` (bound to the open project at once).
    pub fn with_author_from(mut self, from: AuthorFrom) -> MarginaliaApp {
        self.author_from = from;
        self.bind_author();
        self
    }

    /// Draws one frame into `ui` and runs the commands it produced (what tests drive).
    pub fn ui_for_tests(&mut self, ui: &mut Ui) {
        self.draw(ui);
        self.run_commands(ui.ctx());
        self.autosave(ui.ctx());
        if let Some(warning) = crate::diag::take_warnings().pop() {
            self.status = format!("Warning: {warning}");
        }
    }

    /// Writes the recovery file after 30 s of unsaved work, and when the window loses focus.
    fn autosave(&mut self, ctx: &egui::Context) {
        let focused = ctx.input(|i| i.focused);
        let focus_lost = self.was_focused == Some(true) && !focused;
        self.was_focused = Some(focused);
        match self.session.autosave(focus_lost) {
            Ok(true) => self.status = "Autosaved to the recovery file".into(),
            Ok(false) => {}
            Err(e) => self.status = format!("Autosave failed: {e}"),
        }
        if self.session.is_dirty() {
            ctx.request_repaint_after(crate::session::AUTOSAVE_AFTER);
        }
    }

    pub fn push(&mut self, command: AppCommand) {
        self.commands.push(command);
    }

    pub fn current_document(&self) -> Option<&crate::model::Document> {
        self.current_doc
            .and_then(|id| self.session.project.document(id))
    }

    fn draw(&mut self, ui: &mut Ui) {
        let ctx = ui.ctx().clone();
        if self.applied_dark_mode != Some(self.settings.dark_mode) {
            ctx.options_mut(|o| o.zoom_with_keyboard = false);
            theme::apply(&ctx, self.settings.dark_mode);
            self.applied_dark_mode = Some(self.settings.dark_mode);
        }
        let mut commands = std::mem::take(&mut self.commands);
        commands.extend(pressed_shortcuts(&ctx));
        // Who had the keyboard as the frame began: a text field that loses it to Enter in
        // this frame still owns this frame's keys.
        self.view.keys_blocked = !DocumentView::owns_keyboard(&ctx);

        egui::Panel::top("menu_bar").show(ui, |ui| self.menu_bar(ui, &mut commands));
        let status_bar = egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar(ui));
        let project = &self.session.project;
        self.layout = FrameLayout {
            status_bar: Some(status_bar.response.rect),
            ..FrameLayout::default()
        };
        if self.settings.show_documents {
            let shown = egui::Panel::left("documents")
                .resizable(true)
                .default_size(LEFT_PANEL_WIDTH)
                .size_range(LEFT_PANEL_MIN..=LEFT_PANEL_MAX)
                .show(ui, |ui| {
                    contain(ui);
                    self.documents
                        .ui(ui, project, self.current_doc, &mut commands)
                });
            self.layout.documents_panel = Some(shown.response.rect);
        }
        let doc = self.current_doc.and_then(|id| project.document(id));
        let review = &mut self.session.review;
        self.suggestions.poll(review, project, &ctx);
        self.view.ghosts = self
            .suggestions
            .shown_for(review, project, self.current_doc);
        self.view.ghost_relations =
            self.suggestions
                .relations_shown_for(review, project, self.current_doc);
        if self
            .view
            .focused_ghost
            .is_some_and(|i| i >= self.view.ghosts.len())
        {
            self.view.focused_ghost = self.view.ghosts.len().checked_sub(1);
        }
        if self.settings.show_inspector {
            let shown = egui::Panel::right("inspector")
                .resizable(true)
                .default_size(RIGHT_PANEL_WIDTH)
                .size_range(RIGHT_PANEL_MIN..=RIGHT_PANEL_MAX)
                .show(ui, |ui| {
                    contain(ui);
                    ui.horizontal_wrapped(|ui| {
                        for tab in RightTab::ALL {
                            ui.selectable_value(&mut self.right_tab, tab, tab.label());
                        }
                    });
                    ui.separator();
                    match self.right_tab {
                        RightTab::Inspector => {
                            egui::ScrollArea::vertical().show(ui, |ui| {
                                if let Some(selection) = self.inspector.ui(
                                    ui,
                                    project,
                                    doc,
                                    self.view.selection,
                                    &mut commands,
                                ) {
                                    self.view.selection = selection;
                                }
                            });
                        }
                        RightTab::Suggestions => self.suggestions.ui(
                            ui,
                            review,
                            project,
                            self.current_doc,
                            &mut self.view.focused_ghost,
                            &mut commands,
                        ),
                        RightTab::Entities => self.entities.ui(ui, project, &mut commands),
                        RightTab::Find => self.find.ui(ui, project, &mut commands),
                    }
                });
            self.layout.right_panel = Some(shown.response.rect);
        }
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.selectable_value(&mut self.central, CentralView::Document, "Document");
                ui.selectable_value(&mut self.central, CentralView::Graph, "Graph");
                ui.selectable_value(&mut self.central, CentralView::Curation, "Curation");
            });
            if self.central == CentralView::Graph {
                self.graph.ui(ui, project, &mut commands);
                return;
            }
            if self.central == CentralView::Curation {
                self.curation
                    .ui(ui, project, self.current_doc, &mut commands);
                return;
            }
            match doc {
                Some(doc) => {
                    // The title wraps: a long one must never widen the text column.
                    ui.add(egui::Label::new(RichText::new(&doc.title).heading()).wrap());
                    if self.view.relation_source.is_some() {
                        ui.label(
                            RichText::new("Relation: click the target span (Esc cancels)")
                                .color(ui.visuals().warn_fg_color),
                        );
                    }
                    ui.separator();
                    self.view
                        .ui(ui, project, doc, self.settings.font_size, &mut commands);
                    self.layout.text = self.view.text_column;
                }
                None => empty_state_ui(ui, &mut commands),
            }
        });
        self.schema_editor.show(&ctx, project, &mut commands);
        self.export_dialog.show(
            &ctx,
            project,
            self.session.path.as_ref(),
            self.current_doc,
            self.dialogs.as_mut(),
        );
        self.windows_ui(&ctx);
        self.prompt_ui(&ctx, &mut commands);

        // Document navigation with the arrow keys when no text field has the keyboard.
        if !self.view.keys_blocked && DocumentView::owns_keyboard(&ctx) && self.prompt.is_none() {
            ctx.input(|i| {
                if i.key_pressed(egui::Key::ArrowUp) {
                    commands.push(AppCommand::PreviousDocument);
                }
                if i.key_pressed(egui::Key::ArrowDown) {
                    commands.push(AppCommand::NextDocument);
                }
            });
        }
        let dropped: Vec<PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if !dropped.is_empty() {
            match dropped.as_slice() {
                [one] if one.extension().is_some_and(|e| e == "ron") => {
                    commands.push(AppCommand::OpenRecent(one.clone()))
                }
                _ => commands.push(AppCommand::ImportPaths(dropped)),
            }
        }
        self.commands = commands;
    }
}

fn empty_state_ui(ui: &mut Ui, commands: &mut Vec<AppCommand>) {
    ui.vertical_centered(|ui| {
        ui.add_space(ui.available_height() * 0.3);
        ui.heading("No document open");
        ui.label(
            "Import articles (text, Markdown, HTML) or drop files and folders on this window.",
        );
        ui.add_space(8.0);
        if ui.button("Import Documents…").clicked() {
            commands.push(AppCommand::ImportDocuments);
        }
        if ui.button("Open Project…").clicked() {
            commands.push(AppCommand::OpenProject);
        }
    });
}

impl eframe::App for MarginaliaApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        if ctx.input(|i| i.viewport().close_requested())
            && !self.quit_confirmed
            && self.session.is_dirty()
        {
            ctx.send_viewport_cmd(ViewportCommand::CancelClose);
            self.prompt = Some(Prompt::UnsavedChanges(PendingAction::Quit));
        }
        self.ui_for_tests(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, settings::STORAGE_KEY, &self.settings);
    }
}

/// Opens the window (on `project` if given).
pub fn run(project: Option<PathBuf>) -> anyhow::Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Marginalia")
            .with_inner_size([1400.0, 900.0])
            .with_min_inner_size([800.0, 500.0])
            .with_drag_and_drop(true),
        ..Default::default()
    };
    eframe::run_native(
        "Marginalia",
        options,
        Box::new(move |cc| {
            let settings: Settings = cc
                .storage
                .and_then(|s| eframe::get_value(s, settings::STORAGE_KEY))
                .unwrap_or_default();
            Ok(Box::new(
                MarginaliaApp::with_project_path(
                    project.as_deref(),
                    settings,
                    Box::new(NativeDialogs),
                )
                .with_author_from(AuthorFrom::Settings),
            ))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
