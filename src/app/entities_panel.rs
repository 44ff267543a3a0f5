//! The Entities tab: the knowledge base as a sortable, filterable table; the selected entity's
//! mentions in context (click to jump), its name, aliases and note, merge, split and unlink,
//! plus "Link all mentions" and alias proposals. Every change is an undoable transaction.

use super::commands::AppCommand;
use super::search_panel::kwic_button;
use super::theme::type_color;
use super::widgets::{document_group_heading, field_row, swatch_heading, type_filter_combo};
use crate::kb::{EntityRow, Mention, entity_table, mentions_with_context, propose_aliases};
use crate::model::{DocumentId, Entity, EntityId, Project, SpanId};
use crate::session::Op;
use egui::{CornerRadius, RichText, Sense, Ui, Vec2};
use egui_extras::{Column, TableBuilder};
use std::collections::BTreeSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortColumn {
    Name,
    Type,
    Mentions,
    Documents,
    Aliases,
}

impl SortColumn {
    fn label(self) -> &'static str {
        match self {
            SortColumn::Name => "Name",
            SortColumn::Type => "Type",
            SortColumn::Mentions => "Mentions",
            SortColumn::Documents => "Docs",
            SortColumn::Aliases => "Aliases",
        }
    }
}

pub struct EntitiesPanel {
    /// `entity_table` for the project revision in `rows_for`.
    rows: Vec<EntityRow>,
    rows_for: Option<u64>,
    pub sort: SortColumn,
    pub ascending: bool,
    pub type_filter: Option<String>,
    pub text_filter: String,
    pub selected: Option<EntityId>,
    /// Mentions of the selected entity, for (revision, entity).
    mentions: Vec<Mention>,
    mentions_for: Option<(u64, EntityId)>,
    /// Edit buffers of the selected entity, loaded for (revision, entity).
    name: String,
    aliases: String,
    note: String,
    buffers_for: Option<(u64, EntityId)>,
    /// Mentions ticked for "Split off".
    pub split_marked: BTreeSet<SpanId>,
    pub split_name: String,
    show_proposals: bool,
    proposals: Vec<(EntityId, String)>,
    proposals_for: Option<u64>,
}

impl Default for EntitiesPanel {
    fn default() -> EntitiesPanel {
        EntitiesPanel {
            rows: Vec::new(),
            rows_for: None,
            sort: SortColumn::Mentions,
            ascending: false,
            type_filter: None,
            text_filter: String::new(),
            selected: None,
            mentions: Vec::new(),
            mentions_for: None,
            name: String::new(),
            aliases: String::new(),
            note: String::new(),
            buffers_for: None,
            split_marked: BTreeSet::new(),
            split_name: String::new(),
            show_proposals: false,
            proposals: Vec::new(),
            proposals_for: None,
        }
    }
}

/// Rows passing the filters, sorted; ties keep name order.
fn visible_rows<'a>(
    rows: &'a [EntityRow],
    type_filter: Option<&str>,
    text: &str,
    sort: SortColumn,
    ascending: bool,
) -> Vec<&'a EntityRow> {
    let needle = text.trim().to_lowercase();
    let mut out: Vec<&EntityRow> = rows
        .iter()
        .filter(|r| type_filter.is_none_or(|t| r.entity_type == t))
        .filter(|r| {
            needle.is_empty()
                || r.name.to_lowercase().contains(&needle)
                || r.aliases.iter().any(|a| a.to_lowercase().contains(&needle))
        })
        .collect();
    out.sort_by(|a, b| {
        let by_name = a.name.to_lowercase().cmp(&b.name.to_lowercase());
        let ord = match sort {
            SortColumn::Name => by_name,
            SortColumn::Type => a.entity_type.cmp(&b.entity_type),
            SortColumn::Mentions => a.mentions.cmp(&b.mentions),
            SortColumn::Documents => a.documents.cmp(&b.documents),
            SortColumn::Aliases => a.aliases.len().cmp(&b.aliases.len()),
        };
        let ord = if ascending { ord } else { ord.reverse() };
        ord.then(by_name)
    });
    out
}

