//! The curation view: analysts' versions of the project side by side for the current
//! document, one row per place (agreements collapsed, disagreements highlighted), with
//! buttons that take one reading, all of them, or none. Every choice is an
//! `Op::Curate` (one undo step); the logic is in `team::curate`, this only draws.

use super::commands::AppCommand;
use crate::model::{Conflict, DocumentId, Project};
use crate::session::Op;
use crate::team::curate::{Choice, Curation, Item, Place, Revision, Version, git_revisions};
use egui::{RichText, Ui};
use std::path::Path;

#[derive(Default)]
pub struct CurationPanel {
    pub curation: Curation,
    /// What the user typed: a project file, or a git revision of the open project.
    pub source: String,
    pub show_agreed: bool,
    /// The git branches and commits listed to pick from (after "Branches and commits").
    pub revisions: Vec<Revision>,
}

impl CurationPanel {
    /// Loads a version: `source` is a project file when one exists there, else a git
    /// revision of the open project's file. Returns a line for the status bar.
    pub fn add_version(&mut self, source: &str, project_path: Option<&Path>) -> String {
        let source = source.trim();
        if source.is_empty() {
            return "Type a project file or a git revision (a branch, a commit, :3 for THEIRS)"
                .into();
        }
        let file = Path::new(source);
        let loaded = if file.is_file() {
            Version::from_file(file)
        } else if let Some(path) = project_path {
            Version::from_git(path, source)
        } else {
            return format!(
                "{source}: no such file, and the project is not saved yet, so no git revision of it can be read"
            );
        };
        match loaded {
            Ok(version) => {
                let line = format!(
                    "Added version {} ({} documents)",
                    version.label,
                    version.project.documents.len()
                );
                self.curation.versions.push(version);
                self.source.clear();
                line
            }
            Err(e) => format!("Version not added: {e}"),
        }
    }

    /// Lists the open project's git branches and commits to pick versions from. Returns a
    /// line for the status bar.
    pub fn list_revisions(&mut self, project_path: Option<&Path>) -> String {
        let Some(path) = project_path else {
            return "The project is not saved yet, so it has no git branches or commits".into();
        };
        match git_revisions(path) {
            Ok(revisions) if revisions.is_empty() => {
                self.revisions.clear();
                "No branches or commits of this project file in git yet".into()
            }
            Ok(revisions) => {
                self.revisions = revisions;
                format!(
                    "{}: pick one or more to compare",
                    crate::text::count(
                        self.revisions.len(),
                        "branch or commit",
                        "branches and commits"
                    )
                )
            }
            Err(e) => format!("Cannot list versions: {e}"),
        }
    }

    pub fn remove_version(&mut self, index: usize) {
        if index < self.curation.versions.len() {
            self.curation.versions.remove(index);
        }
    }

