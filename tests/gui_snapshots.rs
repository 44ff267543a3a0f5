//! Image snapshots where a picture is the point: the sample's first document (spans, type
//! labels and brat-style arcs) and the entity graph, rendered by wgpu (Mesa's software
//! renderer on machines without a GPU) and compared with `tests/snapshots/*.png`.
//! `UPDATE_SNAPSHOTS=1 cargo test --release --test gui_snapshots` rewrites them after an
//! intended change; look at the new pictures before committing them.

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.
#![cfg(feature = "gui")]

#[path = "common/sample_window.rs"]
mod sample_window;

use egui_kittest::kittest::{NodeT, Queryable};
use marginalia::app::CentralView;

#[test]
fn the_sample_first_document_looks_as_designed() {
    let mut h = sample_window::sample_window((1400.0, 900.0));
    h.snapshot("sample_first_document");
}

#[test]
fn the_entity_graph_looks_as_designed() {
    let mut h = sample_window::sample_window((1400.0, 900.0));
    h.get_by_label("Graph").click();
    h.run();
    assert_eq!(h.state().central, CentralView::Graph);
    // The layout settles over frames; a fixed number of them gives the same picture.
    for _ in 0..10 {
        h.run();
    }
    h.snapshot("entity_graph");
}

#[test]
fn the_column_dialog_fits_a_laptop_window() {
    use marginalia::app::{ColumnChoice, Prompt};
    use marginalia::import::ImportOptions;
    use std::path::PathBuf;
    let mut h = sample_window::sample_window((1024.0, 700.0));
    let feed = PathBuf::from("wire-feed-2026-03.csv");
    let mut choice = ColumnChoice::new(
        vec![feed.clone()],
        feed,
        vec!["Überschrift".into(), "Nachricht".into(), "".into()],
        ImportOptions::default(),
    );
    choice.chosen[1] = Some(0);
    h.state_mut().prompt = Some(Prompt::TextColumn(choice));
    h.run();
    // Every field of the dialog is inside the window.
    let window = egui::Rect::from_min_size(egui::Pos2::ZERO, egui::vec2(1024.0, 700.0));
    for field in ["Text", "Title", "Language"] {
        let combo = h
            .get_all_by_label(field)
            .find(|n| n.accesskit_node().role() == egui::accesskit::Role::ComboBox)
            .expect("the field's combo box");
        assert!(
            window.contains_rect(combo.rect()),
            "{field} at {:?}",
            combo.rect()
        );
    }
    for button in ["Import", "Cancel"] {
        let rect = h.get_by_label(button).rect();
        assert!(window.contains_rect(rect), "{button} at {rect:?}");
    }
    h.snapshot("column_choice_1024x700");
}
