//! The curation view driven headless: a merged project with a conflict and an analyst's
//! version beside it; pick a side, undo, pick again, save — and look at the project.

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.
#![cfg(feature = "gui")]

mod common;
use common::{git_ok, git_repo, has_git};
use egui::Vec2;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use marginalia::app::{
    AppCommand, AuthorFrom, CentralView, MarginaliaApp, ScriptedDialogs, Session, Settings,
};
use marginalia::model::{Conflict, Document, Made, Project, Span};
use marginalia::session::Author;
use std::path::Path;

const TEXT: &str = "Nikol Pashinyan met CSTO officials in Yerevan on Monday.";

/// A project with "Nikol Pashinyan" PER (everyone agrees) and "CSTO" as `csto`.
fn project(csto: &str) -> Project {
    let mut p = Project::new("desk");
    let id = p.new_document_id();
    let mut d = Document::new(id, "Talks", "talks.txt", TEXT.into());
    let a = p.new_span_id();
    d.spans.push(Span::new(a, 0, 15, "PER"));
    let b = p.new_span_id();
    let mut csto_span = Span::new(b, 20, 24, csto);
    csto_span.made = Some(Made {
        by: "bob".into(),
        at: "2024-03-01T09:30:00Z".into(),
    });
    d.spans.push(csto_span);
    p.documents.push(d.into());
    p
}

fn harness(dir: &Path) -> (Harness<'static, MarginaliaApp>, std::path::PathBuf) {
    // OURS said ORG, THEIRS (Bob's version) GPE: the merge kept ORG and listed the conflict.
    let mut merged = project("ORG");
    let span = merged.documents[0].spans[1].id;
    merged.conflicts.push(Conflict {
        object: span.to_string(),
        document: Some(merged.documents[0].id),
        what: "both sides changed the span's type".into(),
        ours: "20..24 ORG \"CSTO\"".into(),
        theirs: "20..24 GPE \"CSTO\"".into(),
    });
    let path = dir.join("merged.ron");
    marginalia::store::save(&merged, &path).unwrap();
    let theirs = dir.join("bob.ron");
    marginalia::store::save(&project("GPE"), &theirs).unwrap();

    let h = curating(&path, Some(&theirs));
    (h, path)
}

/// The window on `path` as the lead, showing Curation (with `version` added, if any).
fn curating(path: &Path, version: Option<&Path>) -> Harness<'static, MarginaliaApp> {
    let session = Session::open(path).unwrap();
    let dialogs = ScriptedDialogs {
        answers: vec![],
        asked: vec![],
    };
    let mut app = MarginaliaApp::new(session, Settings::default(), Box::new(dialogs))
        .with_author_from(AuthorFrom::Fixed(Author::named("lead")));
    app.push(AppCommand::ShowCuration);
    if let Some(v) = version {
        app.push(AppCommand::AddCurationVersion(v.display().to_string()));
    }
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 900.0))
        .with_max_steps(24)
        .build_ui_state(|ui, app: &mut MarginaliaApp| app.ui_for_tests(ui), app);
    h.run();
    h
}

fn csto_type(p: &Project) -> String {
    p.documents[0]
        .spans
        .iter()
        .find(|s| s.start == 20)
        .map(|s| s.entity_type.to_string())
        .unwrap()
}

#[test]
fn pick_a_side_undo_and_save() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, path) = harness(dir.path());
    assert_eq!(h.state().central, CentralView::Curation);
    assert_eq!(
        h.state().curation.curation.versions.len(),
        1,
        "{}",
        h.state().status
    );
    // The agreed PER span is collapsed: only the disagreement has buttons.
    assert!(h.query_by_label("Take PER").is_none());

    h.get_by_label("Take GPE").click();
    h.run();
    let p = &h.state().session.project;
    assert_eq!(csto_type(p), "GPE");
    assert!(
        p.conflicts.is_empty(),
        "choosing a side settles the conflict"
    );
    assert!(h.state().session.is_dirty());

    h.state_mut().push(AppCommand::Undo);
    h.run();
    let p = &h.state().session.project;
    assert_eq!(csto_type(p), "ORG");
    assert_eq!(p.conflicts.len(), 1, "undo lists the conflict again");

    h.get_by_label("Neither").click();
    h.run();
    assert!(
        !h.state().session.project.documents[0]
            .spans
            .iter()
            .any(|s| s.start == 20)
    );
    h.state_mut().push(AppCommand::Undo);
    h.run();
    h.get_by_label("Take GPE").click();
    h.run();
    h.state_mut().push(AppCommand::Save);
    h.run();
    assert!(!h.state().session.is_dirty(), "{}", h.state().status);

    let saved = marginalia::store::load(&path).unwrap();
    assert_eq!(csto_type(&saved), "GPE");
    assert!(saved.conflicts.is_empty());
    assert_eq!(saved.documents[0].spans.len(), 2);
}

#[test]
fn both_keeps_each_reading_with_who_made_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, _) = harness(dir.path());
    h.get_by_label("Both").click();
    h.run();
    let p = &h.state().session.project;
    let mut here: Vec<(String, Option<String>)> = p.documents[0]
        .spans
        .iter()
        .filter(|s| s.start == 20)
        .map(|s| {
            (
                s.entity_type.to_string(),
                s.made.as_ref().map(|m| m.by.clone()),
            )
        })
        .collect();
    here.sort();
    // Bob's GPE keeps his stamp; the project's ORG keeps its own.
    assert_eq!(
        here,
        [
            ("GPE".to_string(), Some("bob".to_string())),
            ("ORG".to_string(), Some("bob".to_string()))
        ]
    );
    assert!(p.conflicts.is_empty());
    p.validate().unwrap();
}

/// The lead lists the project's git branches and commits and picks Bob's branch; the
/// disagreement shows, one side is taken, undone, taken again and saved.
#[test]
fn a_git_branch_is_picked_from_the_list_and_curated() {
    if !has_git() {
        eprintln!("git is not installed: skipping the curation-from-a-branch test");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo = &git_repo(dir.path(), "case");
    let path = repo.join("case.ron");
    marginalia::store::save(&project("ORG"), &path).unwrap();
    git_ok(repo, &["add", "case.ron"]);
    git_ok(repo, &["commit", "-q", "-m", "start"]);
    git_ok(repo, &["checkout", "-q", "-b", "bob"]);
    marginalia::store::save(&project("GPE"), &path).unwrap();
    git_ok(repo, &["commit", "-q", "-am", "Bob says GPE"]);
    git_ok(repo, &["checkout", "-q", "main"]);

    let mut h = curating(&path, None);
    h.get_by_label("Branches and commits").click();
    h.run();
    assert!(
        h.state().status.contains("branches and commits"),
        "{}",
        h.state().status
    );
    h.get_by_label("branch bob").click();
    h.run();
    let versions: Vec<String> = h
        .state()
        .curation
        .curation
        .versions
        .iter()
        .map(|v| v.label.clone())
        .collect();
    assert_eq!(versions, ["bob:case.ron"], "{}", h.state().status);

    h.get_by_label("Take GPE").click();
    h.run();
    assert_eq!(csto_type(&h.state().session.project), "GPE");
    h.state_mut().push(AppCommand::Undo);
    h.run();
    assert_eq!(csto_type(&h.state().session.project), "ORG");
    h.get_by_label("Take GPE").click();
    h.run();
    h.state_mut().push(AppCommand::Save);
    h.run();
    assert!(!h.state().session.is_dirty(), "{}", h.state().status);
    assert_eq!(csto_type(&marginalia::store::load(&path).unwrap()), "GPE");
}
