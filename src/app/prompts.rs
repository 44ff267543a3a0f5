//! Modal questions and notices: unsaved changes, typed paths when no file dialog is
//! available, errors, recovery of autosaved work, a file changed on disk, a table's text
//! column.

use super::*;

impl MarginaliaApp {
    pub(super) fn prompt_ui(&mut self, ctx: &egui::Context, commands: &mut Vec<AppCommand>) {
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
                        self.session.project.name
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
                            match self.session.restore(recovery) {
                                Ok(()) => {
                                    self.view.reset();
                                    self.status = "Restored autosaved work (not saved yet)".into();
                                }
                                Err(e) => self.prompt = Some(Prompt::Error(format!("Could not restore.\n\n{e}"))),
                            }
                        }
                        if ui.button("Keep the saved version").on_hover_text("The autosaved changes are deleted").clicked() {
                            answered = true;
                            if let Err(e) = crate::store::remove_recovery(path) {
                                self.status = format!("Could not delete the autosaved changes: {e}");
                            }
                        }
                    });
                }
                Prompt::ChangedOnDisk => {
                    ui.heading("The file changed on disk");
                    ui.label("Another program changed the project file since you opened or saved it here. Nothing was saved. Keep your version under another name, take the version on disk (your unsaved changes are dropped), or overwrite it with yours.");
                    ui.add_space(8.0);
                    ui.horizontal_wrapped(|ui| {
                        if ui.button("Save As…").clicked() {
                            answered = true;
                            commands.push(AppCommand::SaveAs);
                        }
                        if ui.button("Reload from disk").on_hover_text("Your unsaved changes are dropped").clicked() {
                            answered = true;
                            match self.session.reload() {
                                Ok(()) => {
                                    self.reset_views();
                                    self.status = "Reloaded the project from disk".into();
                                }
                                Err(e) => self.prompt = Some(Prompt::Error(format!("Could not reload.\n\n{e}"))),
                            }
                        }
                        if ui.button("Overwrite").on_hover_text("The version on disk is replaced by yours").clicked() {
                            answered = true;
                            match self.session.overwrite() {
                                Ok(()) => self.status = "Saved (the version on disk was replaced)".into(),
                                Err(e) => self.prompt = Some(Prompt::Error(format!("Could not save; nothing was overwritten.\n\n{e}"))),
                            }
                        }
                        if ui.button("Cancel").clicked() {
                            answered = true;
                        }
                    });
                }
                Prompt::TextColumn(choice) => match choice.ui(ui) {
                    Some(ColumnAnswer::Import(options)) => {
                        answered = true;
                        let paths = choice.paths.clone();
                        self.import(&paths, options);
                    }
                    Some(ColumnAnswer::Cancel) => {
                        answered = true;
                        self.status = "Nothing was imported".into();
                    }
                    None => {}
                },
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
}
