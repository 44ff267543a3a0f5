//! The Export dialog: format, options and target, then the same `export::export` the CLI uses.

use super::dialogs::{DialogKind, DialogOutcome, FileDialogs};
use crate::export::{ExportFormat, ExportOptions, JsonlShape, Separator, TagScheme, export};
use crate::model::{DocumentId, Project};
use egui::RichText;
use std::path::PathBuf;

pub struct ExportDialog {
    pub open: bool,
    pub format: ExportFormat,
    pub scheme: TagScheme,
    pub jsonl_shape: JsonlShape,
    /// CoNLL columns separated by tabs (doccano) rather than spaces.
    pub tabs: bool,
    pub only_current_document: bool,
    /// Entity types to leave out.
    pub excluded_types: Vec<String>,
    pub target: String,
    pub overwrite: bool,
    pub message: Option<(bool, String)>,
}

impl Default for ExportDialog {
    fn default() -> ExportDialog {
        ExportDialog {
            open: false,
            format: ExportFormat::Html,
            scheme: TagScheme::Iob2,
            jsonl_shape: JsonlShape::Seq,
            tabs: false,
            only_current_document: false,
            excluded_types: Vec::new(),
            target: String::new(),
            overwrite: false,
            message: None,
        }
    }
}

fn describe(format: ExportFormat) -> &'static str {
    match format {
        ExportFormat::Ron => "Marginalia project file (RON)",
        ExportFormat::Json => "The project as JSON",
        ExportFormat::Brat => "brat standoff folder (.txt/.ann, annotation.conf)",
        ExportFormat::Conll => "CoNLL-2003 token/tag file",
        ExportFormat::Jsonl => "doccano JSONL",
        ExportFormat::Csv => "CSV folder: entities, mentions, relations",
        ExportFormat::Graphml => "Entity graph for Gephi / yEd (GraphML)",
        ExportFormat::Html => "Self-contained HTML report to share",
        ExportFormat::LabelStudio => "Label Studio JSON tasks with labels and relations",
        ExportFormat::Spacy => "spaCy JSON training data (for spacy convert)",
        ExportFormat::Webanno => "INCEpTION / WebAnno TSV 3.3 (spans and relations)",
    }
}

impl ExportDialog {
    /// Suggests a target next to the project file.
    fn suggested_target(&self, project_path: Option<&PathBuf>, project: &Project) -> String {
        let stem = project_path
            .and_then(|p| p.file_stem())
            .map_or(project.name.clone(), |s| s.to_string_lossy().into_owned());
        let dir = project_path
            .and_then(|p| p.parent())
            .map(|d| d.to_path_buf())
            .unwrap_or_default();
        let name = if self.format.is_folder() {
            format!("{stem}-{}", self.format.name())
        } else {
            format!("{stem}.{}", self.format.extension())
        };
        dir.join(name).display().to_string()
    }

