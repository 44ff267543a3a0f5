//! The right panel: everything about the selected span or relation, all editable.

use super::commands::AppCommand;
use super::document_view::Selection;
use super::documents_panel::{set_status, status_color};
use super::theme::type_color;
use super::widgets::{field_row, swatch_button, tag_menu_ui};
use crate::model::{
    Document, DocumentId, DocumentMetadata, DocumentStatus, Project, Relation, Span,
};
use crate::session::Op;
use egui::{RichText, Ui};

/// Note being edited, committed as one edit when the field loses focus.
#[derive(Default)]
pub struct Inspector {
    note: String,
    note_owner: Option<Selection>,
    details: DocumentDetails,
}

/// The open document's title and metadata as edited in the inspector. A field commits when
/// it loses focus; the buffers reload when the document, or what it holds (undo, an edit
/// made elsewhere), changes.
#[derive(Default)]
struct DocumentDetails {
    title: String,
    date: String,
    author: String,
    outlet: String,
    url: String,
    language: String,
    note: String,
    /// What the buffers were loaded from.
    loaded: Option<(DocumentId, String, DocumentMetadata)>,
}

impl DocumentDetails {
    fn load(&mut self, doc: &Document) {
        let m = &doc.metadata;
        if self
            .loaded
            .as_ref()
            .is_some_and(|(id, title, meta)| *id == doc.id && *title == doc.title && meta == m)
        {
            return;
        }
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        self.title = doc.title.clone();
        self.date = text(&m.date);
        self.author = text(&m.author);
        self.outlet = text(&m.source);
        self.url = text(&m.url);
        self.language = text(&m.language);
        self.note = text(&m.note);
        self.loaded = Some((doc.id, doc.title.clone(), m.clone()));
    }

    /// The metadata the buffers describe (blank fields are cleared by the core).
    fn metadata(&self, doc: &Document) -> DocumentMetadata {
        let some = |v: &str| Some(v.to_string());
        DocumentMetadata {
            date: some(&self.date),
            author: some(&self.author),
            source: some(&self.outlet),
            url: some(&self.url),
            language: some(&self.language),
            note: some(&self.note),
            extra: doc.metadata.extra.clone(),
            pages: doc.metadata.pages.clone(),
        }
    }

    /// The operations that bring the document in line with the buffers.
    fn commit(&self, doc: &Document, commands: &mut Vec<AppCommand>) {
        if self.title.trim() != doc.title {
            commands.push(AppCommand::Op(Op::SetDocumentTitle {
                doc: doc.id,
                title: self.title.clone(),
            }));
        }
        let metadata = self.metadata(doc);
        if metadata.clone().tidied() != doc.metadata {
            commands.push(AppCommand::Op(Op::SetDocumentMetadata {
                doc: doc.id,
                metadata: Box::new(metadata),
            }));
        }
    }

    /// Title, date, author, outlet, URL, language and note, each a labelled field.
    fn ui(&mut self, ui: &mut Ui, doc: &Document, commands: &mut Vec<AppCommand>) {
        self.load(doc);
        let mut done = false;
        let label_width = 64.0;
        let fields: [(&str, &str, &mut String); 6] = [
            ("Title", "", &mut self.title),
            ("Date", "YYYY-MM-DD", &mut self.date),
            ("Author", "", &mut self.author),
            ("Outlet", "publisher or agency", &mut self.outlet),
            ("URL", "https://…", &mut self.url),
            ("Language", "en, hy, ru…", &mut self.language),
        ];
        for (name, hint, value) in fields {
            done |= field_row(ui, label_width, name, |ui, label| {
                wrapping_line_ui(ui, value, hint, label)
            });
        }
        let date = self.date.trim();
        if !date.is_empty() && !crate::model::is_iso_date(date) {
            ui.label(
                RichText::new("Dates read as YYYY-MM-DD (a time may follow)")
                    .small()
                    .color(ui.visuals().warn_fg_color),
            );
        }
        if !doc.source.is_empty() {
            ui.label(RichText::new(format!("Imported from {}", doc.source)).weak());
        }
        for (key, value) in &doc.metadata.extra {
            ui.label(RichText::new(format!("{key}: {value}")).weak());
        }
        let label = ui.label("Note");
        let response = ui
            .add(
                egui::TextEdit::multiline(&mut self.note)
                    .desired_rows(2)
                    .desired_width(f32::INFINITY)
                    .hint_text("about the whole document…"),
            )
            .labelled_by(label.id);
        done |= response.lost_focus();
        if done {
            self.commit(doc, commands);
        }
    }
}

