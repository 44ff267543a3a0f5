//! The eframe window. Panels read the model and push `AppCommand`s while drawing; the app
//! runs them afterwards, turning them into `Edit`s applied through the undo history.

mod commands;
mod dialogs;
mod document_view;
mod documents_panel;
mod entities_panel;
mod export_dialog;
mod graph_view;
mod inspector;
mod schema_editor;
mod search_panel;
mod settings;
mod suggestions_panel;
mod theme;
mod workspace;

pub use commands::{AppCommand, COMMANDS, MenuCommand};
pub use dialogs::{DialogKind, DialogOutcome, FileDialogs, NativeDialogs, ScriptedDialogs};
pub use document_view::{DocumentView, Selection, snap_to_tokens};
pub use entities_panel::EntitiesPanel;
pub use graph_view::{GraphSelection, GraphView};
pub use search_panel::SearchPanel;
pub use settings::Settings;
pub use workspace::Workspace;

use crate::edit::{Edit, Transaction, remove_span_with_relations};
use crate::import::{ImportFormat, plan_import};
use crate::model::{DocumentId, Entity, Origin, Relation, Span};
use commands::{menu_item, menu_item_enabled, pressed_shortcuts};
use documents_panel::DocumentsPanel;
use egui::{RichText, Ui, ViewportCommand};
use export_dialog::ExportDialog;
use inspector::Inspector;
use schema_editor::SchemaEditor;
use std::path::{Path, PathBuf};
use suggestions_panel::SuggestionsPanel;

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
}