    pub fn ui(
        &mut self,
        ui: &mut Ui,
        project: &Project,
        doc: Option<DocumentId>,
        commands: &mut Vec<AppCommand>,
    ) {
        ui.heading("Curation");
        ui.label(
            "Compare analysts' versions of this project, document by document, and choose \
             what the project keeps. Each choice is one undoable step.",
        );
        self.versions_ui(ui, commands);
        ui.separator();
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                conflicts_ui(ui, project, doc, commands);
                match doc.and_then(|id| project.document(id)) {
                    Some(d) => {
                        ui.add(egui::Label::new(RichText::new(&d.title).strong()).wrap());
                        let items = self.curation.items(project, d.id);
                        self.items_ui(ui, project, d.id, &items, commands);
                    }
                    None => {
                        ui.label("Open a document in the list on the left.");
                    }
                }
            });
    }

    fn versions_ui(&mut self, ui: &mut Ui, commands: &mut Vec<AppCommand>) {
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Version (file or git revision):");
            let response = ui
                .add(
                    egui::TextEdit::singleline(&mut self.source)
                        .hint_text("alice.ron, origin/bob, :3")
                        .desired_width(220.0),
                )
                .labelled_by(label.id);
            let enter = response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if ui.button("Add version").clicked() || enter {
                commands.push(AppCommand::AddCurationVersion(self.source.clone()));
            }
            if ui
                .button("Branches and commits")
                .on_hover_text("List the git branches and recent commits of this project file")
                .clicked()
            {
                commands.push(AppCommand::ListCurationRevisions);
            }
            ui.checkbox(&mut self.show_agreed, "Show agreements");
        });
        if !self.revisions.is_empty() {
            egui::ScrollArea::vertical()
                .id_salt("curation revisions")
                .max_height(120.0)
                .show(ui, |ui| {
                    for r in &self.revisions {
                        let added = self
                            .curation
                            .versions
                            .iter()
                            .any(|v| v.label.starts_with(&format!("{}:", r.rev)));
                        let button = ui.add_enabled(!added, egui::Button::new(&r.label).small());
                        if button.on_hover_text("Compare with this version").clicked() {
                            commands.push(AppCommand::AddCurationVersion(r.rev.clone()));
                        }
                    }
                });
        }
        for (i, v) in self.curation.versions.iter().enumerate() {
            ui.horizontal(|ui| {
                ui.label(format!("{}: {}", version_name(i), v.label));
                if ui
                    .small_button("Remove")
                    .on_hover_text("Stop comparing with this version")
                    .clicked()
                {
                    commands.push(AppCommand::RemoveCurationVersion(i));
                }
            });
        }
    }

    fn items_ui(
        &self,
        ui: &mut Ui,
        project: &Project,
        doc: DocumentId,
        items: &[Item],
        commands: &mut Vec<AppCommand>,
    ) {
        let agreed = items.iter().filter(|i| i.agreed).count();
        let shown: Vec<&Item> = items
            .iter()
            .filter(|i| self.show_agreed || !i.agreed)
            .collect();
        ui.label(format!(
            "{} to decide, {} agreed{}",
            items.len() - agreed,
            agreed,
            if self.show_agreed { "" } else { " (hidden)" }
        ));
        if shown.is_empty() {
            return;
        }
        let Some(d) = project.document(doc) else {
            return;
        };
        let versions = self.curation.versions.len();
        egui::Grid::new("curation_items")
            .striped(true)
            .num_columns(versions + 3)
            .show(ui, |ui| {
                ui.label(RichText::new("Text").strong());
                for (i, v) in self.curation.versions.iter().enumerate() {
                    ui.label(RichText::new(version_name(i)).strong())
                        .on_hover_text(&v.label);
                }
                ui.label(RichText::new("Project").strong());
                ui.label("");
                ui.end_row();
                let warn = ui.visuals().warn_fg_color;
                for item in shown {
                    let text = place_text(d, &item.place);
                    let colour = if item.agreed { None } else { Some(warn) };
                    let mut cell = RichText::new(text);
                    if let Some(c) = colour {
                        cell = cell.color(c);
                    }
                    ui.add(egui::Label::new(cell).wrap());
                    for v in 0..versions {
                        let labels: Vec<&str> = item
                            .readings
                            .iter()
                            .filter(|r| r.versions.contains(&v))
                            .map(|r| r.label.as_str())
                            .collect();
                        ui.label(if labels.is_empty() {
                            "—".to_string()
                        } else {
                            labels.join(", ")
                        });
                    }
                    let now = if item.current.is_empty() {
                        "—".to_string()
                    } else {
                        item.current.join(", ")
                    };
                    let now = if item.conflicts.is_empty() {
                        RichText::new(now)
                    } else {
                        RichText::new(format!("{now} (conflict)")).color(warn)
                    };
                    ui.label(now).on_hover_text(conflict_text(&item.conflicts));
                    ui.horizontal_wrapped(|ui| {
                        self.choices_ui(ui, doc, item, commands);
                    });
                    ui.end_row();
                }
            });
    }

    fn choices_ui(
        &self,
        ui: &mut Ui,
        doc: DocumentId,
        item: &Item,
        commands: &mut Vec<AppCommand>,
    ) {
        let mut choose = |choice: Choice| {
            let resolution = self.curation.resolve(doc, item, choice);
            commands.push(AppCommand::Op(Op::Curate(Box::new(resolution))));
        };
        for (i, r) in item.readings.iter().enumerate() {
            let from: Vec<String> = r.versions.iter().map(|&v| version_name(v)).collect();
            let mut tip = format!("Keep only {} here (from {})", r.label, from.join(", "));
            if let Some(made) = &r.made {
                tip.push_str(&format!("; made by {} on {}", made.by, made.date()));
            }
            if ui
                .button(format!("Take {}", r.label))
                .on_hover_text(tip)
                .clicked()
            {
                choose(Choice::Reading(i));
            }
        }
        if item.readings.len() > 1
            && ui
                .button("Both")
                .on_hover_text("Keep every version's reading here")
                .clicked()
        {
            choose(Choice::All);
        }
        if ui
            .button("Neither")
            .on_hover_text("Keep nothing here")
            .clicked()
        {
            choose(Choice::Nothing);
        }
        if !item.conflicts.is_empty()
            && ui
                .button("Keep as is")
                .on_hover_text("Keep what the project has and settle the conflict")
                .clicked()
        {
            choose(Choice::Keep);
        }
    }
}