impl Inspector {
    /// Draws the inspector; returns a new selection when the user clicked a related item.
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        project: &Project,
        doc: Option<&Document>,
        selection: Selection,
        commands: &mut Vec<AppCommand>,
    ) -> Option<Selection> {
        ui.add_space(4.0);
        let Some(doc) = doc else {
            ui.heading("Inspector");
            ui.label("Open or import a document to start.");
            return None;
        };
        match selection {
            Selection::Span(id) => match doc.span(id) {
                Some(span) => self.span_ui(ui, project, doc, span, commands),
                None => None,
            },
            Selection::Relation(id) => match doc.relation(id) {
                Some(rel) => self.relation_ui(ui, project, doc, rel, commands),
                None => None,
            },
            Selection::Range { start, end } => {
                ui.heading("Selected text");
                ui.label(RichText::new(format!("“{}”", doc.slice(start, end))).size(16.0));
                ui.label(RichText::new(format!("characters {start}–{end}")).weak());
                ui.add_space(6.0);
                ui.label("Press a type key, or pick a type:");
                tag_menu_ui(ui, project, doc.id, start..end, commands);
                None
            }
            Selection::None => {
                document_summary_ui(ui, project, doc, &mut self.details, commands);
                None
            }
        }
    }

    fn note_ui(
        &mut self,
        ui: &mut Ui,
        owner: Selection,
        current: &str,
        make_op: impl FnOnce(String) -> Op,
        commands: &mut Vec<AppCommand>,
    ) {
        if self.note_owner != Some(owner) {
            self.note_owner = Some(owner);
            self.note = current.to_string();
        }
        let label = ui.label("Note");
        let response = ui
            .add(
                egui::TextEdit::multiline(&mut self.note)
                    .desired_rows(3)
                    .desired_width(f32::INFINITY)
                    .hint_text("why, source, doubts…"),
            )
            .labelled_by(label.id);
        if response.lost_focus() && self.note != current {
            commands.push(AppCommand::Op(make_op(self.note.clone())));
        }
    }

    fn span_ui(
        &mut self,
        ui: &mut Ui,
        project: &Project,
        doc: &Document,
        span: &Span,
        commands: &mut Vec<AppCommand>,
    ) -> Option<Selection> {
        let mut select = None;
        ui.heading("Span");
        ui.label(
            RichText::new(format!("“{}”", doc.span_text(span)))
                .size(17.0)
                .strong(),
        );
        ui.label(
            RichText::new(format!(
                "{} · characters {}–{}",
                span.id, span.start, span.end
            ))
            .weak(),
        );
        ui.add_space(6.0);
        egui::Grid::new("span_grid")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                let type_label = ui.label("Type");
                let current = project
                    .schema
                    .entity_type(&span.entity_type)
                    .map_or(span.entity_type.to_string(), |t| {
                        format!("{}  {}", t.id, t.label)
                    });
                egui::ComboBox::from_id_salt("span_type")
                    .selected_text(current)
                    .show_ui(ui, |ui| {
                        for t in &project.schema.entity_types {
                            if swatch_button(
                                ui,
                                type_color(&project.schema, &t.id),
                                &format!("{}  {}", t.id, t.label),
                            )
                            .clicked()
                                && t.id != span.entity_type
                            {
                                commands.push(AppCommand::Op(Op::Retype {
                                    doc: doc.id,
                                    span: span.id,
                                    entity_type: t.id.clone(),
                                }));
                                ui.close();
                            }
                        }
                    })
                    .response
                    .labelled_by(type_label.id);
                ui.end_row();

                let entity_label = ui.label("Entity");
                let linked = span.entity.and_then(|e| project.entity(e));
                let text = linked.map_or("— not linked —".to_string(), |e| e.name.clone());
                egui::ComboBox::from_id_salt("span_entity")
                    .selected_text(text)
                    .show_ui(ui, |ui| {
                        if ui
                            .selectable_label(span.entity.is_none(), "— not linked —")
                            .clicked()
                            && span.entity.is_some()
                        {
                            commands.push(link(doc, span, None));
                        }
                        for e in project
                            .entities
                            .iter()
                            .filter(|e| e.entity_type == span.entity_type)
                        {
                            if ui
                                .selectable_label(span.entity == Some(e.id), &e.name)
                                .clicked()
                                && span.entity != Some(e.id)
                            {
                                commands.push(link(doc, span, Some(e.id)));
                            }
                        }
                    })
                    .response
                    .labelled_by(entity_label.id);
                ui.end_row();

                ui.label("");
                if ui
                    .button("New entity from this mention")
                    .on_hover_text(
                        "Create a knowledge-base entity named after this text and link it",
                    )
                    .clicked()
                {
                    commands.push(AppCommand::Op(Op::CreateEntityFromSpan {
                        doc: doc.id,
                        span: span.id,
                    }));
                }
                ui.end_row();

                if let Some(e) = linked.filter(|e| !e.references.is_empty()) {
                    ui.label("References");
                    ui.label(e.references.join(", "))
                        .on_hover_text("The entity's identifiers in outside knowledge bases");
                    ui.end_row();
                }
                if !span.fragments.is_empty() {
                    let pieces: Vec<&str> = span
                        .fragments
                        .iter()
                        .map(|&(a, b)| doc.slice(a, b))
                        .collect();
                    ui.label("Fragments");
                    ui.label(pieces.join(" … "));
                    ui.end_row();
                }
                if span.event {
                    ui.label("Event");
                    ui.label("trigger of an event; its role relations are the arguments");
                    ui.end_row();
                }
                for (name, value) in &span.attributes {
                    ui.label(name);
                    ui.label(if value.is_empty() { "yes" } else { value });
                    ui.end_row();
                }

                ui.label("Origin");
                ui.label(span.origin.describe());
                ui.end_row();
            });
        made_line(ui, span.made.as_ref());
        ui.add_space(6.0);
        let (doc_id, span_id) = (doc.id, span.id);
        self.note_ui(
            ui,
            Selection::Span(span.id),
            &span.note,
            |note| Op::SetSpanNote {
                doc: doc_id,
                span: span_id,
                note,
            },
            commands,
        );
        ui.add_space(8.0);
        ui.label(RichText::new("Relations").strong());
        let mut any = false;
        for rel in doc.relations_of(span.id) {
            any = true;
            let outgoing = rel.source == span.id;
            let other = if outgoing { rel.target } else { rel.source };
            let other_text = doc.span(other).map_or("?", |s| doc.span_text(s));
            let label = project
                .schema
                .relation_type(&rel.relation_type)
                .map_or(rel.relation_type.as_str(), |t| t.label.as_str());
            let text = if outgoing {
                format!("-> {label}  “{other_text}”")
            } else {
                format!("<- {label}  “{other_text}”")
            };
            ui.horizontal(|ui| {
                if ui
                    .link(text)
                    .on_hover_text("Select this relation")
                    .clicked()
                {
                    select = Some(Selection::Relation(rel.id));
                }
                if ui
                    .small_button("Delete")
                    .on_hover_text("Delete this relation")
                    .clicked()
                {
                    commands.push(AppCommand::Op(Op::DeleteRelation {
                        doc: doc.id,
                        relation: rel.id,
                    }));
                }
            });
        }
        if !any {
            ui.label(RichText::new("none — press R, then click another span").weak());
        }
        ui.add_space(10.0);
        if ui
            .button("Delete span")
            .on_hover_text("Delete (with its relations)")
            .clicked()
        {
            commands.push(AppCommand::Op(Op::DeleteSpan {
                doc: doc.id,
                span: span.id,
            }));
            select = Some(Selection::None);
        }
        select
    }

    fn relation_ui(
        &mut self,
        ui: &mut Ui,
        project: &Project,
        doc: &Document,
        rel: &Relation,
        commands: &mut Vec<AppCommand>,
    ) -> Option<Selection> {
        let mut select = None;
        ui.heading("Relation");
        ui.label(RichText::new(rel.id.to_string()).weak());
        let (Some(source), Some(target)) = (doc.span(rel.source), doc.span(rel.target)) else {
            return None;
        };
        ui.add_space(6.0);
        egui::Grid::new("relation_grid")
            .num_columns(2)
            .spacing([8.0, 6.0])
            .show(ui, |ui| {
                ui.label("From");
                if ui
                    .link(format!(
                        "“{}” ({})",
                        doc.span_text(source),
                        source.entity_type
                    ))
                    .clicked()
                {
                    select = Some(Selection::Span(source.id));
                }
                ui.end_row();
                let type_label = ui.label("Type");
                let label = project
                    .schema
                    .relation_type(&rel.relation_type)
                    .map_or(rel.relation_type.as_str(), |t| t.label.as_str());
                egui::ComboBox::from_id_salt("relation_type")
                    .selected_text(label)
                    .show_ui(ui, |ui| {
                        for rt in project
                            .schema
                            .relation_types_between(&source.entity_type, &target.entity_type)
                        {
                            if ui
                                .selectable_label(rt.id == rel.relation_type, &rt.label)
                                .clicked()
                                && rt.id != rel.relation_type
                            {
                                commands.push(AppCommand::Op(Op::SetRelationType {
                                    doc: doc.id,
                                    relation: rel.id,
                                    relation_type: rt.id.clone(),
                                }));
                            }
                        }
                    })
                    .response
                    .labelled_by(type_label.id);
                ui.end_row();
                ui.label("To");
                if ui
                    .link(format!(
                        "“{}” ({})",
                        doc.span_text(target),
                        target.entity_type
                    ))
                    .clicked()
                {
                    select = Some(Selection::Span(target.id));
                }
                ui.end_row();
                ui.label("Origin");
                ui.label(rel.origin.describe());
                ui.end_row();
            });
        made_line(ui, rel.made.as_ref());
        if ui.button("Swap direction").clicked() {
            commands.push(AppCommand::Op(Op::SwapRelationEnds {
                doc: doc.id,
                relation: rel.id,
            }));
        }
        ui.add_space(6.0);
        let (doc_id, rel_id) = (doc.id, rel.id);
        self.note_ui(
            ui,
            Selection::Relation(rel.id),
            &rel.note,
            |note| Op::SetRelationNote {
                doc: doc_id,
                relation: rel_id,
                note,
            },
            commands,
        );
        ui.add_space(10.0);
        if ui.button("Delete relation").clicked() {
            commands.push(AppCommand::Op(Op::DeleteRelation {
                doc: doc.id,
                relation: rel.id,
            }));
            select = Some(Selection::None);
        }
        select
    }
}

