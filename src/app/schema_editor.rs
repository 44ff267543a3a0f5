//! The schema editor window: entity types (rename, recolour, rekey, add, delete when unused
//! or after reassigning) and relation types (allowed source/target types).

use super::commands::AppCommand;
use super::theme::to_hex;
use crate::model::{Project, Schema, parse_hex_color};
use crate::session::Op;
use egui::{RichText, Ui};

#[derive(Default)]
pub struct SchemaEditor {
    pub open: bool,
    /// The schema being edited; applied as one undoable edit.
    draft: Option<Schema>,
    new_type_id: String,
    new_relation_id: String,
    message: String,
}

impl SchemaEditor {
    pub fn show(&mut self, ctx: &egui::Context, project: &Project, commands: &mut Vec<AppCommand>) {
        if !self.open {
            self.draft = None;
            return;
        }
        let mut open = self.open;
        egui::Window::new("Schema Editor")
            .open(&mut open)
            .default_width(640.0)
            .default_height(ctx.content_rect().height() * 0.8)
            .vscroll(true)
            .show(ctx, |ui| self.ui(ui, project, commands));
        self.open = open;
    }

    fn ui(&mut self, ui: &mut Ui, project: &Project, commands: &mut Vec<AppCommand>) {
        let draft = self.draft.get_or_insert_with(|| project.schema.clone());
        let usage = |ty: &str| {
            project
                .documents
                .iter()
                .flat_map(|d| &d.spans)
                .filter(|s| s.entity_type == ty)
                .count()
        };
        let rel_usage = |ty: &str| {
            project
                .documents
                .iter()
                .flat_map(|d| &d.relations)
                .filter(|r| r.relation_type == ty)
                .count()
        };

        let label_size = egui::vec2(150.0, ui.spacing().interact_size.y);
        let changed = *draft != project.schema;
        ui.horizontal(|ui| {
            if ui
                .add_enabled(changed, egui::Button::new("Apply changes"))
                .clicked()
            {
                commands.push(AppCommand::Op(Op::SetSchema(Box::new(draft.clone()))));
                self.message = "Schema updated (Ctrl+Z undoes it).".into();
            }
            if ui
                .add_enabled(changed, egui::Button::new("Revert"))
                .clicked()
            {
                *draft = project.schema.clone();
            }
            if !self.message.is_empty() {
                ui.label(RichText::new(&self.message).weak());
            }
        });
        ui.separator();
        ui.heading("Entity types");
        ui.horizontal(|ui| {
            let label = ui.label("New type id");
            ui.add(
                egui::TextEdit::singleline(&mut self.new_type_id)
                    .desired_width(100.0)
                    .hint_text("WEAPON"),
            )
            .labelled_by(label.id);
            if ui.button("Add entity type").clicked() {
                let id = self.new_type_id.trim().to_uppercase();
                if id.is_empty() || draft.entity_type(&id).is_some() {
                    self.message = format!("'{id}' is empty or exists already");
                } else {
                    draft.ensure_entity_type(&id);
                    self.new_type_id.clear();
                }
            }
        });

        let mut delete: Option<String> = None;
        let mut reassign: Option<(String, String)> = None;
        egui::Grid::new("entity_types")
            .num_columns(6)
            .striped(true)
            .spacing([10.0, 4.0])
            .show(ui, |ui| {
                for h in ["Colour", "Id", "Label", "Key", "Spans", ""] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                let ids: Vec<String> = draft.entity_types.iter().map(|t| t.id.clone()).collect();
                for t in &mut draft.entity_types {
                    let mut rgb = parse_hex_color(&t.color).unwrap_or([170, 170, 170]);
                    if ui.color_edit_button_srgb(&mut rgb).changed() {
                        t.color = to_hex(rgb);
                    }
                    let id_label = ui.label(RichText::new(&t.id).monospace());
                    // Sized, not desired: a grid cell would keep last frame's narrow width.
                    ui.add_sized(label_size, egui::TextEdit::singleline(&mut t.label))
                        .labelled_by(id_label.id);
                    let key_text = t.key.map_or("—".to_string(), |k| k.to_string());
                    egui::ComboBox::new(("key", &t.id), "")
                        .width(40.0)
                        .selected_text(key_text)
                        .show_ui(ui, |ui| {
                            ui.selectable_value(&mut t.key, None, "—");
                            for k in '1'..='9' {
                                ui.selectable_value(&mut t.key, Some(k), k.to_string());
                            }
                        })
                        .response
                        .labelled_by(id_label.id);
                    let n = usage(&t.id);
                    ui.label(n.to_string());
                    if n == 0 {
                        if ui.small_button("Delete").clicked() {
                            delete = Some(t.id.clone());
                        }
                    } else {
                        ui.menu_button("Reassign & delete…", |ui| {
                            ui.label(if n == 1 {
                                format!("Move the {} span to", t.id)
                            } else {
                                format!("Move the {n} {} spans to", t.id)
                            });
                            for other in ids.iter().filter(|o| **o != t.id) {
                                if ui.button(other).clicked() {
                                    reassign = Some((t.id.clone(), other.clone()));
                                    ui.close();
                                }
                            }
                        });
                    }
                    ui.end_row();
                }
            });
        // Keys must stay unique: a key given to one type is taken from the others.
        dedupe_keys(draft);
        if let Some(id) = delete {
            draft.remove_entity_type(&id);
        }
        ui.separator();
        ui.heading("Relation types");
        ui.horizontal(|ui| {
            let label = ui.label("New relation id");
            ui.add(
                egui::TextEdit::singleline(&mut self.new_relation_id)
                    .desired_width(120.0)
                    .hint_text("allied_with"),
            )
            .labelled_by(label.id);
            if ui.button("Add relation type").clicked() {
                let id = self.new_relation_id.trim().to_lowercase().replace(' ', "_");
                if id.is_empty() || draft.relation_type(&id).is_some() {
                    self.message = format!("'{id}' is empty or exists already");
                } else {
                    draft.ensure_relation_type(&id);
                    self.new_relation_id.clear();
                }
            }
        });

        let type_ids: Vec<String> = draft.entity_types.iter().map(|t| t.id.clone()).collect();
        let mut delete_rel: Option<String> = None;
        egui::Grid::new("relation_types")
            .num_columns(6)
            .striped(true)
            .spacing([10.0, 4.0])
            .show(ui, |ui| {
                for h in ["Id", "Label", "From", "To", "Uses", ""] {
                    ui.label(RichText::new(h).strong());
                }
                ui.end_row();
                for r in &mut draft.relation_types {
                    let id_label = ui.label(RichText::new(&r.id).monospace());
                    ui.add_sized(label_size, egui::TextEdit::singleline(&mut r.label))
                        .labelled_by(id_label.id);
                    type_set_ui(ui, ("from", &r.id), &type_ids, &mut r.source_types);
                    type_set_ui(ui, ("to", &r.id), &type_ids, &mut r.target_types);
                    let n = rel_usage(&r.id);
                    ui.label(n.to_string());
                    ui.horizontal(|ui| {
                        ui.checkbox(&mut r.symmetric, "symmetric");
                        if n == 0 && ui.small_button("Delete").clicked() {
                            delete_rel = Some(r.id.clone());
                        }
                    });
                    ui.end_row();
                }
            });
        if let Some(id) = delete_rel {
            draft.relation_types.retain(|r| r.id != id);
        }
        if let Some((from, to)) = reassign {
            commands.push(AppCommand::Op(Op::ReassignType {
                from,
                to,
                schema: Box::new(draft.clone()),
            }));
            self.draft = None;
        }
    }
}

fn dedupe_keys(schema: &mut Schema) {
    let mut seen = Vec::new();
    for t in &mut schema.entity_types {
        if let Some(k) = t.key {
            if seen.contains(&k) {
                t.key = None;
            } else {
                seen.push(k);
            }
        }
    }
}

/// A compact menu of checkboxes for a set of entity types (empty = any).
fn type_set_ui(ui: &mut Ui, id: (&str, &str), all: &[String], set: &mut Vec<String>) {
    let text = if set.is_empty() {
        "any".to_string()
    } else {
        set.join(", ")
    };
    ui.push_id(id, |ui| {
        ui.menu_button(text, |ui| {
            for t in all {
                let mut on = set.contains(t);
                if ui.checkbox(&mut on, t).changed() {
                    if on {
                        set.push(t.clone());
                    } else {
                        set.retain(|x| x != t);
                    }
                }
            }
        });
    });
}
