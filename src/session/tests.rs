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

/// Tags "Armenia" as GPE.
fn tag(session: &mut Session) {
    tag_at(session, 0, 7);
}

fn tag_at(session: &mut Session, start: usize, end: usize) {
    let doc = session.project.documents[0].id;
    session
        .run(Op::Tag {
            doc,
            start,
            end,
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

#[test]
fn an_open_session_keeps_other_writers_out_until_it_closes() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (session, _clock) = session_in(dir.path());
    let path = dir.path().join("s.ron");
    let second = Session::open(&path).err().map(|e| e.to_string());
    let pid = std::process::id();
    assert_eq!(
        second,
        Some(format!(
            "{} is open in another Marginalia (pid {pid})",
            path.display()
        ))
    );
    assert!(
        store::ProjectLock::acquire(&path).is_err(),
        "a CLI write is refused too"
    );
    drop(session);
    assert!(store::ProjectLock::acquire(&path).is_ok());
}

/// A session with an unsaved tag, whose file a writer that ignores the lock (a git pull, an
/// editor) meanwhile saved as "theirs". Returns the session and the file.
fn tagged_while_another_writer_saves(dir: &Path) -> (Session, PathBuf) {
    let (mut session, _clock) = session_in(dir);
    let path = dir.join("s.ron");
    tag(&mut session);
    let mut other = store::load(&path).unwrap_or_else(|e| panic!("{e}"));
    other.name = "theirs".into();
    store::save(&other, &path).unwrap_or_else(|e| panic!("{e}"));
    (session, path)
}

#[test]
fn a_save_never_replaces_what_another_writer_saved_meanwhile() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (mut session, path) = tagged_while_another_writer_saves(dir.path());
    let refused = session.save_to(&path);
    assert!(
        matches!(refused, Err(StoreError::Changed { .. })),
        "{refused:?}"
    );
    assert_eq!(
        store::load(&path).map(|p| p.name).ok(),
        Some("theirs".into())
    );
    assert!(session.is_dirty(), "nothing counts as saved");
    // Reload takes their version (and drops the unsaved tag); the lock stays.
    session.reload().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(session.project.name, "theirs");
    assert_eq!(session.project.span_count(), 0);
    assert!(!session.is_dirty());
    assert!(session.holds_lock());
    // Saving now works: the file is the one read.
    tag(&mut session);
    session.save_to(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store::load(&path).map(|p| p.span_count()).ok(), Some(1));
}

#[test]
fn overwrite_replaces_the_changed_file_when_asked() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (mut session, path) = tagged_while_another_writer_saves(dir.path());
    session.overwrite().unwrap_or_else(|e| panic!("{e}"));
    let saved = store::load(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((saved.name.as_str(), saved.span_count()), ("s", 1));
    // And the next ordinary save is tracked against what was just written.
    tag_at(&mut session, 12, 22);
    session.save_to(&path).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn save_as_moves_the_lock_to_the_new_file() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (mut session, _clock) = session_in(dir.path());
    let old = dir.path().join("s.ron");
    let new = dir.path().join("copy.ron");
    // Someone else holds the target: Save As refuses and writes nothing.
    let held = store::ProjectLock::acquire(&new).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(
        session.save_to(&new),
        Err(StoreError::Locked { .. })
    ));
    assert!(!new.exists());
    drop(held);
    session.save_to(&new).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(session.path.as_deref(), Some(new.as_path()));
    assert!(
        store::ProjectLock::acquire(&old).is_ok(),
        "the old file is free"
    );
    assert!(
        store::ProjectLock::acquire(&new).is_err(),
        "the new one is held"
    );
}

#[test]
fn restoring_autosaved_work_keeps_the_file_and_its_lock() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let (mut session, _clock) = session_in(dir.path());
    let path = dir.path().join("s.ron");
    tag(&mut session);
    assert!(session.autosave(true).unwrap_or(false));
    drop(session);
    let mut reopened = Session::open(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reopened.project.span_count(), 0);
    let recovery = store::newer_recovery(&path).unwrap_or_else(|| panic!("offered"));
    reopened
        .restore(&recovery)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(reopened.project.span_count(), 1);
    assert!(reopened.is_dirty() && reopened.holds_lock());
    reopened.save_to(&path).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(store::load(&path).map(|p| p.span_count()).ok(), Some(1));
}