/// Comma-separated aliases to a list: trimmed, no empties, no repeats.
fn parse_aliases(s: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for a in s.split(',').map(str::trim).filter(|a| !a.is_empty()) {
        if !out.iter().any(|x| x == a) {
            out.push(a.to_string());
        }
    }
    out
}

impl EntitiesPanel {
    fn refresh(&mut self, project: &Project) {
        if self.rows_for != Some(project.revision) {
            self.rows = entity_table(project);
            self.rows_for = Some(project.revision);
        }
        if self.selected.is_some_and(|e| project.entity(e).is_none()) {
            self.selected = None;
        }
        match self.selected {
            Some(e) if self.mentions_for != Some((project.revision, e)) => {
                self.mentions = mentions_with_context(project, e);
                self.mentions_for = Some((project.revision, e));
                let live: BTreeSet<SpanId> = self.mentions.iter().map(|m| m.span).collect();
                self.split_marked.retain(|s| live.contains(s));
            }
            Some(_) => {}
            None => {
                self.mentions.clear();
                self.mentions_for = None;
            }
        }
    }

    /// Selects an entity (clears the split selection when it changes).
    pub fn select(&mut self, entity: Option<EntityId>) {
        if self.selected != entity {
            self.selected = entity;
            self.split_marked.clear();
            self.split_name.clear();
            self.buffers_for = None;
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, project: &Project, commands: &mut Vec<AppCommand>) {
        self.refresh(project);
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.heading("Entities");
            ui.label(RichText::new(format!("{}", project.entities.len())).weak());
        });
        ui.horizontal_wrapped(|ui| {
            if ui
                .button("Link all mentions")
                .on_hover_text(
                    "Link every unlinked span to the entity its text names, creating entities \
                     where none exists (one step to undo)",
                )
                .clicked()
            {
                commands.push(AppCommand::Op(Op::LinkAll));
            }
            if ui
                .selectable_label(self.show_proposals, "Propose aliases")
                .on_hover_text("Aliases found in acronym definitions in the texts")
                .clicked()
            {
                self.show_proposals ^= true;
            }
        });
        if self.show_proposals {
            self.proposals_ui(ui, project, commands);
        }
        ui.horizontal(|ui| {
            let type_label = ui.label("Type");
            type_filter_combo(
                ui,
                "entities_type",
                &type_label,
                "all",
                70.0,
                &project.schema,
                &mut self.type_filter,
            );
            let filter_label = ui.label("Filter names");
            ui.add(
                egui::TextEdit::singleline(&mut self.text_filter)
                    .hint_text("name or alias")
                    .desired_width(ui.available_width()),
            )
            .labelled_by(filter_label.id);
        });
        let table_height = (ui.available_height() * 0.42).max(120.0);
        self.table_ui(ui, project, table_height);
        ui.separator();
        let Some(entity) = self.selected.and_then(|e| project.entity(e)) else {
            ui.label(RichText::new("Click an entity to see its mentions.").weak());
            return;
        };
        let entity = entity.clone();
        egui::ScrollArea::vertical()
            .id_salt("entity_details")
            .auto_shrink(false)
            .show(ui, |ui| self.details_ui(ui, project, &entity, commands));
    }

    fn proposals_ui(&mut self, ui: &mut Ui, project: &Project, commands: &mut Vec<AppCommand>) {
        if self.proposals_for != Some(project.revision) {
            self.proposals = propose_aliases(project);
            self.proposals_for = Some(project.revision);
        }
        egui::Frame::group(ui.style()).show(ui, |ui| {
            if self.proposals.is_empty() {
                ui.label(RichText::new("No alias proposals").weak());
            }
            for (i, (id, alias)) in self.proposals.iter().enumerate() {
                let Some(e) = project.entity(*id) else {
                    continue;
                };
                ui.push_id(("proposal", i), |ui| {
                    ui.horizontal(|ui| {
                        if ui.small_button("Add").clicked() {
                            let mut updated = e.clone();
                            updated.aliases.push(alias.clone());
                            commands.push(AppCommand::Op(Op::UpdateEntity(updated)));
                        }
                        ui.label(format!("{alias}  for  {}", e.name));
                    });
                });
            }
        });
    }

    fn table_ui(&mut self, ui: &mut Ui, project: &Project, height: f32) {
        let rows: Vec<EntityRow> = visible_rows(
            &self.rows,
            self.type_filter.as_deref(),
            &self.text_filter,
            self.sort,
            self.ascending,
        )
        .into_iter()
        .cloned()
        .collect();
        let mut clicked_header = None;
        let mut clicked_row = None;
        let text_height = egui::TextStyle::Body
            .resolve(ui.style())
            .size
            .max(ui.spacing().interact_size.y);
        ui.push_id("entity_table", |ui| {
            // The counts and the type get the width their header needs, the name the rest;
            // aliases get a column only in a wide panel (they are listed with the entity).
            let gap = ui.spacing().item_spacing.x;
            let text_width = |text: &str, style: egui::TextStyle| {
                let font = style.resolve(ui.style());
                ui.fonts_mut(|f| {
                    f.layout_no_wrap(text.to_string(), font, egui::Color32::WHITE)
                        .size()
                        .x
                })
            };
            let type_width = text_width("QUANTITY", egui::TextStyle::Small) + 18.0;
            let mentions_width = text_width("Mentions v", egui::TextStyle::Body) + 8.0;
            let docs_width = text_width("Docs v", egui::TextStyle::Body) + 8.0;
            let fixed = type_width + mentions_width + docs_width + 4.0 * gap + 8.0;
            let name_min = 110.0;
            let with_aliases = ui.available_width() - fixed >= name_min + 120.0 + gap;
            let mut columns = vec![
                SortColumn::Name,
                SortColumn::Type,
                SortColumn::Mentions,
                SortColumn::Documents,
            ];
            // Not resizable: a resizable column keeps the width it once had, so the name
            // column could not give width back when the panel narrows (nor stop widening it).
            let mut table = TableBuilder::new(ui)
                .striped(true)
                .resizable(false)
                .sense(Sense::click())
                .max_scroll_height(height)
                .min_scrolled_height(height.min(120.0))
                .column(Column::remainder().at_least(60.0).clip(true))
                .column(Column::exact(type_width).clip(true))
                .column(Column::exact(mentions_width).clip(true))
                .column(Column::exact(docs_width).clip(true));
            if with_aliases {
                columns.push(SortColumn::Aliases);
                table = table.column(Column::initial(120.0).at_least(40.0).clip(true));
            }
            let row_height = text_height + 4.0;
            table
                .header(row_height, |mut header| {
                    for &column in &columns {
                        header.col(|ui| {
                            let mark = match (self.sort == column, self.ascending) {
                                (false, _) => "",
                                (true, true) => " ^",
                                (true, false) => " v",
                            };
                            if ui
                                .add(
                                    egui::Button::new(
                                        RichText::new(format!("{}{mark}", column.label())).strong(),
                                    )
                                    .frame(false),
                                )
                                .on_hover_text("Sort by this column")
                                .clicked()
                            {
                                clicked_header = Some(column);
                            }
                        });
                    }
                })
                .body(|body| {
                    body.rows(row_height, rows.len(), |mut row| {
                        let r = &rows[row.index()];
                        let selected = self.selected == Some(r.id);
                        row.set_selected(selected);
                        row.col(|ui| {
                            let name = egui::Button::selectable(selected, &r.name)
                                .wrap_mode(egui::TextWrapMode::Truncate);
                            let mut response = ui.add(name);
                            if !r.aliases.is_empty() {
                                response = response
                                    .on_hover_text(format!("also: {}", r.aliases.join(", ")));
                            }
                            if response.clicked() {
                                clicked_row = Some(r.id);
                            }
                        });
                        row.col(|ui| {
                            let (rect, _) =
                                ui.allocate_exact_size(Vec2::splat(10.0), Sense::hover());
                            ui.painter().rect_filled(
                                rect,
                                CornerRadius::same(2),
                                type_color(&project.schema, &r.entity_type),
                            );
                            ui.add(
                                egui::Label::new(RichText::new(r.entity_type.as_str()).small())
                                    .truncate(),
                            )
                            .on_hover_text(project.schema.entity_label(&r.entity_type));
                        });
                        row.col(|ui| {
                            ui.label(r.mentions.to_string());
                        });
                        row.col(|ui| {
                            ui.label(r.documents.to_string());
                        });
                        if with_aliases {
                            row.col(|ui| {
                                ui.add(
                                    egui::Label::new(RichText::new(r.aliases.join(", ")).weak())
                                        .truncate(),
                                );
                            });
                        }
                        if row.response().clicked() {
                            clicked_row = Some(r.id);
                        }
                    });
                });
        });
        if let Some(column) = clicked_header {
            if self.sort == column {
                self.ascending ^= true;
            } else {
                self.sort = column;
                // Counts read best largest first, names A to Z.
                self.ascending = matches!(column, SortColumn::Name | SortColumn::Type);
            }
        }
        if let Some(id) = clicked_row {
            self.select(Some(id));
        }
    }

    fn load_buffers(&mut self, project: &Project, entity: &Entity, editing: bool) {
        let key = (project.revision, entity.id);
        let stale = self.buffers_for.is_none_or(|(_, id)| id != entity.id);
        if stale || (self.buffers_for != Some(key) && !editing) {
            self.name = entity.name.clone();
            self.aliases = entity.aliases.join(", ");
            self.note = entity.note.clone();
            self.buffers_for = Some(key);
        }
    }

    fn details_ui(
        &mut self,
        ui: &mut Ui,
        project: &Project,
        entity: &Entity,
        commands: &mut Vec<AppCommand>,
    ) {
        let editing = ui.ctx().egui_wants_keyboard_input();
        self.load_buffers(project, entity, editing);
        let color = type_color(&project.schema, &entity.entity_type);
        swatch_heading(ui, color, &entity.name);
        ui.label(
            RichText::new(format!(
                "{}  {}",
                entity.entity_type,
                project.schema.entity_label(&entity.entity_type)
            ))
            .weak(),
        );
        let mut commit = false;
        let width = 64.0;
        commit |= field_row(ui, width, "Name", |ui, label| {
            ui.add(egui::TextEdit::singleline(&mut self.name).desired_width(f32::INFINITY))
                .labelled_by(label)
                .lost_focus()
        });
        commit |= field_row(ui, width, "Aliases", |ui, label| {
            ui.add(
                egui::TextEdit::singleline(&mut self.aliases)
                    .hint_text("comma-separated")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label)
            .lost_focus()
        });
        commit |= field_row(ui, width, "Note", |ui, label| {
            ui.add(
                egui::TextEdit::multiline(&mut self.note)
                    .desired_rows(2)
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label)
            .lost_focus()
        });
        if commit {
            let mut updated = entity.clone();
            let name = self.name.trim();
            if !name.is_empty() {
                updated.name = name.to_string();
            }
            updated.aliases = parse_aliases(&self.aliases);
            updated.note = self.note.clone();
            if updated != *entity {
                commands.push(AppCommand::Op(Op::UpdateEntity(updated)));
            }
            // Reload from the project once the edit is in.
            self.buffers_for = None;
        }

        ui.horizontal(|ui| {
            ui.menu_button("Merge into…", |ui| {
                let mut others: Vec<&Entity> = project
                    .entities
                    .iter()
                    .filter(|e| e.entity_type == entity.entity_type && e.id != entity.id)
                    .collect();
                others.sort_by_key(|e| e.name.to_lowercase());
                if others.is_empty() {
                    ui.label(format!("No other {} entity", entity.entity_type));
                }
                egui::ScrollArea::vertical()
                    .max_height(300.0)
                    .show(ui, |ui| {
                        for other in others {
                            if ui.button(&other.name).clicked() {
                                commands.push(AppCommand::Op(Op::MergeEntities {
                                    keep: other.id,
                                    absorb: entity.id,
                                }));
                                self.select(Some(other.id));
                                ui.close();
                            }
                        }
                    });
            })
            .response
            .on_hover_text("Move every mention of this entity to another one and remove it");
        });

        ui.separator();
        ui.label(
            RichText::new(crate::text::count(
                self.mentions.len(),
                "mention",
                "mentions",
            ))
            .strong()
            .size(13.0),
        );
        let mut groups: Vec<(DocumentId, Vec<&Mention>)> = Vec::new();
        for m in &self.mentions {
            match groups.last_mut() {
                Some((d, list)) if *d == m.doc => list.push(m),
                _ => groups.push((m.doc, vec![m])),
            }
        }
        for (doc, mentions) in groups {
            let title = project.document(doc).map_or("?", |d| d.title.as_str());
            document_group_heading(ui, title, mentions.len());
            ui.indent(("entity_doc", doc), |ui| {
                for m in mentions {
                    ui.push_id(m.span, |ui| {
                        ui.horizontal(|ui| {
                            let mut marked = self.split_marked.contains(&m.span);
                            let check = ui
                                .checkbox(&mut marked, "")
                                .on_hover_text("Tick to split this mention off");
                            check.widget_info(|| {
                                egui::WidgetInfo::selected(
                                    egui::Role::CheckBox,
                                    true,
                                    marked,
                                    "Mark for split",
                                )
                            });
                            if check.changed() {
                                if marked {
                                    self.split_marked.insert(m.span);
                                } else {
                                    self.split_marked.remove(&m.span);
                                }
                            }
                            if ui
                                .small_button("Unlink")
                                .on_hover_text("Keep the span, drop its link to this entity")
                                .clicked()
                            {
                                commands.push(AppCommand::Op(Op::Link {
                                    doc: m.doc,
                                    span: m.span,
                                    entity: None,
                                }));
                            }
                            let line = kwic_button(ui, &m.left, &m.hit, &m.right, color);
                            if line.clicked()
                                && let Some((start, end)) = project
                                    .document(m.doc)
                                    .and_then(|d| d.span(m.span))
                                    .map(|s| (s.start, s.end))
                            {
                                commands.push(AppCommand::JumpTo {
                                    doc: m.doc,
                                    start,
                                    end,
                                });
                            }
                        });
                    });
                }
            });
        }
        if !self.split_marked.is_empty() {
            ui.separator();
            ui.horizontal(|ui| {
                let label = ui.label("New entity");
                ui.add(
                    egui::TextEdit::singleline(&mut self.split_name)
                        .hint_text("name")
                        .desired_width(140.0),
                )
                .labelled_by(label.id);
                let name = self.split_name.trim().to_string();
                if ui
                    .add_enabled(
                        !name.is_empty(),
                        egui::Button::new(format!(
                            "Split off {} selected mentions",
                            self.split_marked.len()
                        )),
                    )
                    .clicked()
                {
                    let marked: Vec<SpanId> = self.split_marked.iter().copied().collect();
                    commands.push(AppCommand::Op(Op::SplitEntity {
                        entity: entity.id,
                        mentions: marked,
                        new_name: name,
                    }));
                    self.split_marked.clear();
                    self.split_name.clear();
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: u64, name: &str, ty: &str, mentions: usize, aliases: &[&str]) -> EntityRow {
        EntityRow {
            id: EntityId(id),
            name: name.into(),
            entity_type: ty.into(),
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            mentions,
            documents: 1,
        }
    }

    #[test]
    fn rows_filter_and_sort() {
        let rows = vec![
            row(1, "Moscow", "GPE", 3, &[]),
            row(2, "Irina Volkova", "PER", 5, &["Volkova"]),
            row(3, "armenia", "GPE", 7, &[]),
        ];
        let names = |v: Vec<&EntityRow>| v.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
        assert_eq!(
            names(visible_rows(&rows, None, "", SortColumn::Mentions, false)),
            ["armenia", "Irina Volkova", "Moscow"]
        );
        assert_eq!(
            names(visible_rows(&rows, Some("GPE"), "", SortColumn::Name, true)),
            ["armenia", "Moscow"]
        );
        assert_eq!(
            names(visible_rows(&rows, None, "volk", SortColumn::Name, true)),
            ["Irina Volkova"]
        );
    }

    #[test]
    fn aliases_are_parsed_from_a_comma_list() {
        assert_eq!(
            parse_aliases(" CSTO, ,the bloc,CSTO "),
            vec!["CSTO".to_string(), "the bloc".to_string()]
        );
    }
}
