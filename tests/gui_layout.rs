//! The window's layout at laptop to desktop sizes: every widget of the right panel stays
//! inside the panel and the window, the panel keeps its width whatever a tab shows, and the
//! document's text never runs under it. And the keyboard: keys typed into a text field never
//! act on the document.
#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

use egui::{Key, Pos2, Rect, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use marginalia::app::{DialogOutcome, MarginaliaApp, RightTab, ScriptedDialogs, Session, Settings};
use marginalia::model::{Document, Entity};
use std::path::Path;

const SIZES: [(f32, f32); 3] = [(1024.0, 640.0), (1280.0, 800.0), (1920.0, 1080.0)];

const TABS: [RightTab; 4] = [
    RightTab::Inspector,
    RightTab::Suggestions,
    RightTab::Entities,
    RightTab::Find,
];

/// The sample project plus a document with a very long title, and 40 more entities (over
/// 100 rows in the Entities tab).
fn big_project() -> Session {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/sample.ron");
    let mut project = marginalia::store::load(&sample).unwrap();
    let id = project.new_document_id();
    let title = "A statement on the situation along the line of contact, with the positions \
                 of all parties, their reservations and the next steps agreed in principle";
    project.documents.insert(
        0,
        Document::new(
            id,
            title,
            "long.txt",
            format!("{title}\n\nThe parties met again. Nothing was signed."),
        )
        .into(),
    );
    for i in 0..40 {
        let id = project.new_entity_id();
        project.entities.push(Entity {
            id,
            name: format!("Working group on border questions number {i}"),
            entity_type: "ORG".into(),
            aliases: vec![format!("WG{i}")],
            references: Vec::new(),
            note: String::new(),
            made: None,
        });
    }
    Session::from_project(project, None)
}

fn harness(size: (f32, f32), session: Session) -> Harness<'static, MarginaliaApp> {
    scaled_harness(size, 1.0, session)
}

/// A window of `size` points at a UI scale (pixels per point).
fn scaled_harness(
    size: (f32, f32),
    pixels_per_point: f32,
    session: Session,
) -> Harness<'static, MarginaliaApp> {
    let dialogs = ScriptedDialogs {
        answers: vec![DialogOutcome::Cancelled],
        asked: vec![],
    };
    let app = MarginaliaApp::new(session, Settings::default(), Box::new(dialogs));
    let mut h = Harness::builder()
        .with_size(Vec2::new(size.0, size.1))
        .with_pixels_per_point(pixels_per_point)
        .with_max_steps(24)
        .build_ui_state(|ui, app: &mut MarginaliaApp| app.ui_for_tests(ui), app);
    h.run();
    h
}

fn show_tab(h: &mut Harness<'static, MarginaliaApp>, tab: RightTab) {
    h.state_mut().right_tab = tab;
    if tab == RightTab::Entities {
        // An entity picked: its name, aliases and note fields and its mentions show too.
        let app = h.state_mut();
        app.entities.selected = app.session.project.entities.first().map(|e| e.id);
    }
    if tab == RightTab::Find {
        // A common word: hundreds of hits, listed in their documents.
        let app = h.state_mut();
        app.find.pattern = "the".into();
        let project = app.session.project.clone();
        app.find.run(&project);
        assert!(app.find.hits().len() >= 50, "{}", app.find.hits().len());
    }
    // Frames enough for a panel that grows to hold its content a little more each frame to
    // show it (its width is compared by the callers).
    h.run_steps(8);
    h.run();
}

/// Every widget that starts inside the right panel ends inside it and inside the window.
fn assert_contained(h: &Harness<'static, MarginaliaApp>, size: (f32, f32), what: &str) {
    let panel = h
        .state()
        .layout
        .right_panel
        .expect("the right panel is shown");
    let window = Rect::from_min_size(Pos2::ZERO, Vec2::new(size.0, size.1));
    assert!(
        panel.right() <= window.right() + 0.5 && panel.left() >= 0.0,
        "{what}: panel {panel:?} outside the window {window:?}"
    );
    let mut checked = 0;
    for node in h.query_all_by(|n| n.bounding_box().is_some()) {
        let r = node.rect();
        // Widgets drawn in the panel (the status bar below it is not).
        if r.width() <= 0.0
            || r.center().x < panel.left()
            || !(panel.y_range().contains(r.center().y))
        {
            continue;
        }
        if node.accesskit_node().label().as_deref() == Some("Resize panel") {
            continue; // the panel's own resize handle sits on its edge
        }
        checked += 1;
        assert!(
            r.left() >= panel.left() - 0.5 && r.right() <= panel.right() + 0.5,
            "{what}: {:?} at {r:?} sticks out of the right panel {panel:?}",
            node.accesskit_node().label()
        );
    }
    assert!(
        checked > 5,
        "{what}: only {checked} widgets found in the panel"
    );
    assert_inside_window_and_documents(h, size, what);
    // The text column never runs under the right panel.
    if let Some(text) = h.state().layout.text {
        assert!(
            text.right() <= panel.left() + 0.5,
            "{what}: text {text:?} runs under the panel {panel:?}"
        );
    }
    for tab in ["Inspector", "Suggestions", "Entities", "Find"] {
        // The tab itself is the topmost widget of that name (a tab's heading may repeat it).
        let r = h
            .get_all_by_label(tab)
            .map(|n| n.rect())
            .min_by(|a, b| a.top().total_cmp(&b.top()))
            .expect("the tab exists");
        assert!(
            panel.contains_rect(r) && window.contains_rect(r),
            "{what}: the {tab} tab at {r:?} is not on screen in {panel:?}"
        );
    }
}

