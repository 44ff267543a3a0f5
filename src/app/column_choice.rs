//! The question a table import asks when none of its columns is named text, body or content:
//! which column holds the text (and, optionally, the title, date, ...). The answer becomes the
//! import's `ColumnMap`, the same one `import --columns` builds on the command line.

use crate::import::{Column, ImportOptions};
use std::path::PathBuf;

/// A table import waiting for its column mapping.
#[derive(Debug, Clone, PartialEq)]
pub struct ColumnChoice {
    /// What was being imported (all of it is imported again with the answer).
    pub paths: Vec<PathBuf>,
    /// The table that has no text column.
    pub file: PathBuf,
    /// Its headers, in order.
    pub columns: Vec<String>,
    /// For each of `Column::FIELDS`, the column chosen for it; `None` for the text means not
    /// chosen yet, for the other fields "found by its name" as usual.
    pub chosen: [Option<usize>; Column::FIELDS.len()],
    /// The options the import ran with (kept, the answer is added to them).
    options: ImportOptions,
}

/// What the analyst did in the dialog this frame.
pub enum ColumnAnswer {
    Import(ImportOptions),
    Cancel,
}

impl ColumnChoice {
    pub fn new(
        paths: Vec<PathBuf>,
        file: PathBuf,
        columns: Vec<String>,
        options: ImportOptions,
    ) -> ColumnChoice {
        ColumnChoice {
            paths,
            file,
            columns,
            chosen: [None; Column::FIELDS.len()],
            options,
        }
    }

    /// The import's options with the chosen columns; `None` until the text column is chosen.
    pub fn answer(&self) -> Option<ImportOptions> {
        self.chosen[0]?;
        let mut options = self.options.clone();
        for ((_, field), chosen) in Column::FIELDS.iter().zip(self.chosen) {
            if let Some(header) = chosen.and_then(|i| self.columns.get(i)) {
                options.columns.set(*field, header);
            }
        }
        Some(options)
    }

    /// A header as the dialog shows it (an unnamed column by its position).
    fn header(&self, index: usize) -> String {
        match self.columns.get(index).map(|h| h.trim()) {
            Some(name) if !name.is_empty() => name.to_string(),
            _ => format!("column {}", index + 1),
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui) -> Option<ColumnAnswer> {
        let name = self.file.file_name().map_or_else(
            || self.file.display().to_string(),
            |n| n.to_string_lossy().into(),
        );
        ui.heading("Which column is the text?");
        ui.label(format!(
            "“{name}” has no column named text, body or content. Choose the column that holds \
             each document's text. The other fields are found by their names (title, date, \
             source, url, author, language) unless you choose a column here; every other \
             column is kept in the documents' details."
        ));
        ui.add_space(6.0);
        egui::Grid::new("column_choice")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                for (field, (_, column)) in Column::FIELDS.iter().enumerate() {
                    let label = ui.label(column.label());
                    let unset = if field == 0 { "choose…" } else { "by name" };
                    let shown =
                        self.chosen[field].map_or_else(|| unset.to_string(), |i| self.header(i));
                    egui::ComboBox::from_id_salt(("column_choice", field))
                        .selected_text(shown)
                        .width(220.0)
                        .truncate()
                        .show_ui(ui, |ui| {
                            if field != 0 {
                                ui.selectable_value(&mut self.chosen[field], None, unset);
                            }
                            for index in 0..self.columns.len() {
                                let header = self.header(index);
                                ui.selectable_value(&mut self.chosen[field], Some(index), header);
                            }
                        })
                        .response
                        .labelled_by(label.id);
                    ui.end_row();
                }
            });
        ui.add_space(8.0);
        let mut answer = None;
        ui.horizontal(|ui| {
            let options = self.answer();
            let import = ui
                .add_enabled(options.is_some(), egui::Button::new("Import"))
                .on_disabled_hover_text("Choose the text column first");
            if import.clicked() {
                answer = options.map(ColumnAnswer::Import);
            }
            if ui.button("Cancel").clicked() {
                answer = Some(ColumnAnswer::Cancel);
            }
        });
        answer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::ColumnMap;

    #[test]
    fn the_answer_maps_the_chosen_columns_by_their_headers() {
        let mut choice = ColumnChoice::new(
            vec![PathBuf::from("feed.csv")],
            PathBuf::from("feed.csv"),
            vec!["Überschrift".into(), "Nachricht".into(), "Datum".into()],
            ImportOptions::default(),
        );
        assert_eq!(choice.answer(), None, "no text column chosen yet");
        choice.chosen[0] = Some(1);
        choice.chosen[1] = Some(0);
        let expected = ColumnMap::parse(["text=Nachricht", "title=Überschrift"]).unwrap();
        assert_eq!(choice.answer().map(|o| o.columns), Some(expected));
    }
}