pub struct MarginaliaApp {
    pub workspace: Workspace,
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
    pub export_dialog: ExportDialog,
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
        workspace: Workspace,
        settings: Settings,
        dialogs: Box<dyn FileDialogs>,
    ) -> MarginaliaApp {
        let current_doc = workspace.project.documents.first().map(|d| d.id);
        MarginaliaApp {
            workspace,
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
            export_dialog: ExportDialog::default(),
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
        let mut app = MarginaliaApp::new(Workspace::new_project("Untitled"), settings, dialogs);
        if let Some(path) = path {
            if path.exists() {
                app.open_path(path);
            } else {
                let name = path
                    .file_stem()
                    .map_or("Untitled".into(), |s| s.to_string_lossy().into_owned());
                app.workspace = Workspace::new_project(&name);
                app.workspace.path = Some(path.to_path_buf());
                app.status = format!("New project; it will be saved as {}", path.display());
            }
        }
        app
    }

    /// Draws one frame into `ui` and runs the commands it produced (what tests drive).
    pub fn ui_for_tests(&mut self, ui: &mut Ui) {
        self.draw(ui);
        self.run_commands(ui.ctx());
        self.autosave(ui.ctx());
    }

    /// Writes the recovery file after 30 s of unsaved work, and when the window loses focus.
    fn autosave(&mut self, ctx: &egui::Context) {
        let focused = ctx.input(|i| i.focused);
        let focus_lost = self.was_focused == Some(true) && !focused;
        self.was_focused = Some(focused);
        match self.workspace.autosave(focus_lost) {
            Ok(true) => self.status = "Autosaved to the recovery file".into(),
            Ok(false) => {}
            Err(e) => self.status = format!("Autosave failed: {e}"),
        }
        if self.workspace.is_dirty() {
            ctx.request_repaint_after(workspace::AUTOSAVE_AFTER);
        }
    }

    pub fn push(&mut self, command: AppCommand) {
        self.commands.push(command);
    }

    pub fn current_document(&self) -> Option<&crate::model::Document> {
        self.current_doc
            .and_then(|id| self.workspace.project.document(id))
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

        egui::Panel::top("menu_bar").show(ui, |ui| self.menu_bar(ui, &mut commands));
        egui::Panel::bottom("status_bar").show(ui, |ui| self.status_bar(ui));
        let project = &self.workspace.project;
        if self.settings.show_documents {
            egui::Panel::left("documents")
                .resizable(true)
                .default_size(260.0)
                .size_range(180.0..=420.0)
                .show(ui, |ui| {
                    self.documents
                        .ui(ui, project, self.current_doc, &mut commands)
                });
        }
        let doc = self.current_doc.and_then(|id| project.document(id));
        self.suggestions.poll(project, &ctx);
        self.view.ghosts = self.suggestions.shown_for(project, self.current_doc);
        self.view.ghost_relations = self
            .suggestions
            .relations_shown_for(project, self.current_doc);
        if self
            .view
            .focused_ghost
            .is_some_and(|i| i >= self.view.ghosts.len())
        {
            self.view.focused_ghost = self.view.ghosts.len().checked_sub(1);
        }
        if self.settings.show_inspector {
            egui::Panel::right("inspector")
                .resizable(true)
                .default_size(300.0)
                .size_range(240.0..=460.0)
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
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
                            project,
                            self.current_doc,
                            &mut self.view.focused_ghost,
                            &mut commands,
                        ),
                        RightTab::Entities => self.entities.ui(ui, project, &mut commands),
                        RightTab::Find => self.find.ui(ui, project, &mut commands),
                    }
                });
        }
        egui::CentralPanel::default().show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.selectable_value(&mut self.central, CentralView::Document, "Document");
                ui.selectable_value(&mut self.central, CentralView::Graph, "Graph");
            });
            if self.central == CentralView::Graph {
                self.graph.ui(ui, project, &mut commands);
                return;
            }
            match doc {
                Some(doc) => {
                    ui.horizontal(|ui| {
                        ui.heading(&doc.title);
                        if self.view.relation_source.is_some() {
                            ui.label(
                                RichText::new("Relation: click the target span (Esc cancels)")
                                    .color(ui.visuals().warn_fg_color),
                            );
                        }
                    });
                    ui.separator();
                    self.view
                        .ui(ui, project, doc, self.settings.font_size, &mut commands);
                }
                None => empty_state_ui(ui, &mut commands),
            }
        });
        self.schema_editor.show(&ctx, project, &mut commands);
        self.export_dialog.show(
            &ctx,
            project,
            self.workspace.path.as_ref(),
            self.current_doc,
            self.dialogs.as_mut(),
        );
        self.windows_ui(&ctx);
        self.prompt_ui(&ctx, &mut commands);

        // Document navigation with the arrow keys when no text field has the keyboard.
        if !ctx.egui_wants_keyboard_input() && self.prompt.is_none() {
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

    fn menu_bar(&mut self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                menu_item(ui, MenuCommand::New, commands);
                menu_item(ui, MenuCommand::Open, commands);
                ui.menu_button("Open Recent", |ui| {
                    if self.settings.recent_projects.is_empty() {
                        ui.label(RichText::new("No recent projects").weak());
                    }
                    for path in &self.settings.recent_projects {
                        if ui.button(path.display().to_string()).clicked() {
                            commands.push(AppCommand::OpenRecent(path.clone()));
                            ui.close();
                        }
                    }
                });
                ui.separator();
                menu_item(ui, MenuCommand::Save, commands);
                menu_item(ui, MenuCommand::SaveAs, commands);
                ui.separator();
                menu_item(ui, MenuCommand::Import, commands);
                menu_item(ui, MenuCommand::Export, commands);
                ui.separator();
                menu_item(ui, MenuCommand::Quit, commands);
            });
            ui.menu_button("Edit", |ui| {
                let history = &self.workspace.history;
                menu_item_enabled(
                    ui,
                    MenuCommand::Undo,
                    history.undo_label().is_some(),
                    commands,
                );
                menu_item_enabled(
                    ui,
                    MenuCommand::Redo,
                    history.redo_label().is_some(),
                    commands,
                );
                ui.separator();
                menu_item(ui, MenuCommand::Find, commands);
            });
            ui.menu_button("View", |ui| {
                let mut toggle = |ui: &mut Ui, on: bool, command: MenuCommand| {
                    let spec = commands::spec(command);
                    if ui
                        .checkbox(&mut on.clone(), spec.label)
                        .on_hover_text(spec.tooltip)
                        .clicked()
                    {
                        commands.push(command.to_app_command());
                    }
                };
                toggle(
                    ui,
                    self.settings.show_documents,
                    MenuCommand::ToggleDocuments,
                );
                toggle(
                    ui,
                    self.settings.show_inspector,
                    MenuCommand::ToggleInspector,
                );
                toggle(ui, self.settings.dark_mode, MenuCommand::ToggleTheme);
                ui.separator();
                menu_item(ui, MenuCommand::ZoomIn, commands);
                menu_item(ui, MenuCommand::ZoomOut, commands);
                ui.separator();
                menu_item(ui, MenuCommand::SchemaEditor, commands);
            });
            ui.menu_button("Help", |ui| {
                menu_item(ui, MenuCommand::Shortcuts, commands);
                menu_item(ui, MenuCommand::About, commands);
            });
        });
    }

    fn status_bar(&self, ui: &mut Ui) {
        let project = &self.workspace.project;
        ui.horizontal(|ui| {
            if let Some(doc) = self.current_document() {
                let position = project.document_index(doc.id).map_or(0, |i| i + 1);
                ui.label(format!(
                    "Document {position} of {}",
                    project.documents.len()
                ));
                ui.separator();
                ui.label(format!(
                    "{} spans · {} relations here",
                    doc.spans.len(),
                    doc.relations.len()
                ));
                ui.separator();
            }
            ui.label(format!(
                "Project: {} documents · {} spans · {} relations · {} entities",
                project.documents.len(),
                project.span_count(),
                project.relation_count(),
                project.entities.len()
            ));
            ui.separator();
            let ws = &self.workspace;
            let saved = match (ws.is_dirty(), ws.last_saved, ws.last_autosave) {
                (true, _, Some(a)) => format!("unsaved changes (autosaved {})", clock(a)),
                (true, _, None) => "unsaved changes".to_string(),
                (false, Some(t), _) => format!("saved {}", clock(t)),
                (false, None, _) => "no changes".to_string(),
            };
            ui.label(saved);
            if let Some((done, total)) = self.suggestions.progress() {
                ui.separator();
                ui.add(
                    egui::ProgressBar::new(done as f32 / total.max(1) as f32)
                        .desired_width(120.0)
                        .text(format!("suggesting {done}/{total}")),
                );
            }
            if !self.status.is_empty() {
                ui.separator();
                ui.label(RichText::new(&self.status).weak());
            }
        });
    }

    fn windows_ui(&mut self, ctx: &egui::Context) {
        let mut open = self.show_shortcuts;
        egui::Window::new("Keyboard shortcuts")
            .open(&mut open)
            .resizable(false)
            .show(ctx, |ui| {
                egui::Grid::new("shortcuts")
                    .striped(true)
                    .num_columns(2)
                    .show(ui, |ui| {
                        for c in COMMANDS {
                            if let Some(s) = c.shortcut {
                                ui.label(RichText::new(ctx.format_shortcut(&s)).monospace());
                                ui.label(c.label);
                                ui.end_row();
                            }
                        }
                        for (key, what) in commands::VIEW_KEYS {
                            ui.label(RichText::new(*key).monospace());
                            ui.label(*what);
                            ui.end_row();
                        }
                    });
            });
        self.show_shortcuts = open;
        let mut open = self.show_about;
        egui::Window::new("About Marginalia")
            .open(&mut open)
            .resizable(false)
            .show(ctx, |ui| {
                ui.heading(format!("Marginalia {}", env!("CARGO_PKG_VERSION")));
                ui.label(
                    "A native workbench for annotating entities and relations in news and reports.",
                );
                ui.label("Offline. Your project is one RON file you own.");
                ui.label(env!("CARGO_PKG_LICENSE"));
            });
        self.show_about = open;
    }

    fn prompt_ui(&mut self, ctx: &egui::Context, commands: &mut Vec<AppCommand>) {
        // Taken out while shown: an answer may put up the next prompt (an error, a path).
        let Some(mut prompt) = self.prompt.take() else {
            return;
        };
        let mut answered = false;
        egui::Modal::new(egui::Id::unique("prompt")).show(ctx, |ui| {
            ui.set_max_width(460.0);
            match &mut prompt {
                Prompt::UnsavedChanges(action) => {
                    ui.heading("Unsaved changes");
                    ui.label(format!(
                        "“{}” has changes that are not saved. Save them first?",
                        self.workspace.project.name
                    ));
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        if ui.button("Save").clicked() {
                            answered = true;
                            if self.save() {
                                self.continue_with(action.clone(), ctx);
                            }
                        }
                        if ui.button("Discard").clicked() {
                            answered = true;
                            self.continue_with(action.clone(), ctx);
                        }
                        if ui.button("Cancel").clicked() {
                            answered = true;
                        }
                    });
                }
                Prompt::TypePath { kind, text } => {
                    ui.heading(kind.title());
                    ui.label("No file dialog is available on this desktop. Type a path instead:");
                    let label = ui.label("Path");
                    let response = ui
                        .add(egui::TextEdit::singleline(text).desired_width(420.0))
                        .labelled_by(label.id);
                    let enter =
                        response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
                    ui.horizontal(|ui| {
                        if ui.button("OK").clicked() || enter {
                            answered = true;
                            if !text.trim().is_empty() {
                                self.dialog_answered(
                                    *kind,
                                    vec![PathBuf::from(text.trim())],
                                    commands,
                                );
                            }
                        }
                        if ui.button("Cancel").clicked() {
                            answered = true;
                        }
                    });
                }
                Prompt::Recover { path, recovery } => {
                    ui.heading("Recover unsaved work?");
                    ui.label(format!(
                        "Marginalia autosaved changes to {} that were never saved. Restore them?",
                        path.display()
                    ));
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        if ui.button("Restore unsaved work").clicked() {
                            answered = true;
                            match Workspace::restore(path, recovery) {
                                Ok(ws) => {
                                    self.set_workspace(ws);
                                    self.status = "Restored autosaved work (not saved yet)".into();
                                }
                                Err(e) => self.prompt = Some(Prompt::Error(format!("Could not restore.\n\n{e}"))),
                            }
                        }
                        if ui.button("Keep the saved version").on_hover_text("The autosaved changes are deleted").clicked() {
                            answered = true;
                            let _ = crate::store::remove_recovery(path);
                        }
                    });
                }
                Prompt::ChangedOnDisk => {
                    ui.heading("The file changed on disk");
                    ui.label("Another program changed the project file since you opened it. Overwrite it with your version?");
                    ui.add_space(8.0);
                    ui.horizontal(|ui| {
                        if ui.button("Overwrite").clicked() {
                            answered = true;
                            if let Some(path) = self.workspace.path.clone() {
                                self.save_to(&path);
                            }
                        }
                        if ui.button("Save As…").clicked() {
                            answered = true;
                            commands.push(AppCommand::SaveAs);
                        }
                        if ui.button("Cancel").clicked() {
                            answered = true;
                        }
                    });
                }
                Prompt::Error(message) => {
                    ui.heading("Something went wrong");
                    ui.label(message.as_str());
                    ui.add_space(8.0);
                    if ui.button("OK").clicked() {
                        answered = true;
                    }
                }
            }
        });
        if !answered && self.prompt.is_none() {
            self.prompt = Some(prompt);
        }
    }

    fn run_commands(&mut self, ctx: &egui::Context) {
        let commands = std::mem::take(&mut self.commands);
        if !commands.is_empty() {
            // What a command changed is drawn on the next frame.
            ctx.request_repaint();
        }
        for command in commands {
            self.run(command, ctx);
        }
        // A removed (or undone) document cannot stay open.
        if self
            .current_doc
            .is_some_and(|id| self.workspace.project.document(id).is_none())
        {
            self.current_doc = self.workspace.project.documents.first().map(|d| d.id);
            self.view.reset();
        }
        let title = self.workspace.title();
        if title != self.last_title {
            ctx.send_viewport_cmd(ViewportCommand::Title(title.clone()));
            self.last_title = title;
        }
    }

    fn run(&mut self, command: AppCommand, ctx: &egui::Context) {
        match command {
            AppCommand::NewProject => self.guarded(PendingAction::NewProject, ctx),
            AppCommand::OpenProject => self.guarded(PendingAction::Open(None), ctx),
            AppCommand::OpenRecent(path) => self.guarded(PendingAction::Open(Some(path)), ctx),
            AppCommand::Save => {
                self.save();
            }
            AppCommand::SaveAs => self.ask_dialog(DialogKind::SaveProject),
            AppCommand::ImportDocuments => self.ask_dialog(DialogKind::ImportFiles),
            AppCommand::ImportPaths(paths) => self.import(&paths),
            AppCommand::Export => {
                self.export_dialog.open = true;
                self.export_dialog.message = None;
            }
            AppCommand::Quit => self.guarded(PendingAction::Quit, ctx),
            AppCommand::Undo => match self.workspace.undo() {
                Ok(Some(label)) => self.status = format!("Undid {label}"),
                Ok(None) => self.status = "Nothing to undo".into(),
                Err(e) => self.status = format!("Cannot undo: {e}"),
            },
            AppCommand::Redo => match self.workspace.redo() {
                Ok(Some(label)) => self.status = format!("Redid {label}"),
                Ok(None) => self.status = "Nothing to redo".into(),
                Err(e) => self.status = format!("Cannot redo: {e}"),
            },
            AppCommand::Find => {
                self.settings.show_inspector = true;
                self.right_tab = RightTab::Find;
                self.find.focus_requested = true;
            }
            AppCommand::ShowShortcuts => self.show_shortcuts = true,
            AppCommand::ShowAbout => self.show_about = true,
            AppCommand::ShowSchemaEditor => self.schema_editor.open = true,
            AppCommand::ToggleDocuments => self.settings.show_documents ^= true,
            AppCommand::ToggleInspector => self.settings.show_inspector ^= true,
            AppCommand::ToggleTheme => self.settings.dark_mode ^= true,
            AppCommand::ZoomIn => self.settings.zoom(1.0),
            AppCommand::ZoomOut => self.settings.zoom(-1.0),
            AppCommand::PreviousDocument => self.step_document(-1),
            AppCommand::NextDocument => self.step_document(1),
            AppCommand::SelectDocument(id) => self.select_document(id),
            AppCommand::JumpTo { doc, start, end } => self.jump_to(doc, start, end),
            AppCommand::Apply(tx) => {
                self.apply(tx);
            }
            AppCommand::CreateSpan {
                doc,
                start,
                end,
                entity_type,
            } => {
                let id = self.workspace.project.new_span_id();
                let mut span = Span::new(id, start, end, &entity_type);
                // A mention of a known entity links to it at once.
                let project = &self.workspace.project;
                span.entity = project.document(doc).and_then(|d| {
                    crate::kb::find_entity(project, d.slice(start, end), &entity_type)
                });
                let tx =
                    Transaction::single(format!("tag {entity_type}"), Edit::AddSpan { doc, span });
                if self.apply(tx) {
                    self.view.selection = Selection::Span(id);
                }
            }
            AppCommand::RetypeSpan {
                doc,
                span,
                entity_type,
            } => {
                self.apply(Transaction::single(
                    format!("retype as {entity_type}"),
                    Edit::SetSpanType {
                        doc,
                        span,
                        entity_type,
                    },
                ));
            }
            AppCommand::DeleteSpan { doc, span } => {
                if let Some(d) = self.workspace.project.document(doc) {
                    let tx = Transaction {
                        label: "delete span".into(),
                        edits: remove_span_with_relations(d, span),
                    };
                    if self.apply(tx) {
                        self.view.selection = Selection::None;
                    }
                }
            }
            AppCommand::CreateRelation {
                doc,
                source,
                target,
                relation_type,
            } => {
                let id = self.workspace.project.new_relation_id();
                let relation = Relation {
                    id,
                    relation_type: relation_type.clone().into(),
                    source,
                    target,
                    origin: Origin::Manual,
                    note: String::new(),
                };
                if self.apply(Transaction::single(
                    format!("relate {relation_type}"),
                    Edit::AddRelation { doc, relation },
                )) {
                    self.view.selection = Selection::Relation(id);
                    self.view.relation_source = None;
                }
            }
            AppCommand::DeleteRelation { doc, relation } => {
                if self.apply(Transaction::single(
                    "delete relation",
                    Edit::RemoveRelation { doc, relation },
                )) && self.view.selection == Selection::Relation(relation)
                {
                    self.view.selection = Selection::None;
                }
            }
            AppCommand::AcceptSuggestions(list) => {
                let tx = crate::suggest::accept_transaction(&mut self.workspace.project, &list);
                if tx.is_empty() {
                    self.status = "Already accepted".into();
                } else {
                    self.apply(tx);
                }
            }
            AppCommand::RejectSuggestions(list) => {
                self.apply(crate::suggest::reject_transaction(&list));
            }
            AppCommand::AcceptRelationSuggestions(list) => {
                let tx =
                    crate::suggest::accept_all_transaction(&mut self.workspace.project, &[], &list);
                self.apply(tx);
            }
            AppCommand::RejectRelationSuggestions(list) => {
                self.apply(crate::suggest::reject_relations_transaction(&list));
            }
            AppCommand::CreateEntityFromSpan { doc, span } => {
                let project = &self.workspace.project;
                let Some((name, ty)) = project.document(doc).and_then(|d| {
                    d.span(span)
                        .map(|s| (d.span_text(s).trim().to_string(), s.entity_type.clone()))
                }) else {
                    return;
                };
                let id = self.workspace.project.new_entity_id();
                let mut tx = Transaction::new("new entity");
                tx.push(Edit::AddEntity(Entity {
                    id,
                    name,
                    entity_type: ty.to_string(),
                    aliases: Vec::new(),
                    note: String::new(),
                }));
                tx.push(Edit::LinkSpan {
                    doc,
                    span,
                    entity: Some(id),
                });
                self.apply(tx);
            }
        }
    }

    /// Applies a transaction through the history; reports a refusal in the status bar.
    fn apply(&mut self, tx: Transaction) -> bool {
        let label = tx.label.clone();
        match self.workspace.apply(tx) {
            Ok(()) => {
                self.status = capitalise(&label);
                true
            }
            Err(e) => {
                self.status = format!("Could not {label}: {e}");
                false
            }
        }
    }

    /// Runs an action that would drop the project, asking first when there are unsaved changes.
    fn guarded(&mut self, action: PendingAction, ctx: &egui::Context) {
        if self.workspace.is_dirty() {
            self.prompt = Some(Prompt::UnsavedChanges(action));
        } else {
            self.continue_with(action, ctx);
        }
    }

    fn continue_with(&mut self, action: PendingAction, ctx: &egui::Context) {
        match action {
            PendingAction::NewProject => {
                self.workspace = Workspace::new_project("Untitled");
                self.current_doc = None;
                self.view.reset();
                self.status = "New project".into();
            }
            PendingAction::Open(Some(path)) => self.open_path(&path),
            PendingAction::Open(None) => self.ask_dialog(DialogKind::OpenProject),
            PendingAction::Quit => {
                self.quit_confirmed = true;
                ctx.send_viewport_cmd(ViewportCommand::Close);
            }
        }
    }

    fn ask_dialog(&mut self, kind: DialogKind) {
        let suggested = format!("{}.ron", self.workspace.project.name);
        let mut commands = Vec::new();
        match self.dialogs.show(kind, &suggested) {
            DialogOutcome::Picked(paths) => self.dialog_answered(kind, paths, &mut commands),
            DialogOutcome::Cancelled => {}
            DialogOutcome::Unavailable => {
                self.status = "No file dialog available on this desktop: type the path".into();
                self.prompt = Some(Prompt::TypePath {
                    kind,
                    text: String::new(),
                });
            }
        }
        self.commands.extend(commands);
    }

    fn dialog_answered(
        &mut self,
        kind: DialogKind,
        paths: Vec<PathBuf>,
        _commands: &mut Vec<AppCommand>,
    ) {
        let Some(first) = paths.first().cloned() else {
            return;
        };
        match kind {
            DialogKind::OpenProject => self.open_path(&first),
            DialogKind::SaveProject => {
                let path = if first.extension().is_none() {
                    first.with_extension("ron")
                } else {
                    first
                };
                self.save_to(&path);
            }
            DialogKind::ImportFiles | DialogKind::ImportFolder => self.import(&paths),
            DialogKind::ExportTarget => self.export_dialog.target = first.display().to_string(),
        }
    }

    pub fn open_path(&mut self, path: &Path) {
        match Workspace::open(path) {
            Ok(ws) => {
                self.set_workspace(ws);
                self.settings.remember_project(path);
                self.status = format!("Opened {}", path.display());
                if let Some(recovery) = crate::store::newer_recovery(path) {
                    self.prompt = Some(Prompt::Recover {
                        path: path.to_path_buf(),
                        recovery,
                    });
                }
            }
            Err(e) => {
                self.prompt = Some(Prompt::Error(format!("Could not open the project.\n\n{e}")))
            }
        }
    }

    /// Saves to the known path, or asks for one. Returns true when the project is saved.
    fn set_workspace(&mut self, ws: Workspace) {
        self.workspace = ws;
        self.current_doc = self.workspace.project.documents.first().map(|d| d.id);
        self.view.reset();
    }

    /// Saves to the known path, or asks for one. Returns true when the project is saved.
    /// A file changed on disk by someone else is not overwritten without asking.
    fn save(&mut self) -> bool {
        match self.workspace.path.clone() {
            Some(_) if self.workspace.changed_on_disk() => {
                self.prompt = Some(Prompt::ChangedOnDisk);
                false
            }
            Some(path) => self.save_to(&path),
            None => {
                self.ask_dialog(DialogKind::SaveProject);
                !self.workspace.is_dirty()
            }
        }
    }

    fn save_to(&mut self, path: &Path) -> bool {
        match self.workspace.save_to(path) {
            Ok(()) => {
                self.settings.remember_project(path);
                self.status = format!("Saved {}", path.display());
                true
            }
            Err(e) => {
                self.prompt = Some(Prompt::Error(format!(
                    "Could not save; nothing was overwritten.\n\n{e}"
                )));
                false
            }
        }
    }

    fn import(&mut self, paths: &[PathBuf]) {
        let project = &mut self.workspace.project;
        match plan_import(project, paths, ImportFormat::Auto) {
            Ok((tx, report)) => {
                let first_new = tx.edits.iter().find_map(|e| match e {
                    Edit::InsertDocument { document, .. } => Some(document.id),
                    _ => None,
                });
                if !tx.is_empty() && !self.apply(tx) {
                    return;
                }
                self.status = report.summary();
                if let Some(id) = first_new {
                    self.select_document(id);
                }
            }
            Err(e) => self.prompt = Some(Prompt::Error(format!("Nothing was imported.\n\n{e}"))),
        }
    }

    fn select_document(&mut self, id: DocumentId) {
        if self.current_doc != Some(id) {
            self.current_doc = Some(id);
            self.view.reset();
        }
    }

    fn jump_to(&mut self, doc: DocumentId, start: usize, end: usize) {
        let Some(d) = self.workspace.project.document(doc) else {
            return;
        };
        let span = d
            .spans
            .iter()
            .find(|s| s.start == start && s.end == end)
            .map(|s| s.id);
        self.select_document(doc);
        self.central = CentralView::Document;
        self.view.scroll_to = Some(start);
        self.view.selection = match span {
            Some(id) => Selection::Span(id),
            None => Selection::Range { start, end },
        };
    }

    fn step_document(&mut self, delta: isize) {
        let docs = &self.workspace.project.documents;
        if docs.is_empty() {
            return;
        }
        let index = self
            .current_doc
            .and_then(|id| docs.iter().position(|d| d.id == id))
            .unwrap_or(0) as isize;
        let next = (index + delta).clamp(0, docs.len() as isize - 1) as usize;
        let id = docs[next].id;
        self.select_document(id);
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or(String::new(), |f| f.to_uppercase().chain(c).collect())
}

fn clock(t: std::time::SystemTime) -> String {
    let secs = t
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    format!(
        "{:02}:{:02}:{:02} UTC",
        (secs / 3600) % 24,
        (secs / 60) % 60,
        secs % 60
    )
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
            && self.workspace.is_dirty()
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
            Ok(Box::new(MarginaliaApp::with_project_path(
                project.as_deref(),
                settings,
                Box::new(NativeDialogs),
            )))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}
