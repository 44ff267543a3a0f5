//! The small menus that open over the text: the type menu for a selection and the relation
//! type menu between two spans.

use super::*;

impl DocumentView {
    pub(super) fn popup_ui(
        &mut self,
        ui: &Ui,
        project: &Project,
        doc: &Document,
        commands: &mut Vec<AppCommand>,
    ) {
        let Some(popup) = self.popup.clone() else {
            return;
        };
        let at = match &popup {
            Popup::EntityType { at, .. } | Popup::RelationType { at, .. } => *at,
        };
        let mut close = false;
        egui::Area::new(egui::Id::unique("annotation_popup"))
            .order(egui::Order::Foreground)
            .fixed_pos(at + Vec2::new(8.0, 8.0))
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| match popup {
                    Popup::EntityType { start, end, .. } => {
                        ui.label(
                            egui::RichText::new(format!(
                                "Tag “{}” as",
                                short(doc.slice(start, end))
                            ))
                            .strong(),
                        );
                        close = tag_menu_ui(ui, project, doc.id, start..end, commands);
                    }
                    Popup::RelationType { source, target, .. } => {
                        let (Some(s), Some(t)) = (doc.span(source), doc.span(target)) else {
                            close = true;
                            return;
                        };
                        ui.label(
                            egui::RichText::new(format!(
                                "{} -> {}",
                                short(doc.span_text(s)),
                                short(doc.span_text(t))
                            ))
                            .strong(),
                        );
                        let allowed: Vec<_> = project
                            .schema
                            .relation_types_between(&s.entity_type, &t.entity_type)
                            .collect();
                        if allowed.is_empty() {
                            ui.label(format!(
                                "No relation type allows {} -> {}.",
                                s.entity_type, t.entity_type
                            ));
                            ui.label("Add one in View > Schema Editor.");
                        }
                        for rt in allowed {
                            if ui.button(&rt.label).clicked() {
                                commands.push(AppCommand::Op(Op::Relate {
                                    doc: doc.id,
                                    source,
                                    target,
                                    relation_type: rt.id.clone(),
                                }));
                                close = true;
                            }
                        }
                    }
                });
            });
        if close {
            self.popup = None;
        }
    }

    /// Opens the entity-type menu for the current range selection (keyboard users and tests).
    pub fn open_type_menu(&mut self, at: Pos2) {
        if let Selection::Range { start, end } = self.selection {
            self.popup = Some(Popup::EntityType { start, end, at });
        }
    }

    /// Opens the relation-type menu between two spans.
    pub fn open_relation_menu(&mut self, source: SpanId, target: SpanId, at: Pos2) {
        self.popup = Some(Popup::RelationType { source, target, at });
    }

    pub fn popup_open(&self) -> bool {
        self.popup.is_some()
    }
}