    pub fn show(
        &mut self,
        ctx: &egui::Context,
        project: &Project,
        project_path: Option<&PathBuf>,
        current_doc: Option<DocumentId>,
        dialogs: &mut dyn FileDialogs,
    ) {
        if !self.open {
            return;
        }
        let mut open = self.open;
        let options_before = self.options_key();
        egui::Window::new("Export")
            .open(&mut open)
            .resizable(false)
            .show(ctx, |ui| {
                egui::Grid::new("export_grid")
                    .num_columns(2)
                    .spacing([10.0, 8.0])
                    .show(ui, |ui| {
                        let format_label = ui.label("Format");
                        let before = self.format;
                        egui::ComboBox::from_id_salt("export_format")
                            .selected_text(self.format.name())
                            .width(260.0)
                            .show_ui(ui, |ui| {
                                for f in ExportFormat::ALL {
                                    ui.selectable_value(
                                        &mut self.format,
                                        f,
                                        format!("{}  —  {}", f.name(), describe(f)),
                                    );
                                }
                            })
                            .response
                            .labelled_by(format_label.id);
                        if before != self.format || self.target.is_empty() {
                            self.target = self.suggested_target(project_path, project);
                        }
                        ui.end_row();
                        ui.label("");
                        ui.label(RichText::new(describe(self.format)).weak());
                        ui.end_row();
                        if self.format == ExportFormat::Conll {
                            ui.label("Tags");
                            ui.horizontal(|ui| {
                                ui.radio_value(&mut self.scheme, TagScheme::Iob2, "IOB2");
                                ui.radio_value(&mut self.scheme, TagScheme::Iob1, "IOB1");
                                ui.radio_value(&mut self.scheme, TagScheme::Bioes, "BIOES");
                                ui.radio_value(&mut self.scheme, TagScheme::Bilou, "BILOU");
                            });
                            ui.end_row();
                            ui.label("");
                            ui.checkbox(&mut self.tabs, "Tab-separated columns (doccano)");
                            ui.end_row();
                        }
                        if self.format == ExportFormat::Jsonl {
                            ui.label("Shape");
                            ui.horizontal(|ui| {
                                ui.radio_value(
                                    &mut self.jsonl_shape,
                                    JsonlShape::Seq,
                                    "Sequence labelling",
                                );
                                ui.radio_value(
                                    &mut self.jsonl_shape,
                                    JsonlShape::Relation,
                                    "With relations",
                                );
                            });
                            ui.end_row();
                        }
                        ui.label("Documents");
                        ui.checkbox(&mut self.only_current_document, "Only the open document");
                        ui.end_row();
                    });
                // The types wrap over several rows: outside the grid, whose rows keep the
                // height of one line and would let them run into the next row.
                ui.add_space(4.0);
                ui.label("Types");
                ui.horizontal_wrapped(|ui| {
                    ui.set_max_width(440.0);
                    for t in &project.schema.entity_types {
                        let mut on = !self.excluded_types.contains(&t.id);
                        if ui
                            .checkbox(&mut on, &t.id)
                            .on_hover_text(&t.label)
                            .changed()
                        {
                            if on {
                                self.excluded_types.retain(|x| *x != t.id);
                            } else {
                                self.excluded_types.push(t.id.clone());
                            }
                        }
                    }
                });
                ui.add_space(6.0);
                egui::Grid::new("export_target_grid")
                    .num_columns(2)
                    .spacing([10.0, 8.0])
                    .show(ui, |ui| {
                        let target_label = ui.label(if self.format.is_folder() {
                            "Folder"
                        } else {
                            "File"
                        });
                        ui.horizontal(|ui| {
                            ui.add(
                                egui::TextEdit::singleline(&mut self.target).desired_width(300.0),
                            )
                            .labelled_by(target_label.id);
                            if ui.button("Browse…").clicked() {
                                match dialogs.show(DialogKind::ExportTarget, &self.target) {
                                    DialogOutcome::Picked(p) => {
                                        if let Some(first) = p.first() {
                                            self.target = first.display().to_string();
                                        }
                                    }
                                    DialogOutcome::Cancelled => {}
                                    DialogOutcome::Unavailable => {
                                        self.message = Some((
                                            false,
                                            "No file dialog on this desktop: type the path".into(),
                                        ));
                                    }
                                }
                            }
                        });
                        ui.end_row();
                        ui.label("");
                        ui.checkbox(&mut self.overwrite, "Overwrite if it exists");
                        ui.end_row();
                    });
                ui.add_space(6.0);
                if ui.button(RichText::new("Export now").strong()).clicked() {
                    self.message = Some(self.run(project, current_doc));
                }
                if let Some((ok, message)) = &self.message {
                    let color = if *ok {
                        ui.visuals().text_color()
                    } else {
                        ui.visuals().error_fg_color
                    };
                    ui.label(RichText::new(message).color(color));
                }
            });
        self.open = open;
        // A message says what the last click did: once an option changes it no longer applies.
        if self.options_key() != options_before {
            self.message = None;
        }
    }

    /// Everything the user can set, to notice a change.
    fn options_key(&self) -> (ExportFormat, TagScheme, bool, Vec<String>, String, bool) {
        (
            self.format,
            self.scheme,
            self.only_current_document,
            self.excluded_types.clone(),
            self.target.clone(),
            self.overwrite,
        )
    }

    /// Runs the export with the dialog's settings; (success, message).
    pub fn run(&self, project: &Project, current_doc: Option<DocumentId>) -> (bool, String) {
        let target = PathBuf::from(self.target.trim());
        if self.target.trim().is_empty() {
            return (false, "Choose where to write the export".into());
        }
        let documents = match (self.only_current_document, current_doc) {
            (true, Some(id)) => vec![id.0.to_string()],
            _ => Vec::new(),
        };
        let types = if self.excluded_types.is_empty() {
            Vec::new()
        } else {
            project
                .schema
                .entity_types
                .iter()
                .filter(|t| !self.excluded_types.contains(&t.id))
                .map(|t| t.id.clone())
                .collect()
        };
        let options = ExportOptions {
            force: self.overwrite,
            scheme: self.scheme,
            separator: if self.tabs {
                Separator::Tab
            } else {
                Separator::Space
            },
            documents,
            types,
            jsonl_shape: self.jsonl_shape,
        };
        match export(project, self.format, &options, &target) {
            Ok(report) => {
                let mut text = report.summary();
                for n in report.notices {
                    text.push('\n');
                    text.push_str(&n);
                }
                (true, text)
            }
            Err(e) => (false, e.to_string()),
        }
    }
}
