//! Image snapshots where a picture is the point: the sample's first document (spans, type
//! labels and brat-style arcs) and the entity graph, rendered by wgpu (Mesa's software
//! renderer on machines without a GPU) and compared with `tests/snapshots/*.png`.
//! `UPDATE_SNAPSHOTS=1 cargo test --release --test gui_snapshots` rewrites them after an
//! intended change; look at the new pictures before committing them.

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.
#![cfg(feature = "gui")]

use egui::Vec2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use marginalia::app::{
    CentralView, DialogOutcome, MarginaliaApp, ScriptedDialogs, Session, Settings,
};
use std::path::Path;

fn sample_window() -> Harness<'static, MarginaliaApp> {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/sample.ron");
    let project = marginalia::store::load(&sample).unwrap();
    let dialogs = ScriptedDialogs {
        answers: vec![DialogOutcome::Cancelled],
        asked: vec![],
    };
    let app = MarginaliaApp::new(
        Session::from_project(project, None),
        Settings::default(),
        Box::new(dialogs),
    );
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 900.0))
        .with_max_steps(24)
        .build_ui_state(|ui, app: &mut MarginaliaApp| app.ui_for_tests(ui), app);
    h.run();
    let first = h.state().session.project.documents[0].id;
    h.state_mut().current_doc = Some(first);
    h.run();
    h.run();
    h
}

#[test]
fn the_sample_first_document_looks_as_designed() {
    let mut h = sample_window();
    h.snapshot("sample_first_document");
}

#[test]
fn the_entity_graph_looks_as_designed() {
    let mut h = sample_window();
    h.get_by_label("Graph").click();
    h.run();
    assert_eq!(h.state().central, CentralView::Graph);
    // The layout settles over frames; a fixed number of them gives the same picture.
    for _ in 0..10 {
        h.run();
    }
    h.snapshot("entity_graph");
}
