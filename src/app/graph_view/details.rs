//! The details beside the graph: a node's mentions or an edge's evidence, with jumps into
//! the text.

use super::*;

/// Checkboxes for a set of types; `None` means every type.
/// One checkbox per type (`all`: id and label), and "All".
pub(super) fn type_checkboxes(
    ui: &mut Ui,
    all: &[(String, String)],
    chosen: &mut Option<BTreeSet<String>>,
) {
    if ui.button("All").clicked() {
        *chosen = None;
    }
    let ids: Vec<&String> = all.iter().map(|(id, _)| id).collect();
    for (t, label) in all {
        let mut on = chosen.as_ref().is_none_or(|s| s.contains(t));
        if ui.checkbox(&mut on, label.as_str()).changed() {
            let set = chosen.get_or_insert_with(|| ids.iter().map(|id| (*id).clone()).collect());
            if on {
                set.insert(t.clone());
            } else {
                set.remove(t);
            }
            if set.len() == all.len() {
                *chosen = None;
            }
        }
    }
}

/// The mentions a node stands for, in document order.
pub(super) fn node_mentions(project: &Project, key: &NodeKey) -> Vec<NodeMention> {
    match key {
        NodeKey::Entity(id) => mentions_with_context(project, *id)
            .into_iter()
            .filter_map(|m| {
                let s = project.document(m.doc)?.span(m.span)?;
                Some(NodeMention {
                    doc: m.doc,
                    span: m.span,
                    start: s.start,
                    end: s.end,
                    left: m.left,
                    hit: m.hit,
                    right: m.right,
                })
            })
            .collect(),
        NodeKey::Unlinked { entity_type, name } => {
            let mut out = Vec::new();
            for d in &project.documents {
                for s in d.spans.iter().filter(|s| {
                    s.entity.is_none_or(|e| project.entity(e).is_none())
                        && s.entity_type == *entity_type
                        && normalize_name(d.span_text(s)) == *name
                }) {
                    let (left, hit, right) = kwic(d, s.start, s.end);
                    out.push(NodeMention {
                        doc: d.id,
                        span: s.id,
                        start: s.start,
                        end: s.end,
                        left,
                        hit,
                        right,
                    });
                }
            }
            out
        }
    }
}

impl GraphView {
    pub(super) fn details_ui(
        &mut self,
        ui: &mut Ui,
        project: &Project,
        commands: &mut Vec<AppCommand>,
    ) {
        crate::app::contain(ui);
        ui.add_space(4.0);
        if let Some(i) = self.selected_node() {
            let n = &self.graph.nodes[i];
            swatch_heading(ui, type_color(&project.schema, &n.entity_type), &n.label);
            ui.label(
                RichText::new(format!(
                    "{}: {} in {}, {}",
                    project.schema.entity_label(&n.entity_type),
                    crate::text::count(n.mentions, "mention", "mentions"),
                    crate::text::count(n.documents, "document", "documents"),
                    crate::text::count(self.graph.edges_of(i).len(), "relation", "relations")
                ))
                .weak(),
            );
            ui.separator();
            let color = type_color(&project.schema, &n.entity_type);
            egui::ScrollArea::vertical()
                .id_salt("graph_mentions")
                .auto_shrink(false)
                .show(ui, |ui| {
                    let mut last_doc = None;
                    for (k, m) in self.mentions.iter().enumerate() {
                        if last_doc != Some(m.doc) {
                            last_doc = Some(m.doc);
                            let title = project.document(m.doc).map_or("?", |d| d.title.as_str());
                            ui.add_space(4.0);
                            ui.label(RichText::new(title).strong());
                        }
                        ui.push_id(("graph_mention", k, m.span), |ui| {
                            if kwic_button(ui, &m.left, &m.hit, &m.right, color).clicked() {
                                commands.push(AppCommand::JumpTo {
                                    doc: m.doc,
                                    start: m.start,
                                    end: m.end,
                                });
                            }
                        });
                    }
                });
        } else if let Some(i) = self.selected_edge() {
            let e = &self.graph.edges[i];
            let (s, t) = (&self.graph.nodes[e.source], &self.graph.nodes[e.target]);
            let arrow = if e.symmetric { "and" } else { "to" };
            ui.add(
                egui::Label::new(
                    RichText::new(project.schema.relation_label(&e.relation_type)).heading(),
                )
                .wrap(),
            );
            ui.label(format!("{} {arrow} {}", s.label, t.label));
            ui.label(
                RichText::new(crate::text::count(
                    e.evidence.len(),
                    "statement",
                    "statements",
                ))
                .weak(),
            );
            ui.separator();
            egui::ScrollArea::vertical()
                .id_salt("graph_evidence")
                .auto_shrink(false)
                .show(ui, |ui| {
                    for (k, ev) in e.evidence.iter().enumerate() {
                        let Some(d) = project.document(ev.doc) else {
                            continue;
                        };
                        ui.push_id(("evidence", k), |ui| {
                            ui.label(RichText::new(&d.title).small().weak());
                            let sentence = ev.sentence.trim();
                            if ui
                                .add(egui::Button::new(sentence).frame(false).wrap())
                                .on_hover_text("Show this statement in the document")
                                .clicked()
                                && let Some((start, end)) = d
                                    .relation(ev.relation)
                                    .and_then(|r| d.span(r.source))
                                    .map(|s| (s.start, s.end))
                            {
                                commands.push(AppCommand::JumpTo {
                                    doc: ev.doc,
                                    start,
                                    end,
                                });
                            }
                            ui.add_space(4.0);
                        });
                    }
                });
        }
    }
}
