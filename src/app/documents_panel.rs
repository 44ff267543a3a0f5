//! The document list: title, annotation counts and status; filter by title and status, sort
//! by title or date (`search::list_documents` decides what is listed; this only draws).

use super::commands::AppCommand;
use crate::model::{DocumentId, DocumentStatus, Project};
use crate::search::{DocumentFilter, DocumentOrder, list_documents};
use crate::session::Op;
use egui::{Color32, RichText, Ui};

#[derive(Default)]
pub struct DocumentsPanel {
    pub filter: DocumentFilter,
    /// Indexes of the documents the filter lets through, in its order, for (project
    /// revision, document count, filter).
    matching: Vec<usize>,
    matching_for: Option<(u64, usize, DocumentFilter)>,
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
        self.update_matching(project);
        let total = project.documents.len();
        let shown = self.matching.len();
        ui.horizontal_wrapped(|ui| {
            ui.heading("Documents");
            let count = if shown == total {
                total.to_string()
            } else {
                format!("{shown} of {total}")
            };
            ui.label(RichText::new(count).weak());
        });
        // Label and field on one row, the two menus on the next: the list starts high enough
        // that a laptop-height window shows most of it.
        ui.horizontal(|ui| {
            let label = ui.label("Filter");
            ui.add(
                egui::TextEdit::singleline(&mut self.filter.text)
                    .hint_text("title contains…")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        });
        self.filter_ui(ui);
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

    /// Status filter and sort order: two small labelled menus side by side (one under the
    /// other when the panel is narrow).
    fn filter_ui(&mut self, ui: &mut Ui) {
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Show");
            let shown = self.filter.status.map_or("all", |s| s.label());
            egui::ComboBox::from_id_salt("documents_status")
                .selected_text(shown)
                .width(48.0)
                .truncate()
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filter.status, None, "all");
                    for status in DocumentStatus::ALL {
                        let text = RichText::new(status.label()).color(status_color(status));
                        ui.selectable_value(&mut self.filter.status, Some(status), text);
                    }
                })
                .response
                .labelled_by(label.id);
            // The label wraps with its menu, never apart from it.
            ui.horizontal(|ui| {
                let label = ui.label("Sort");
                egui::ComboBox::from_id_salt("documents_order")
                    .selected_text(self.filter.order.label())
                    .width(90.0)
                    .truncate()
                    .show_ui(ui, |ui| {
                        for order in DocumentOrder::ALL {
                            ui.selectable_value(&mut self.filter.order, order, order.label());
                        }
                    })
                    .response
                    .labelled_by(label.id);
            });
        });
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
        self.matching = list_documents(project, &self.filter);
        self.matching_for = Some(key);
    }

    /// The documents as listed (filtered and sorted), for Up/Down.
    pub fn listed(&mut self, project: &Project) -> Vec<DocumentId> {
        self.update_matching(project);
        self.matching
            .iter()
            .filter_map(|&i| project.documents.get(i).map(|d| d.id))
            .collect()
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
