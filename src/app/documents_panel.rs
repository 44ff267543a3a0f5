//! The document list: title, annotation counts and status; filter box.

use super::commands::AppCommand;
use crate::edit::{Edit, Transaction};
use crate::model::{DocumentId, DocumentStatus, Project};
use egui::{Color32, RichText, Ui};

#[derive(Default)]
pub struct DocumentsPanel {
    pub filter: String,
}

pub fn status_color(status: DocumentStatus) -> Color32 {
    match status {
        DocumentStatus::New => Color32::from_rgb(120, 144, 156),
        DocumentStatus::InProgress => Color32::from_rgb(230, 145, 30),
        DocumentStatus::Done => Color32::from_rgb(60, 160, 90),
    }
}

impl DocumentsPanel {
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        project: &Project,
        current: Option<DocumentId>,
        commands: &mut Vec<AppCommand>,
    ) {
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.heading("Documents");
            ui.label(RichText::new(project.documents.len().to_string()).weak());
        });
        let label = ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut self.filter)
                .hint_text("title contains…")
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label.id);
        ui.separator();
        let needle = self.filter.to_lowercase();
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for doc in &project.documents {
                    if !needle.is_empty() && !doc.title.to_lowercase().contains(&needle) {
                        continue;
                    }
                    let selected = current == Some(doc.id);
                    let response = ui
                        .scope(|ui| {
                            let title = RichText::new(&doc.title).strong();
                            let r = ui.add(
                                egui::Button::selectable(selected, title)
                                    .wrap_mode(egui::TextWrapMode::Truncate)
                                    .min_size(egui::vec2(ui.available_width(), 0.0)),
                            );
                            ui.horizontal(|ui| {
                                let color = status_color(doc.status);
                                status_dot(ui, color);
                                ui.label(RichText::new(doc.status.label()).small().color(color));
                                ui.label(
                                    RichText::new(format!(
                                        "{} spans · {} relations",
                                        doc.spans.len(),
                                        doc.relations.len()
                                    ))
                                    .small()
                                    .weak(),
                                );
                            });
                            r
                        })
                        .inner;
                    if response.clicked() {
                        commands.push(AppCommand::SelectDocument(doc.id));
                    }
                    if selected
                        && ui.ctx().input(|i| {
                            i.key_pressed(egui::Key::ArrowUp) || i.key_pressed(egui::Key::ArrowDown)
                        })
                    {
                        response.scroll_to_me(None);
                    }
                    response.context_menu(|ui| {
                        ui.label("Mark as");
                        for status in DocumentStatus::ALL {
                            if ui
                                .add_enabled(
                                    doc.status != status,
                                    egui::Button::new(status.label()),
                                )
                                .clicked()
                            {
                                commands.push(set_status(doc.id, status));
                                ui.close();
                            }
                        }
                        ui.separator();
                        if ui
                            .button("Remove from project")
                            .on_hover_text(
                                "Removes the document and its annotations (Ctrl+Z brings it back)",
                            )
                            .clicked()
                        {
                            commands.push(AppCommand::Apply(Transaction::single(
                                "remove document",
                                Edit::RemoveDocument { doc: doc.id },
                            )));
                            ui.close();
                        }
                    });
                    ui.add_space(4.0);
                }
            });
    }
}

/// A small filled circle (drawn, so it needs no glyph from the font).
pub fn status_dot(ui: &mut Ui, color: Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(8.0, 8.0), egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), 4.0, color);
}

pub fn set_status(doc: DocumentId, status: DocumentStatus) -> AppCommand {
    AppCommand::Apply(Transaction::single(
        format!("mark document {}", status.label()),
        Edit::SetDocumentStatus { doc, status },
    ))
}