/// A one-line value that wraps when long (a title, a URL) instead of scrolling sideways;
/// Enter ends the edit. True when the edit ended this frame.
fn wrapping_line_ui(ui: &mut Ui, value: &mut String, hint: &str, label: egui::Id) -> bool {
    let response = ui
        .add(
            egui::TextEdit::multiline(value)
                .hint_text(hint)
                .desired_rows(1)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(label);
    if value.contains(['\n', '\r']) {
        value.retain(|c| c != '\n' && c != '\r');
        response.surrender_focus();
        return true;
    }
    response.lost_focus()
}

fn link(doc: &Document, span: &Span, entity: Option<crate::model::EntityId>) -> AppCommand {
    AppCommand::Op(Op::Link {
        doc: doc.id,
        span: span.id,
        entity,
    })
}

fn document_summary_ui(
    ui: &mut Ui,
    project: &Project,
    doc: &Document,
    details: &mut DocumentDetails,
    commands: &mut Vec<AppCommand>,
) {
    ui.heading("Document");
    ui.horizontal_wrapped(|ui| {
        ui.label("Status");
        for status in DocumentStatus::ALL {
            let text = RichText::new(status.label()).color(status_color(status));
            if ui.selectable_label(doc.status == status, text).clicked() && doc.status != status {
                commands.push(set_status(doc.id, status));
            }
        }
    });
    ui.add_space(6.0);
    details.ui(ui, doc, commands);
    ui.add_space(8.0);
    ui.label(format!(
        "{}, {}",
        crate::text::count(doc.spans.len(), "span", "spans"),
        crate::text::count(doc.relations.len(), "relation", "relations")
    ));
    for t in &project.schema.entity_types {
        let n = doc.spans.iter().filter(|s| s.entity_type == t.id).count();
        if n > 0 {
            swatch_button(
                ui,
                type_color(&project.schema, &t.id),
                &format!("{}  {n}", t.label),
            );
        }
    }
    ui.add_space(10.0);
    ui.label(
        RichText::new("Select text and press 1–9 to tag it. Click a span to inspect it.").weak(),
    );
}

/// "made by X on DATE", read only; nothing for annotations from before authorship was kept.
pub(super) fn made_line(ui: &mut Ui, made: Option<&crate::model::Made>) {
    if let Some(made) = made {
        ui.label(
            egui::RichText::new(format!("made by {} on {}", made.by, made.date()))
                .small()
                .weak(),
        );
    }
}
