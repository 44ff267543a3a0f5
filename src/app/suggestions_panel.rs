//! Reviewing suggestions: run the engines in the background (progress, cancel), filter by
//! type, engine and score, step through them, accept or reject one by one or in bulk. The
//! run and what is still pending live in the core (`session::Review`); this panel draws them.

use super::commands::{self, AppCommand};
use super::search_panel::grid_label;
use super::theme::type_color;
use super::widgets::{swatch_button, type_filter_combo};
use crate::model::{DocumentId, Project};
use crate::session::review::{Review, RunRequest, SuggestionFilter, Wake};
use crate::suggest::{ENGINE_NAMES, RelationSuggestion, Suggestion};
use egui::{RichText, Ui};
use std::sync::Arc;
use std::time::Instant;

/// Rows drawn in the list at most (the rest are reachable with Next and the filters).
const MAX_ROWS: usize = 400;

pub struct SuggestionsPanel {
    pub engines: Vec<(&'static str, bool)>,
    pub filter: SuggestionFilter,
    pub all_documents: bool,
    pub auto_refresh: bool,
    pub list: SuggestionList,
}

impl Default for SuggestionsPanel {
    fn default() -> SuggestionsPanel {
        SuggestionsPanel {
            engines: ENGINE_NAMES.iter().map(|n| (*n, true)).collect(),
            filter: SuggestionFilter::default(),
            all_documents: false,
            auto_refresh: false,
            list: SuggestionList::default(),
        }
    }
}

impl SuggestionsPanel {
    fn request(&self) -> RunRequest {
        RunRequest {
            engines: self
                .engines
                .iter()
                .filter(|(_, on)| *on)
                .map(|(n, _)| n.to_string())
                .collect(),
        }
    }

    /// Starts the checked engines on a snapshot of the project.
    pub fn start(&self, review: &mut Review, project: &Project, ctx: &egui::Context) {
        let ctx = ctx.clone();
        let wake: Wake = Arc::new(move || ctx.request_repaint());
        review.start(project, self.request(), wake);
    }

    /// Collects finished results and starts automatic refreshes; call once per frame.
    pub fn poll(&self, review: &mut Review, project: &Project, ctx: &egui::Context) {
        if review.poll(project, self.auto_refresh, Instant::now()) {
            self.start(review, project, ctx);
        } else if self.auto_refresh && review.refresh_waiting() {
            ctx.request_repaint_after(crate::session::review::AUTO_REFRESH_AFTER);
        }
    }

    /// The suggestions the text of a document shows (ghosts), overlaps resolved.
    pub fn shown_for(
        &self,
        review: &mut Review,
        project: &Project,
        doc: Option<DocumentId>,
    ) -> Vec<Suggestion> {
        match doc {
            Some(doc) => review.shown_in(project, doc, &self.filter),
            None => Vec::new(),
        }
    }

    /// The relation suggestions of a document still to decide (listed here, drawn as dashed
    /// arcs in the text).
    pub fn relations_shown_for(
        &self,
        review: &Review,
        project: &Project,
        doc: Option<DocumentId>,
    ) -> Vec<RelationSuggestion> {
        match doc {
            Some(doc) => review.relations_pending(project, doc, self.filter.min_score),
            None => Vec::new(),
        }
    }