/// Every widget lies within the window's width (lists may run past its bottom: they scroll),
/// and every widget of the documents panel inside that panel.
fn assert_inside_window_and_documents(
    h: &Harness<'static, MarginaliaApp>,
    size: (f32, f32),
    what: &str,
) {
    let documents = h.state().layout.documents_panel;
    for node in h.query_all_by(|n| n.bounding_box().is_some()) {
        let r = node.rect();
        let label = node.accesskit_node().label();
        // Skipped: the panels' resize handles, and nodes with no place (NaN) or no size.
        if !r.is_finite() || r.width() <= 0.0 || label.as_deref() == Some("Resize panel") {
            continue;
        }
        assert!(
            r.left() >= -0.5 && r.right() <= size.0 + 0.5,
            "{what}: {label:?} at {r:?} is outside the window's width {}",
            size.0
        );
        if let Some(panel) = documents
            && panel.contains(r.center())
        {
            assert!(
                r.left() >= panel.left() - 0.5 && r.right() <= panel.right() + 0.5,
                "{what}: {label:?} at {r:?} sticks out of the documents panel {panel:?}"
            );
        }
    }
}

#[test]
fn the_status_bar_fits_a_1000_point_window() {
    let mut h = harness((1000.0, 700.0), big_project());
    h.state_mut().status = "Accepted 12 spans and 3 relations; 9 of them linked to entities \
                            already in the knowledge base of this project"
        .into();
    h.run();
    h.run();
    let bar = h.state().layout.status_bar.expect("a status bar");
    assert!(bar.height() < 80.0, "{bar:?}");
    let mut seen = 0;
    for node in h.query_all_by(|n| n.bounding_box().is_some()) {
        let r = node.rect();
        if !bar.contains(r.left_top()) || r.width() <= 0.0 {
            continue;
        }
        seen += 1;
        assert!(
            r.right() <= 1000.5 && r.bottom() <= 700.5,
            "{:?} at {r:?} runs off the window",
            node.accesskit_node().label()
        );
    }
    assert!(seen >= 3, "only {seen} widgets in the status bar");
}

#[test]
fn every_right_panel_tab_fits_inside_its_panel_at_every_size() {
    for size in SIZES {
        let mut h = harness(size, big_project());
        let width = h.state().layout.right_panel.unwrap().width();
        for tab in TABS {
            show_tab(&mut h, tab);
            let what = format!("{}x{} {tab:?}", size.0, size.1);
            assert_contained(&h, size, &what);
            let now = h.state().layout.right_panel.unwrap().width();
            assert!(
                (now - width).abs() < 1.0,
                "{what}: the panel changed width from {width} to {now}"
            );
        }
        // After a Find with many hits the other tabs and the options are still reachable.
        show_tab(&mut h, RightTab::Inspector);
        assert_contained(&h, size, &format!("{}x{} after Find", size.0, size.1));
    }
}

/// Screens in pixels and the UI scale they run at: a laptop at 1.5 and 2.0 (the same
/// 1024x640 points as the smallest supported window), full HD at 1.5, 4K at 2.0.
const SCALED: [((f32, f32), f32); 4] = [
    ((1536.0, 960.0), 1.5),
    ((2048.0, 1280.0), 2.0),
    ((1920.0, 1080.0), 1.5),
    ((3840.0, 2160.0), 2.0),
];

#[test]
fn every_tab_fits_at_ui_scales_from_1_5_to_2() {
    for ((w, h_px), scale) in SCALED {
        let size = (w / scale, h_px / scale);
        let mut h = scaled_harness(size, scale, big_project());
        assert_eq!(h.ctx.pixels_per_point(), scale);
        for tab in TABS {
            show_tab(&mut h, tab);
            assert_contained(&h, size, &format!("{w}x{h_px} at {scale}x, {tab:?}"));
        }
        show_tab(&mut h, RightTab::Inspector);
        assert_contained(&h, size, &format!("{w}x{h_px} at {scale}x after Find"));
        let documents = h.state().layout.documents_panel.unwrap();
        assert!(documents.left() >= 0.0 && documents.right() < size.0 / 2.0);
    }
}

