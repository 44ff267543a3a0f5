//! The Find tab: search the whole project (plain text, whole words, regular expression, or
//! the spans of one type or the mentions of one entity), list the hits in context grouped
//! by document, jump to a hit, and tag every hit at once (one undoable step).

use super::commands::AppCommand;
use super::theme::type_color;
use super::widgets::{document_group_heading, type_filter_combo};
use crate::model::{DocumentId, EntityId, Project};
use crate::search::{Hit, Mode, Query, SearchError, SearchResults, search};
use crate::session::Op;
use egui::text::LayoutJob;
use egui::{Color32, FontId, RichText, TextFormat, Ui};

/// Hits drawn in the list at most.
const MAX_ROWS: usize = 500;
/// Chars of context shown on each side of a hit.
const SHOWN_CONTEXT: usize = 36;

pub struct SearchPanel {
    pub pattern: String,
    pub mode: Mode,
    pub case_sensitive: bool,
    /// Search only the spans of this type.
    pub entity_type: Option<String>,
    /// Search only the mentions of this entity.
    pub entity: Option<EntityId>,
    /// The type "Annotate all hits" tags with (the schema's first type until chosen).
    pub annotate_type: Option<String>,
    /// The last search: its query, the project revision it ran on, and its outcome.
    last: Option<(Query, u64, Result<SearchResults, SearchError>)>,
    /// Set by Ctrl+F: focus the query field on the next frame.
    pub focus_requested: bool,
}

impl Default for SearchPanel {
    fn default() -> SearchPanel {
        SearchPanel {
            pattern: String::new(),
            mode: Mode::Plain,
            case_sensitive: false,
            entity_type: None,
            entity: None,
            annotate_type: None,
            last: None,
            focus_requested: false,
        }
    }
}

fn mode_label(mode: Mode) -> &'static str {
    match mode {
        Mode::Plain => "Plain",
        Mode::WholeWord => "Whole word",
        Mode::Regex => "Regex",
    }
}

impl SearchPanel {
    pub fn query(&self) -> Query {
        Query {
            pattern: self.pattern.clone(),
            mode: self.mode,
            case_sensitive: self.case_sensitive,
            entity_type: self.entity_type.clone(),
            entity: self.entity,
        }
    }

    /// The hits of the last search (empty before the first search or after an error).
    pub fn hits(&self) -> &[Hit] {
        match &self.last {
            Some((_, _, Ok(r))) => &r.hits,
            _ => &[],
        }
    }

    /// Runs the current query.
    pub fn run(&mut self, project: &Project) {
        let query = self.query();
        let outcome = search(project, &query);
        self.last = Some((query, project.revision, outcome));
    }

    /// Runs the last query again when the project changed since (hits move with the spans).
    fn refresh(&mut self, project: &Project) {
        if let Some((query, revision, _)) = &self.last
            && *revision != project.revision
        {
            let query = query.clone();
            let outcome = search(project, &query);
            self.last = Some((query, project.revision, outcome));
        }
    }

