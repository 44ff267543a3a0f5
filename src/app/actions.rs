//! What the app does with a command after drawing: annotation operations go to the session
//! (the core); files, dialogs and navigation are handled here.

use super::*;

impl MarginaliaApp {
    pub(super) fn run_commands(&mut self, ctx: &egui::Context) {
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
            .is_some_and(|id| self.session.project.document(id).is_none())
        {
            self.current_doc = self.session.project.documents.first().map(|d| d.id);
            self.view.reset();
        }
        let title = self.session.title();
        if title != self.last_title {
            ctx.send_viewport_cmd(ViewportCommand::Title(title.clone()));
            self.last_title = title;
        }
    }

    pub(super) fn run(&mut self, command: AppCommand, ctx: &egui::Context) {
        match command {
            AppCommand::NewProject => self.guarded(PendingAction::NewProject, ctx),
            AppCommand::OpenProject => self.guarded(PendingAction::Open(None), ctx),
            AppCommand::OpenRecent(path) => self.guarded(PendingAction::Open(Some(path)), ctx),
            AppCommand::Save => {
                self.save();
            }
            AppCommand::SaveAs => self.ask_dialog(DialogKind::SaveProject),
            AppCommand::ImportDocuments => self.ask_dialog(DialogKind::ImportFiles),
            AppCommand::ImportPaths(paths) => self.import(&paths, ImportOptions::default()),
            AppCommand::Export => {
                self.export_dialog.open = true;
                self.export_dialog.message = None;
            }
            AppCommand::Quit => self.guarded(PendingAction::Quit, ctx),
            AppCommand::Undo => match self.session.undo() {
                Ok(Some(label)) => self.status = format!("Undid {label}"),
                Ok(None) => self.status = "Nothing to undo".into(),
                Err(e) => self.status = format!("Cannot undo: {e}"),
            },
            AppCommand::Redo => match self.session.redo() {
                Ok(Some(label)) => self.status = format!("Redid {label}"),
                Ok(None) => self.status = "Nothing to redo".into(),
                Err(e) => self.status = format!("Cannot redo: {e}"),
            },
            AppCommand::Find => {
                self.settings.show_inspector = true;
                self.right_tab = RightTab::Find;
                self.find.focus_requested = true;
            }
            AppCommand::ShowShortcuts => self.show_shortcuts ^= true,
            AppCommand::ShowAbout => self.show_about = true,
            AppCommand::ShowSchemaEditor => self.schema_editor.open = true,
            AppCommand::ShowCuration => self.central = CentralView::Curation,
            AppCommand::AddCurationVersion(source) => {
                self.central = CentralView::Curation;
                self.status = self
                    .curation
                    .add_version(&source, self.session.path.as_deref());
            }
            AppCommand::ListCurationRevisions => {
                self.status = self.curation.list_revisions(self.session.path.as_deref());
            }
            AppCommand::RemoveCurationVersion(i) => self.curation.remove_version(i),
            AppCommand::ToggleDocuments => self.settings.show_documents ^= true,
            AppCommand::ToggleInspector => self.settings.show_inspector ^= true,
            AppCommand::ToggleTheme => self.settings.dark_mode ^= true,
            AppCommand::ZoomIn => self.settings.zoom(1.0),
            AppCommand::ZoomOut => self.settings.zoom(-1.0),
            AppCommand::PreviousDocument => self.step_document(-1),
            AppCommand::NextDocument => self.step_document(1),
            AppCommand::SelectDocument(id) => self.select_document(id),
            AppCommand::JumpTo { doc, start, end } => self.jump_to(doc, start, end),
            AppCommand::MoveSpanEdge {
                edge,
                unit,
                forward,
            } => {
                let op = self
                    .current_document()
                    .map(|d| self.view.move_edge_op(d, edge, unit, forward));
                match op {
                    Some(Ok(op)) => self.run_op(op),
                    Some(Err(why)) => self.status = why.into(),
                    None => {}
                }
            }
            AppCommand::Op(op) => self.run_op(op),
        }
    }

    /// Runs an annotation operation through the session (one undo step); selects what it
    /// created, and forgets a selection it deleted.
    pub(super) fn run_op(&mut self, op: Op) {
        match self.session.run(op) {
            Ok(planned) => {
                self.status = planned.summary;
                match planned.created {
                    Some(Created::Span(id)) => self.view.selection = Selection::Span(id),
                    Some(Created::Relation(id)) => {
                        self.view.selection = Selection::Relation(id);
                        self.view.relation_source = None;
                    }
                    Some(Created::Entity(_)) | None => {}
                }
                if let Some(doc) = self.current_document() {
                    let keep = match self.view.selection {
                        Selection::Span(id) => doc.span(id).is_some(),
                        Selection::Relation(id) => doc.relation(id).is_some(),
                        _ => true,
                    };
                    if !keep {
                        self.view.selection = Selection::None;
                    }
                }
            }
            Err(e) => self.status = format!("Not done: {e}"),
        }
    }

    /// Runs an action that would drop the project, asking first when there are unsaved changes.
    pub(super) fn guarded(&mut self, action: PendingAction, ctx: &egui::Context) {
        if self.session.is_dirty() {
            self.prompt = Some(Prompt::UnsavedChanges(action));
        } else {
            self.continue_with(action, ctx);
        }
    }

