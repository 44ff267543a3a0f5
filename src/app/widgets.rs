//! Small widgets shared by several panels: type swatches, the tagging menu, the entity-type
//! filter.

use super::commands::AppCommand;
use super::theme::type_color;
use crate::model::{DocumentId, Project};
use crate::session::Op;
use egui::{Color32, CornerRadius, Sense, Ui, Vec2};
use std::ops::Range;

/// One button per entity type (swatch, key, id, label); a click tags `range` with that type.
/// Returns true when a type was picked.
pub fn tag_menu_ui(
    ui: &mut Ui,
    project: &Project,
    doc: DocumentId,
    range: Range<usize>,
    commands: &mut Vec<AppCommand>,
) -> bool {
    let mut picked = false;
    for t in &project.schema.entity_types {
        let key = t.key.map(|k| format!("{k}  ")).unwrap_or_default();
        let text = format!("{key}{}  {}", t.id, t.label);
        if swatch_button(ui, type_color(&project.schema, &t.id), &text).clicked() {
            commands.push(AppCommand::Op(Op::Tag {
                doc,
                start: range.start,
                end: range.end,
                entity_type: t.id.clone(),
            }));
            picked = true;
        }
    }
    picked
}

/// A button with a colour swatch in front of its text.
/// A combo box choosing one entity type of the schema, or none (`none_label`), as a filter.
pub fn type_filter_combo(
    ui: &mut Ui,
    id_salt: &str,
    label: &egui::Response,
    none_label: &str,
    width: f32,
    schema: &crate::model::Schema,
    selected: &mut Option<String>,
) -> egui::Response {
    egui::ComboBox::from_id_salt(id_salt)
        .selected_text(selected.clone().unwrap_or_else(|| none_label.into()))
        .width(width)
        .show_ui(ui, |ui| {
            ui.selectable_value(selected, None, none_label);
            for t in &schema.entity_types {
                ui.selectable_value(selected, Some(t.id.clone()), &t.id);
            }
        })
        .response
        .labelled_by(label.id)
}

/// A labelled field on one row: the label in a column `label_width` wide, the field in what is
/// left of the row. (A grid cell would offer the field more room than the panel has, and the
/// panel would grow to hold it, frame after frame.) `field` gets the label's id.
pub fn field_row<R>(
    ui: &mut Ui,
    label_width: f32,
    name: &str,
    field: impl FnOnce(&mut Ui, egui::Id) -> R,
) -> R {
    ui.horizontal_top(|ui| {
        let height = ui.spacing().interact_size.y;
        let label = ui
            .allocate_ui_with_layout(
                Vec2::new(label_width, height),
                egui::Layout::left_to_right(egui::Align::Center),
                |ui| {
                    ui.set_min_size(Vec2::new(label_width, height));
                    ui.label(name)
                },
            )
            .inner;
        field(ui, label.id)
    })
    .inner
}

/// The heading of a group of lines from one document (title and count). A plain wrapping
/// label: a collapsing header would not wrap a long title, and would widen the panel.
pub fn document_group_heading(ui: &mut Ui, title: &str, lines: usize) {
    ui.add(egui::Label::new(egui::RichText::new(format!("{title} ({lines})")).strong()).wrap());
}

/// A heading after a colour swatch; a long one wraps in the room the swatch leaves.
pub fn swatch_heading(ui: &mut Ui, color: Color32, text: &str) {
    ui.horizontal_top(|ui| {
        let (rect, _) = ui.allocate_exact_size(Vec2::new(14.0, 22.0), Sense::hover());
        let swatch = egui::Rect::from_center_size(rect.center(), Vec2::splat(14.0));
        ui.painter()
            .rect_filled(swatch, CornerRadius::same(3), color);
        ui.add(egui::Label::new(egui::RichText::new(text).heading()).wrap());
    });
}

pub fn swatch_button(ui: &mut Ui, color: Color32, text: &str) -> egui::Response {
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(Vec2::splat(12.0), Sense::hover());
        ui.painter().rect_filled(rect, CornerRadius::same(2), color);
        ui.add(egui::Button::new(text).frame(false))
    })
    .inner
}
