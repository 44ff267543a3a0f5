//! The window on the sample project, its first document open: the start of the GUI tests
//! that look at what the sample draws (arcs, snapshots).
#![allow(dead_code)]

use egui::Vec2;
use egui_kittest::Harness;
use marginalia::app::{DialogOutcome, MarginaliaApp, ScriptedDialogs, Session, Settings};
use std::path::Path;

pub fn sample_window(size: (f32, f32)) -> Harness<'static, MarginaliaApp> {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/sample.ron");
    let project = marginalia::store::load(&sample).expect("the sample loads");
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
        .with_size(Vec2::new(size.0, size.1))
        .with_max_steps(24)
        .build_ui_state(|ui, app: &mut MarginaliaApp| app.ui_for_tests(ui), app);
    h.run();
    let first = h.state().session.project.documents[0].id;
    h.state_mut().current_doc = Some(first);
    h.run();
    h.run();
    h
}
