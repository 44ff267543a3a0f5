//! The window's frame around the panels: the menu bar, the status bar, the help windows.

use super::*;
use crate::text::count;

pub(super) fn clock(t: std::time::SystemTime) -> String {
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

impl MarginaliaApp {
    pub(super) fn menu_bar(&mut self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
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
                let history = &self.session.history;
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
                let span_selected = matches!(self.view.selection, Selection::Span(_));
                ui.menu_button("Span Boundaries", |ui| {
                    for command in commands::SPAN_EDGE_COMMANDS {
                        menu_item_enabled(ui, command, span_selected, commands);
                    }
                });
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
                menu_item(ui, MenuCommand::Curation, commands);
            });
            ui.menu_button("Help", |ui| {
                menu_item(ui, MenuCommand::Shortcuts, commands);
                menu_item(ui, MenuCommand::About, commands);
            });
        });
    }

    /// One line at a desktop width; on a narrow window its parts wrap onto a second line
    /// and the last message is cut short (hover shows it whole), so nothing runs off screen.
    pub(super) fn status_bar(&self, ui: &mut Ui) {
        let project = &self.session.project;
        ui.horizontal_wrapped(|ui| {
            if let Some(doc) = self.current_document() {
                let position = project.document_index(doc.id).map_or(0, |i| i + 1);
                ui.label(format!(
                    "Document {position} of {}",
                    project.documents.len()
                ));
                ui.separator();
                ui.label(format!(
                    "{} · {} here",
                    count(doc.spans.len(), "span", "spans"),
                    count(doc.relations.len(), "relation", "relations")
                ));
                ui.separator();
            }
            ui.label(format!(
                "Project: {} · {} · {} · {}",
                count(project.documents.len(), "document", "documents"),
                count(project.span_count(), "span", "spans"),
                count(project.relation_count(), "relation", "relations"),
                count(project.entities.len(), "entity", "entities")
            ));
            ui.separator();
            let ws = &self.session;
            let saved = match (ws.is_dirty(), ws.last_saved, ws.last_autosave) {
                (true, _, Some(a)) => format!("unsaved changes (autosaved {})", clock(a)),
                (true, _, None) => "unsaved changes".to_string(),
                (false, Some(t), _) => format!("saved {}", clock(t)),
                (false, None, _) => "no changes".to_string(),
            };
            ui.label(saved);
            let review = &self.session.review;
            if let Some(learned) = review.learned_summary() {
                ui.separator();
                ui.label(learned);
            }
            // Live learning starts once the annotations have rested, even without input.
            if review.learn_waiting() {
                ui.ctx()
                    .request_repaint_after(crate::session::review::LEARN_AFTER);
            }
            if let Some((done, total)) = self.session.review.progress() {
                ui.separator();
                ui.add(
                    egui::ProgressBar::new(done as f32 / total.max(1) as f32)
                        .desired_width(120.0)
                        .text(format!("suggesting {done}/{total}")),
                );
            }
            if !self.status.is_empty() {
                ui.separator();
                let line = self.status.lines().next().unwrap_or_default();
                ui.add(egui::Label::new(RichText::new(line).weak()).truncate())
                    .on_hover_text(&self.status);
            }
        });
    }

    pub(super) fn windows_ui(&mut self, ctx: &egui::Context) {
        // Esc closes the help windows (as it clears everything else).
        if (self.show_shortcuts || self.show_about)
            && ctx.input(|i| i.key_pressed(egui::Key::Escape))
        {
            self.show_shortcuts = false;
            self.show_about = false;
        }
        let mut open = self.show_shortcuts;
        let heading = |ui: &mut Ui, text: &str| {
            ui.add_space(6.0);
            ui.label(RichText::new(text).strong().size(15.0));
            ui.end_row();
        };
        egui::Window::new("Keyboard shortcuts")
            .open(&mut open)
            .resizable(false)
            .vscroll(true)
            .max_height(ctx.content_rect().height() - 80.0)
            .show(ctx, |ui| {
                // Menu shortcuts in menu order, then the document view's keys by topic.
                egui::Grid::new("shortcuts")
                    .num_columns(2)
                    .spacing([16.0, 4.0])
                    .show(ui, |ui| {
                        for (menu, items) in commands::MENUS {
                            let keyed: Vec<_> = items
                                .iter()
                                .map(|&c| commands::spec(c))
                                .filter_map(|c| c.shortcut.map(|s| (s, c.label)))
                                .collect();
                            if keyed.is_empty() {
                                continue;
                            }
                            heading(ui, menu);
                            for (s, label) in keyed {
                                ui.label(RichText::new(ctx.format_shortcut(&s)).monospace());
                                ui.label(label.trim_end_matches('…'));
                                ui.end_row();
                            }
                        }
                        for (topic, keys) in commands::VIEW_KEYS {
                            heading(ui, topic);
                            for (key, what) in *keys {
                                ui.label(RichText::new(*key).monospace());
                                ui.label(*what);
                                ui.end_row();
                            }
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
}