    pub fn ui(&mut self, ui: &mut Ui, project: &Project, commands: &mut Vec<AppCommand>) {
        self.refresh(project);
        ui.add_space(4.0);
        ui.heading("Find in project");
        let mut go = false;
        ui.horizontal(|ui| {
            let label = ui.label("Search for");
            let response = ui
                .add(
                    egui::TextEdit::singleline(&mut self.pattern)
                        .hint_text("text, word or regex")
                        .desired_width((ui.available_width() - SEARCH_BUTTON_WIDTH).max(80.0)),
                )
                .labelled_by(label.id);
            if self.focus_requested {
                response.request_focus();
                self.focus_requested = false;
            }
            if response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
                go = true;
            }
            if ui
                .add(egui::Button::new("Search").wrap_mode(egui::TextWrapMode::Extend))
                .clicked()
            {
                go = true;
            }
        });
        egui::Grid::new("find_options")
            .num_columns(2)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                grid_label(ui, "Match");
                ui.horizontal_wrapped(|ui| {
                    for mode in [Mode::Plain, Mode::WholeWord, Mode::Regex] {
                        ui.radio_value(&mut self.mode, mode, mode_label(mode));
                    }
                });
                ui.end_row();
                ui.label("");
                ui.checkbox(&mut self.case_sensitive, "Case sensitive");
                ui.end_row();
                let type_label = grid_label(ui, "In spans of");
                let width = ui.spacing().combo_width;
                type_filter_combo(
                    ui,
                    "find_type",
                    &type_label,
                    "any text",
                    width,
                    &project.schema,
                    &mut self.entity_type,
                );
                ui.end_row();
                let entity_label = grid_label(ui, "Mentions of");
                let entity_name = self
                    .entity
                    .and_then(|e| project.entity(e))
                    .map_or_else(|| "any entity".to_string(), |e| e.name.clone());
                egui::ComboBox::from_id_salt("find_entity")
                    .selected_text(entity_name)
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut self.entity, None, "any entity");
                        let mut entities: Vec<_> = project.entities.iter().collect();
                        entities.sort_by_key(|e| e.name.to_lowercase());
                        for e in entities {
                            ui.selectable_value(
                                &mut self.entity,
                                Some(e.id),
                                format!("{} ({})", e.name, e.entity_type),
                            );
                        }
                    })
                    .response
                    .labelled_by(entity_label.id);
                ui.end_row();
            });
        if go {
            self.run(project);
            if let Some(h) = self.hits().first() {
                commands.push(AppCommand::JumpTo {
                    doc: h.doc,
                    start: h.start,
                    end: h.end,
                });
            }
        }

        let Some((_, _, outcome)) = &self.last else {
            ui.add_space(8.0);
            ui.label(
                RichText::new(
                    "Type and press Enter. Pick a type or an entity to search their spans only.",
                )
                .weak(),
            );
            return;
        };
        let results = match outcome {
            Ok(r) => r.clone(),
            Err(e) => {
                ui.add_space(6.0);
                ui.colored_label(ui.visuals().error_fg_color, e.to_string());
                return;
            }
        };
        ui.separator();
        let documents = group_by_document(&results.hits);
        ui.label(format!(
            "{} in {}{}",
            crate::text::count(results.hits.len(), "hit", "hits"),
            crate::text::count(documents.len(), "document", "documents"),
            if results.capped {
                " (stopped at the limit: narrow the search)"
            } else {
                ""
            }
        ));
        self.annotate_ui(ui, project, &results.hits, commands);
        ui.separator();
        let color = self
            .entity_type
            .as_deref()
            .map_or(ui.visuals().strong_text_color(), |t| {
                type_color(&project.schema, t)
            });
        egui::ScrollArea::vertical()
            .id_salt("find_results")
            .auto_shrink(false)
            .show(ui, |ui| {
                let mut shown = 0;
                for (doc, hits) in documents {
                    let title = project.document(doc).map_or("?", |d| d.title.as_str());
                    document_group_heading(ui, title, hits.len());
                    ui.indent(("find_doc", doc), |ui| {
                        for (i, h) in hits.iter().enumerate() {
                            if shown >= MAX_ROWS {
                                break;
                            }
                            shown += 1;
                            ui.push_id(i, |ui| {
                                if kwic_button(ui, &h.left, &h.hit, &h.right, color).clicked() {
                                    commands.push(AppCommand::JumpTo {
                                        doc: h.doc,
                                        start: h.start,
                                        end: h.end,
                                    });
                                }
                            });
                        }
                    });
                }
                if results.hits.len() > MAX_ROWS {
                    ui.label(
                        RichText::new(format!(
                            "{} not listed",
                            crate::text::count(
                                results.hits.len() - MAX_ROWS,
                                "more hit",
                                "more hits"
                            )
                        ))
                        .weak(),
                    );
                }
            });
    }

    fn annotate_ui(
        &mut self,
        ui: &mut Ui,
        project: &Project,
        hits: &[Hit],
        commands: &mut Vec<AppCommand>,
    ) {
        let Some(first) = project.schema.entity_types.first() else {
            return;
        };
        let ty = self
            .annotate_type
            .clone()
            .filter(|t| project.schema.entity_type(t).is_some())
            .unwrap_or_else(|| first.id.clone());
        ui.horizontal_wrapped(|ui| {
            if ui
                .add_enabled(
                    !hits.is_empty(),
                    egui::Button::new(format!("Annotate all hits as {ty}")),
                )
                .on_hover_text("Tag every hit with this type (one step to undo)")
                .clicked()
            {
                commands.push(AppCommand::Op(Op::AnnotateHits {
                    hits: hits.to_vec(),
                    entity_type: ty.clone(),
                }));
            }
            let label = ui.label("type");
            let mut chosen = ty.clone();
            egui::ComboBox::from_id_salt("find_annotate_type")
                .selected_text(&chosen)
                .width(70.0)
                .show_ui(ui, |ui| {
                    for t in &project.schema.entity_types {
                        ui.selectable_value(&mut chosen, t.id.clone(), &t.id);
                    }
                })
                .response
                .labelled_by(label.id);
            if chosen != ty {
                self.annotate_type = Some(chosen);
            }
        });
    }
}

