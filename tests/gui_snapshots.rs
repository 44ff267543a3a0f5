//! Image snapshots where a picture is the point: the sample's first document (spans, type
//! labels and brat-style arcs) and the entity graph, rendered by wgpu (Mesa's software
//! renderer on machines without a GPU) and compared with `tests/snapshots/*.png`.
//! `UPDATE_SNAPSHOTS=1 cargo test --release --test gui_snapshots` rewrites them after an
//! intended change; look at the new pictures before committing them.

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.
#![cfg(feature = "gui")]

#[path = "common/sample_window.rs"]
mod sample_window;

use egui_kittest::kittest::Queryable;
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
