use super::*;
use crate::model::Document;

fn session_in(dir: &Path) -> (Session, ManualClock) {
    let mut project = Project::new("s");
    let doc = project.new_document_id();
    project
        .documents
        .push(Document::new(doc, "a", "a.txt", "Armenia and Azerbaijan".into()).into());
    let path = dir.join("s.ron");
    store::save(&project, &path).unwrap_or_else(|e| panic!("{e}"));
    let clock = ManualClock::default();
    let session = Session::open(&path)
        .unwrap_or_else(|e| panic!("{e}"))
        .with_clock(Box::new(clock.clone()));
    (session, clock)
}

fn tag(session: &mut Session) {
    let doc = session.project.documents[0].id;
    session
        .run(Op::Tag {
            doc,
            start: 0,
            end: 7,
            entity_type: "GPE".into(),
        })
        .unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn autosave_waits_for_thirty_seconds_of_unsaved_work() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (mut session, clock) = session_in(dir.path());
    assert!(!session.autosave(false).unwrap_or(true), "nothing to save");
    tag(&mut session);
    assert!(session.is_dirty());
    assert!(!session.autosave(false).unwrap_or(true), "too early");
    clock.advance(AUTOSAVE_AFTER - Duration::from_secs(1));
    assert!(!session.autosave(false).unwrap_or(true), "still too early");
    clock.advance(Duration::from_secs(1));
    assert!(session.autosave(false).unwrap_or(false), "due");
    let recovery = store::newer_recovery(dir.path().join("s.ron").as_path());
    assert!(recovery.is_some(), "the recovery file is offered");
    // The same revision is not written twice.
    clock.advance(AUTOSAVE_AFTER);
    assert!(!session.autosave(false).unwrap_or(true));
}

#[test]
fn losing_focus_autosaves_at_once_and_saving_clears_the_recovery() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (mut session, _clock) = session_in(dir.path());
    tag(&mut session);
    assert!(session.autosave(true).unwrap_or(false));
    let path = dir.path().join("s.ron");
    session.save_to(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(!session.is_dirty());
    assert!(store::newer_recovery(&path).is_none());
}

#[test]
fn an_op_with_nothing_to_do_is_not_an_undo_step() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (mut session, _clock) = session_in(dir.path());
    let planned = session.run(Op::LinkAll).unwrap_or_else(|e| panic!("{e}"));
    assert!(planned.tx.is_empty());
    assert_eq!(session.history.undo_label(), None);
    assert!(!session.is_dirty());
    tag(&mut session);
    assert!(session.history.undo_label().is_some());
    session.undo().unwrap_or_else(|e| panic!("{e}"));
    assert!(session.project.documents[0].spans.is_empty());
}