    /// Draws the panel. `focused` is the document view's focused ghost (an index into the
    /// current document's shown suggestions).
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        review: &mut Review,
        project: &Project,
        doc: Option<DocumentId>,
        focused: &mut Option<usize>,
        commands: &mut Vec<AppCommand>,
    ) {
        ui.add_space(4.0);
        ui.heading("Suggestions");
        ui.horizontal_wrapped(|ui| {
            for (name, on) in &mut self.engines {
                ui.checkbox(on, *name);
            }
        });
        ui.horizontal(|ui| {
            if let Some((done, total)) = review.progress() {
                ui.add(
                    egui::ProgressBar::new(done as f32 / total.max(1) as f32)
                        .desired_width(150.0)
                        .text(format!("{done} / {total}")),
                );
                if ui.button("Cancel").clicked() {
                    review.cancel();
                }
            } else if ui
                .button(RichText::new("Suggest").strong())
                .on_hover_text("Run the checked engines over every document")
                .clicked()
            {
                self.start(review, project, ui.ctx());
            }
        });
        ui.checkbox(&mut self.auto_refresh, "Refresh after edits")
            .on_hover_text("Re-learn from your annotations and suggest again when you pause");
        if !review.message.is_empty() {
            ui.label(RichText::new(&review.message).weak());
        }
        if !review.has_results() {
            ui.add_space(8.0);
            ui.label(
                RichText::new(
                    "Run the engines to see suggestions here and as dashed boxes in the text.",
                )
                .weak(),
            );
            return;
        }
        ui.separator();
        egui::Grid::new("suggestion_filters")
            .num_columns(2)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                let type_label = grid_label(ui, "Type");
                let width = ui.spacing().combo_width;
                type_filter_combo(
                    ui,
                    "suggestion_type",
                    &type_label,
                    "all",
                    width,
                    &project.schema,
                    &mut self.filter.entity_type,
                );
                ui.end_row();
                let engine_label = grid_label(ui, "Engine");
                egui::ComboBox::from_id_salt("suggestion_engine")
                    .selected_text(self.filter.engine.clone().unwrap_or_else(|| "all".into()))
                    .show_ui(ui, |ui| {
                        ui.selectable_value(&mut self.filter.engine, None, "all");
                        for e in ENGINE_NAMES {
                            ui.selectable_value(&mut self.filter.engine, Some(e.to_string()), *e);
                        }
                    })
                    .response
                    .labelled_by(engine_label.id);
                ui.end_row();
                let score_label = grid_label(ui, "Min score");
                ui.add(egui::Slider::new(&mut self.filter.min_score, 0.0..=1.0).fixed_decimals(2))
                    .labelled_by(score_label.id);
                ui.end_row();
                grid_label(ui, "Scope");
                ui.horizontal(|ui| {
                    ui.radio_value(&mut self.all_documents, false, "this document");
                    ui.radio_value(&mut self.all_documents, true, "all");
                });
                ui.end_row();
            });

        let shown: Vec<Suggestion> = match (self.all_documents, doc) {
            (true, _) => review.pending(project, None, &self.filter),
            (false, Some(doc)) => review.pending(project, Some(doc), &self.filter),
            (false, None) => Vec::new(),
        };
        // Next/Previous step through what the text shows (the document view's ghosts).
        let here: Vec<Suggestion> = self.shown_for(review, project, doc);
        ui.horizontal(|ui| {
            ui.label(format!("{} shown", shown.len()));
            if ui
                .add_enabled(!here.is_empty(), egui::Button::new("Previous"))
                .clicked()
            {
                *focused = Some(focused.map_or(here.len() - 1, |i| i.saturating_sub(1)));
                jump(&here, *focused, commands);
            }
            if ui
                .add_enabled(!here.is_empty(), egui::Button::new("Next"))
                .clicked()
            {
                *focused = Some(focused.map_or(0, |i| (i + 1).min(here.len() - 1)));
                jump(&here, *focused, commands);
            }
        });
        ui.horizontal_wrapped(|ui| {
            if ui
                .add_enabled(!shown.is_empty(), egui::Button::new("Accept shown"))
                .clicked()
            {
                commands.push(commands::accept(shown.clone()));
            }
            if ui
                .add_enabled(!shown.is_empty(), egui::Button::new("Reject shown"))
                .clicked()
            {
                commands.push(commands::reject(shown.clone()));
            }
            ui.menu_button("Accept type…", |ui| {
                for t in &project.schema.entity_types {
                    let of_type: Vec<Suggestion> = shown
                        .iter()
                        .filter(|s| s.entity_type == t.id)
                        .cloned()
                        .collect();
                    if ui
                        .add_enabled(
                            !of_type.is_empty(),
                            egui::Button::new(format!("{} ({})", t.id, of_type.len())),
                        )
                        .clicked()
                    {
                        commands.push(commands::accept(of_type));
                        ui.close();
                    }
                }
            });
            ui.menu_button("Reject engine…", |ui| {
                for e in ENGINE_NAMES {
                    let of_engine: Vec<Suggestion> =
                        shown.iter().filter(|s| s.is_from(e)).cloned().collect();
                    if ui
                        .add_enabled(
                            !of_engine.is_empty(),
                            egui::Button::new(format!("{e} ({})", of_engine.len())),
                        )
                        .clicked()
                    {
                        commands.push(commands::reject(of_engine));
                        ui.close();
                    }
                }
            });
        });
        let relations = self.relations_shown_for(review, project, doc);
        ui.separator();
        // Spans and relations are two lists side by side (as tabs), each with the whole
        // height to scroll in.
        ui.horizontal_wrapped(|ui| {
            ui.selectable_value(
                &mut self.list,
                SuggestionList::Spans,
                format!("Spans ({})", shown.len()),
            );
            ui.selectable_value(
                &mut self.list,
                SuggestionList::Relations,
                format!("Relations here ({})", relations.len()),
            );
        });
        match self.list {
            SuggestionList::Spans => {
                self.spans_list_ui(ui, project, &shown, &here, focused, commands)
            }
            SuggestionList::Relations => relations_list_ui(ui, project, &relations, commands),
        }
    }

    /// The span suggestions, grouped by type (in schema order), each group in reading order.
    fn spans_list_ui(
        &self,
        ui: &mut Ui,
        project: &Project,
        shown: &[Suggestion],
        here: &[Suggestion],
        focused: &mut Option<usize>,
        commands: &mut Vec<AppCommand>,
    ) {
        let order = |ty: &str| {
            project
                .schema
                .entity_types
                .iter()
                .position(|t| t.id == ty)
                .unwrap_or(usize::MAX)
        };
        let mut grouped: Vec<&Suggestion> = shown.iter().take(MAX_ROWS).collect();
        grouped.sort_by_key(|s| order(&s.entity_type));
        egui::ScrollArea::vertical()
            .id_salt("suggestion_list")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let mut current_type: Option<&str> = None;
                for (row, s) in grouped.iter().enumerate() {
                    let Some(d) = project.document(s.document) else {
                        continue;
                    };
                    if current_type != Some(s.entity_type.as_str()) {
                        current_type = Some(s.entity_type.as_str());
                        let label = project
                            .schema
                            .entity_type(&s.entity_type)
                            .map_or(s.entity_type.as_str(), |t| t.label.as_str());
                        ui.add_space(4.0);
                        ui.label(RichText::new(label).strong());
                    }
                    let index_here = here.iter().position(|h| h == *s);
                    let is_focused = index_here.is_some() && index_here == *focused;
                    ui.push_id(row, |ui| {
                        let text = format!("“{}”  {:.2}", d.slice(s.start, s.end), s.score);
                        let r =
                            swatch_button(ui, type_color(&project.schema, &s.entity_type), &text);
                        let r = if is_focused { r.highlight() } else { r };
                        if r.on_hover_text(format!("{}: {}", s.engine, s.explanation))
                            .clicked()
                        {
                            *focused = index_here;
                            commands.push(AppCommand::JumpTo {
                                doc: s.document,
                                start: s.start,
                                end: s.end,
                            });
                        }
                        ui.horizontal_wrapped(|ui| {
                            ui.add_space(18.0);
                            if ui.small_button("Accept").clicked() {
                                commands.push(commands::accept(vec![(*s).clone()]));
                            }
                            if ui.small_button("Reject").clicked() {
                                commands.push(commands::reject(vec![(*s).clone()]));
                            }
                            if self.all_documents {
                                ui.label(RichText::new(&d.title).small().weak());
                            }
                        });
                    });
                }
                if shown.len() > MAX_ROWS {
                    ui.label(
                        RichText::new(format!(
                            "{} more: narrow the filters",
                            shown.len() - MAX_ROWS
                        ))
                        .weak(),
                    );
                }
            });
    }
}