#[test]
fn a_long_title_wraps_and_the_text_stays_left_of_the_panel() {
    for size in SIZES {
        let h = harness(size, big_project());
        let text = h.state().layout.text.expect("the document is shown");
        let panel = h.state().layout.right_panel.unwrap();
        let documents = h.state().layout.documents_panel.unwrap();
        assert!(
            text.left() >= documents.right(),
            "{text:?} vs {documents:?}"
        );
        assert!(text.right() <= panel.left(), "{text:?} vs {panel:?}");
        let title = h.state().current_document().unwrap().title.clone();
        // The heading over the text (the title is also in the documents list).
        let heading = h
            .get_all_by_label(&title)
            .map(|n| n.rect())
            .find(|r| r.left() >= documents.right() && r.left() < panel.left())
            .expect("the title is shown over the text");
        assert!(
            heading.right() <= panel.left() + 0.5,
            "{}x{}: the title {heading:?} runs under the panel {panel:?}",
            size.0,
            size.1
        );
    }
}

/// Spans, decisions and the undo stack: what a stray key would change.
fn annotations(h: &Harness<'static, MarginaliaApp>) -> (usize, usize, Option<String>) {
    let s = &h.state().session;
    (
        s.project.span_count(),
        s.project.decisions.len(),
        s.history.undo_label().map(str::to_string),
    )
}

fn wait_for_suggestions(h: &mut Harness<'static, MarginaliaApp>) {
    for _ in 0..1200 {
        h.run();
        if !h.state().session.review.is_running() && h.state().session.review.has_results() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("suggestions did not finish");
}

/// A fresh project with one untagged article and the engines run over it: suggestions are
/// shown in the text and one is focused.
fn suggested() -> Harness<'static, MarginaliaApp> {
    let mut project = marginalia::model::Project::new("Fresh");
    let id = project.new_document_id();
    project.documents.push(
        Document::new(
            id,
            "Talks",
            "talks.txt",
            "Talks in Yerevan\n\nArmenia and Azerbaijan met in Brussels on Monday. \
             Prime Minister Nikol Pashinyan spoke to NATO officials in Geneva."
                .into(),
        )
        .into(),
    );
    let mut h = harness((1280.0, 800.0), Session::from_project(project, None));
    h.get_by_label("Suggestions").click();
    h.run();
    h.get_by_label("Suggest").click();
    wait_for_suggestions(&mut h);
    assert!(
        h.state().view.ghosts.len() >= 3,
        "{:?}",
        h.state().view.ghosts
    );
    h.state_mut().view.focused_ghost = Some(0);
    h.run();
    h
}

#[test]
fn enter_in_a_text_field_never_accepts_the_focused_suggestion() {
    let mut h = suggested();
    let before = annotations(&h);
    // The Find box.
    h.state_mut().right_tab = RightTab::Find;
    h.state_mut().find.focus_requested = true;
    h.run();
    h.get_by_label("Search for").type_text("Yerevan");
    h.run();
    h.key_press(Key::Enter);
    h.run();
    h.run();
    assert_eq!(annotations(&h), before, "Enter in Find changed the project");
    assert!(!h.state().find.hits().is_empty(), "the search ran");
    // The document filter.
    h.get_by_label("Filter").focus();
    h.run();
    h.get_by_label("Filter").type_text("Talks");
    h.run();
    // x typed into the field is text, and Enter leaves the field: neither touches the document.
    h.key_press(Key::X);
    h.run();
    h.key_press(Key::Enter);
    h.run();
    h.run();
    assert_eq!(
        annotations(&h),
        before,
        "keys in the filter changed the project"
    );
}

#[test]
fn x_rejects_the_hovered_suggestion_not_another() {
    let mut h = suggested();
    let ghosts = h.state().view.ghosts.clone();
    let last = ghosts.len() - 1;
    assert_ne!(h.state().view.focused_ghost, Some(last));
    let target = ghosts[last].clone();
    let at = h
        .state()
        .view
        .char_rect(target.start)
        .expect("the suggestion is on screen")
        .center();
    h.hover_at(at);
    h.run();
    assert_eq!(h.state().view.focused_ghost, Some(last), "hover focuses it");
    h.key_press(Key::X);
    h.run();
    let p = &h.state().session.project;
    assert!(
        p.is_rejected(
            target.document,
            target.start,
            target.end,
            &target.entity_type
        ),
        "the hovered suggestion is rejected"
    );
    assert_eq!(p.decisions.len(), 1, "and only that one");
}
