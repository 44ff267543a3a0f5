//! The document list: title, annotation counts and status; filter box.

use super::commands::AppCommand;
use crate::model::{DocumentId, DocumentStatus, Project};
use crate::session::Op;
use egui::{Color32, RichText, Ui};

#[derive(Default)]
pub struct DocumentsPanel {
    pub filter: String,
    /// Indexes of the documents the filter lets through, for (project revision, filter).
    matching: Vec<usize>,
    matching_for: Option<(u64, usize, String)>,
    /// The document whose row was last brought into view.
    scrolled_to: Option<DocumentId>,
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
        self.update_matching(project);
        // Rows have one height, so only the visible ones are laid out: a project of 10,000
        // documents costs no more per frame than one of ten.
        let row_height = ui.spacing().interact_size.y
            + ui.text_style_height(&egui::TextStyle::Small)
            + ui.spacing().item_spacing.y
            + 4.0;
        let row_pitch = row_height + ui.spacing().item_spacing.y;
        let mut area = egui::ScrollArea::vertical().auto_shrink([false, false]);
        if current != self.scrolled_to {
            self.scrolled_to = current;
            if let Some(row) = current.and_then(|id| {
                self.matching
                    .iter()
                    .position(|&i| project.documents[i].id == id)
            }) {
                let id = ui.make_persistent_id("documents_scroll");
                let view = ui.available_height();
                let offset = egui::scroll_area::State::load(ui.ctx(), id)
                    .map_or(0.0, |s| s.clamped_offset().y);
                let top = row as f32 * row_pitch;
                if top < offset || top + row_pitch > offset + view {
                    area = area.vertical_scroll_offset((top - view / 2.0).max(0.0));
                }
            }
        }
        area.id_salt("documents_scroll").show_rows(
            ui,
            row_height,
            self.matching.len(),
            |ui, rows| {
                for &index in &self.matching[rows] {
                    let doc = &project.documents[index];
                    ui.allocate_ui(egui::vec2(ui.available_width(), row_height), |ui| {
                        ui.set_min_height(row_height);
                        document_row(ui, doc, current == Some(doc.id), commands);
                    });
                }
            },
        );
    }

    fn update_matching(&mut self, project: &Project) {
        let key = (
            project.revision,
            project.documents.len(),
            self.filter.clone(),
        );
        if self.matching_for.as_ref() == Some(&key) {
            return;
        }
        let needle = self.filter.to_lowercase();
        self.matching = project
            .documents
            .iter()
            .enumerate()
            .filter(|(_, d)| needle.is_empty() || d.title.to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect();
        self.matching_for = Some(key);
    }
}

/// One document in the list: title, status and counts; a context menu to mark or remove it.
fn document_row(
    ui: &mut Ui,
    doc: &crate::model::Document,
    selected: bool,
    commands: &mut Vec<AppCommand>,
) {
    let title = RichText::new(&doc.title).strong();
    let response = ui.add(
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
                "{} · {}",
                crate::text::count(doc.spans.len(), "span", "spans"),
                crate::text::count(doc.relations.len(), "relation", "relations")
            ))
            .small()
            .weak(),
        );
    });
    if response.clicked() {
        commands.push(AppCommand::SelectDocument(doc.id));
    }
    response.context_menu(|ui| {
        ui.label("Mark as");
        for status in DocumentStatus::ALL {
            if ui
                .add_enabled(doc.status != status, egui::Button::new(status.label()))
                .clicked()
            {
                commands.push(set_status(doc.id, status));
                ui.close();
            }
        }
        ui.separator();
        if ui
            .button("Remove from project")
            .on_hover_text("Removes the document and its annotations (Ctrl+Z brings it back)")
            .clicked()
        {
            commands.push(AppCommand::Op(Op::RemoveDocument { doc: doc.id }));
            ui.close();
        }
    });
}

/// A small filled circle (drawn, so it needs no glyph from the font).
pub fn status_dot(ui: &mut Ui, color: Color32) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(8.0, 8.0), egui::Sense::hover());
    ui.painter().circle_filled(rect.center(), 4.0, color);
}

pub fn set_status(doc: DocumentId, status: DocumentStatus) -> AppCommand {
    AppCommand::Op(Op::SetDocumentStatus { doc, status })
}