/// Which list the panel shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SuggestionList {
    #[default]
    Spans,
    Relations,
}

/// The relation suggestions of the current document.
fn relations_list_ui(
    ui: &mut Ui,
    project: &Project,
    relations: &[RelationSuggestion],
    commands: &mut Vec<AppCommand>,
) {
    egui::ScrollArea::vertical()
        .id_salt("relation_suggestion_list")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            if relations.is_empty() {
                ui.label(RichText::new("No relation suggestions in this document").weak());
            }
            for (row, r) in relations.iter().enumerate() {
                let Some(d) = project.document(r.document) else {
                    continue;
                };
                let label = project
                    .schema
                    .relation_type(&r.relation_type)
                    .map_or(r.relation_type.as_str(), |t| t.label.as_str());
                ui.push_id(("relation", row), |ui| {
                    ui.label(format!(
                        "“{}” {label} “{}”  {:.2}",
                        d.slice(r.source.start, r.source.end),
                        d.slice(r.target.start, r.target.end),
                        r.score
                    ))
                    .on_hover_text(format!("{}: {}", r.engine, r.explanation));
                    ui.horizontal_wrapped(|ui| {
                        ui.add_space(18.0);
                        if ui
                            .small_button("Accept")
                            .on_hover_text(
                                "Adds the relation, and its ends if they are still suggestions",
                            )
                            .clicked()
                        {
                            commands.push(commands::accept_relations(vec![r.clone()]));
                        }
                        if ui.small_button("Reject").clicked() {
                            commands.push(commands::reject_relations(vec![r.clone()]));
                        }
                    });
                });
            }
        });
}

fn jump(here: &[Suggestion], focused: Option<usize>, commands: &mut Vec<AppCommand>) {
    if let Some(s) = focused.and_then(|i| here.get(i)) {
        commands.push(AppCommand::JumpTo {
            doc: s.document,
            start: s.start,
            end: s.end,
        });
    }
}