    pub(super) fn continue_with(&mut self, action: PendingAction, ctx: &egui::Context) {
        match action {
            PendingAction::NewProject => {
                self.set_session(Session::new_project("Untitled"));
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

    pub(super) fn ask_dialog(&mut self, kind: DialogKind) {
        let suggested = format!("{}.ron", self.session.project.name);
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

    pub(super) fn dialog_answered(
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
            DialogKind::ImportFiles | DialogKind::ImportFolder => {
                self.import(&paths, ImportOptions::default())
            }
            DialogKind::ExportTarget => self.export_dialog.target = first.display().to_string(),
        }
    }

    pub fn open_path(&mut self, path: &Path) {
        // Opening this window's own file again: its lock must be given up first, or the
        // window would find the file "open in another Marginalia" (itself).
        let same_file = self.session.path.as_deref() == Some(path);
        if same_file {
            self.session.release_lock();
        }
        match Session::open(path) {
            Ok(ws) => {
                self.set_session(ws);
                self.settings.remember_project(path);
                self.status = format!("Opened {}", path.display());
                let conflicts = self.session.project.conflicts.len();
                if conflicts > 0 {
                    self.status = format!(
                        "Opened {}: {} merge conflict{} to settle in Curation",
                        path.display(),
                        conflicts,
                        if conflicts == 1 { "" } else { "s" }
                    );
                }
                if let Some(recovery) = crate::store::newer_recovery(path) {
                    self.prompt = Some(Prompt::Recover {
                        path: path.to_path_buf(),
                        recovery,
                    });
                }
            }
            Err(e) => {
                if same_file {
                    // The next save tries again if this fails.
                    if let Err(lock) = self.session.reload_lock() {
                        crate::diag::warn(lock.to_string());
                    }
                }
                self.prompt = Some(Prompt::Error(format!("Could not open the project.\n\n{e}")))
            }
        }
    }

    /// Gives the session its author (see `AuthorFrom`).
    pub(super) fn bind_author(&mut self) {
        let author = match &self.author_from {
            AuthorFrom::Nobody => None,
            AuthorFrom::Fixed(author) => Some(author.clone()),
            AuthorFrom::Settings => Some(crate::session::Author::resolve(
                self.session.path.as_deref(),
            )),
        };
        self.session.set_author(author);
    }

    /// Switches to another project: nothing of the previous one (selection, Find results,
    /// the picked entity, scroll positions) carries over.
    pub(super) fn set_session(&mut self, session: Session) {
        self.session = session;
        self.reset_views();
    }

    /// After the project was replaced (another file, or the same one reloaded): nothing of
    /// the previous one (selection, Find results, the picked entity, scroll positions)
    /// carries over.
    pub(super) fn reset_views(&mut self) {
        self.bind_author();
        self.curation = super::CurationPanel::default();
        if !self.session.project.conflicts.is_empty() {
            self.central = CentralView::Curation;
        }
        self.current_doc = self.session.project.documents.first().map(|d| d.id);
        self.view.reset();
        self.view.scroll_scope = self.view.scroll_scope.wrapping_add(1);
        self.find = super::SearchPanel::default();
        self.entities = super::EntitiesPanel::default();
    }

    /// Saves to the known path, or asks for one. Returns true when the project is saved.
    /// A file changed on disk by someone else is not overwritten without asking.
    pub(super) fn save(&mut self) -> bool {
        match self.session.path.clone() {
            Some(_) if self.session.changed_on_disk() => {
                self.prompt = Some(Prompt::ChangedOnDisk);
                false
            }
            Some(path) => self.save_to(&path),
            None => {
                self.ask_dialog(DialogKind::SaveProject);
                !self.session.is_dirty()
            }
        }
    }

    pub(super) fn save_to(&mut self, path: &Path) -> bool {
        match self.session.save_to(path) {
            Ok(()) => {
                self.settings.remember_project(path);
                self.status = format!("Saved {}", path.display());
                true
            }
            Err(crate::store::StoreError::Changed { .. }) => {
                self.prompt = Some(Prompt::ChangedOnDisk);
                false
            }
            Err(e) => {
                self.prompt = Some(Prompt::Error(format!(
                    "Could not save; nothing was overwritten.\n\n{e}"
                )));
                false
            }
        }
    }

    /// Imports `paths`; a table whose text column has an unexpected name asks which it is
    /// (the column dialog imports again with the answer).
    pub(super) fn import(&mut self, paths: &[PathBuf], options: ImportOptions) {
        match self.session.import(paths, ImportFormat::Auto, &options) {
            Ok((report, first_new)) => {
                self.status = report.summary();
                if let Some(id) = first_new {
                    self.select_document(id);
                }
            }
            Err(ImportError::NoTextColumn { path, columns }) => {
                self.prompt = Some(Prompt::TextColumn(ColumnChoice::new(
                    paths.to_vec(),
                    path,
                    columns,
                    options,
                )))
            }
            Err(e) => self.prompt = Some(Prompt::Error(format!("Nothing was imported.\n\n{e}"))),
        }
    }

    pub(super) fn select_document(&mut self, id: DocumentId) {
        if self.current_doc != Some(id) {
            self.current_doc = Some(id);
            self.view.reset();
        }
    }

    pub(super) fn jump_to(&mut self, doc: DocumentId, start: usize, end: usize) {
        let Some(d) = self.session.project.document(doc) else {
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

    /// Moves through the documents as the list shows them (filtered and sorted).
    pub(super) fn step_document(&mut self, delta: isize) {
        let project = &self.session.project;
        let docs: Vec<DocumentId> = if self.settings.show_documents {
            self.documents.listed(project)
        } else {
            project.documents.iter().map(|d| d.id).collect()
        };
        let Some(last) = docs.len().checked_sub(1) else {
            return;
        };
        let next = match self
            .current_doc
            .and_then(|id| docs.iter().position(|d| *d == id))
        {
            Some(index) => index.saturating_add_signed(delta).min(last),
            None => 0,
        };
        self.select_document(docs[next]);
    }
}