/// "A", "B", ... for the versions' columns.
fn version_name(i: usize) -> String {
    let letter = (b'A' + (i % 26) as u8) as char;
    if i < 26 {
        letter.to_string()
    } else {
        format!("{letter}{}", i / 26)
    }
}

fn place_text(d: &crate::model::Document, place: &Place) -> String {
    let slice = |start: usize, end: usize| {
        if start < end && end <= d.char_len() {
            d.slice(start, end).to_string()
        } else {
            format!("{start}..{end}")
        }
    };
    match place {
        Place::Span { start, end } => format!("“{}”", slice(*start, *end)),
        Place::Relation { source, target } => format!(
            "“{}” {} → “{}” {}",
            slice(source.start, source.end),
            source.entity_type,
            slice(target.start, target.end),
            target.entity_type
        ),
    }
}

fn conflict_text(conflicts: &[Conflict]) -> String {
    if conflicts.is_empty() {
        return "No merge conflict here".into();
    }
    conflicts
        .iter()
        .map(|c| format!("{}: ours {}, theirs {}", c.what, c.ours, c.theirs))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The project's merge conflicts: how many, in which documents (a click away), and those
/// on objects outside documents (entities, types) to settle by hand.
fn conflicts_ui(
    ui: &mut Ui,
    project: &Project,
    doc: Option<DocumentId>,
    commands: &mut Vec<AppCommand>,
) {
    if project.conflicts.is_empty() {
        return;
    }
    ui.label(
        RichText::new(format!(
            "{} merge conflict{} listed",
            project.conflicts.len(),
            if project.conflicts.len() == 1 {
                ""
            } else {
                "s"
            }
        ))
        .color(ui.visuals().warn_fg_color),
    );
    let mut docs: Vec<DocumentId> = project
        .conflicts
        .iter()
        .filter_map(|c| c.document)
        .collect();
    docs.sort();
    docs.dedup();
    ui.horizontal_wrapped(|ui| {
        for id in docs.iter().filter(|&&id| Some(id) != doc) {
            if let Some(d) = project.document(*id)
                && ui.link(&d.title).clicked()
            {
                commands.push(AppCommand::SelectDocument(*id));
            }
        }
    });
    for c in project.conflicts.iter().filter(|c| c.document.is_none()) {
        ui.horizontal_wrapped(|ui| {
            ui.label(format!(
                "{} — {}: ours {}, theirs {}",
                c.object, c.what, c.ours, c.theirs
            ));
            if ui
                .small_button("Settled")
                .on_hover_text("Take this conflict off the list (fix the object by hand first)")
                .clicked()
            {
                commands.push(AppCommand::Op(Op::SettleConflict(c.clone())));
            }
        });
    }
    ui.separator();
}