/// Hits grouped by document, in document order.
fn group_by_document(hits: &[Hit]) -> Vec<(DocumentId, Vec<&Hit>)> {
    let mut out: Vec<(DocumentId, Vec<&Hit>)> = Vec::new();
    for h in hits {
        match out.last_mut() {
            Some((d, list)) if *d == h.doc => list.push(h),
            _ => out.push((h.doc, vec![h])),
        }
    }
    out
}

/// The end of `s` cut to about `max` chars at a word boundary, with an ellipsis.
pub(super) fn tail(s: &str, max: usize) -> String {
    let n = s.chars().count();
    if n <= max {
        return s.to_string();
    }
    let cut: String = s.chars().skip(n - max).collect();
    let cut = match cut.find(' ') {
        Some(i) if i < max / 2 => &cut[i + 1..],
        _ => cut.as_str(),
    };
    format!("…{cut}")
}

/// The start of `s` cut to about `max` chars at a word boundary, with an ellipsis.
pub(super) fn head(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    let cut = match cut.rfind(' ') {
        Some(i) if i > max / 2 => &cut[..i],
        _ => cut.as_str(),
    };
    format!("{cut}…")
}

/// Room kept beside the search field for the Search button.
const SEARCH_BUTTON_WIDTH: f32 = 70.0;

/// A short label in the first column of an options grid: never wrapped into a narrow column.
pub(super) fn grid_label(ui: &mut Ui, text: &str) -> egui::Response {
    ui.add(egui::Label::new(text).extend())
}

/// A keyword-in-context line as a frameless button: left context, the hit in bold colour,
/// right context.
pub(super) fn kwic_button(
    ui: &mut Ui,
    left: &str,
    hit: &str,
    right: &str,
    hit_color: Color32,
) -> egui::Response {
    let font = FontId::proportional(13.0);
    let plain = TextFormat {
        font_id: font.clone(),
        color: ui.visuals().text_color(),
        ..Default::default()
    };
    let strong = TextFormat {
        font_id: font,
        color: ui.visuals().strong_text_color(),
        background: hit_color.gamma_multiply(0.35),
        ..Default::default()
    };
    let mut job = LayoutJob::default();
    job.append(&tail(left, SHOWN_CONTEXT), 0.0, plain.clone());
    job.append(hit, 0.0, strong);
    job.append(&head(right, SHOWN_CONTEXT), 0.0, plain);
    ui.add(egui::Button::new(job).frame(false).wrap())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_is_cut_at_words() {
        assert_eq!(tail("short", 10), "short");
        assert_eq!(tail("one two three four five", 12), "…four five");
        assert_eq!(head("one two three four five", 12), "one two…");
        assert_eq!(head("Zürich Zürich Zürich", 100), "Zürich Zürich Zürich");
    }
}
