//! The real GUI driven headless with egui_kittest: whole annotation workflows, asserting on
//! the project rather than on pixels.

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.
#![cfg(feature = "gui")]

use egui::{Event, Key, Modifiers, Pos2, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use marginalia::app::{
    AppCommand, DialogOutcome, MarginaliaApp, Prompt, ScriptedDialogs, Selection, Session, Settings,
};
use marginalia::model::{Document, DocumentId, Project};
use marginalia::session::Op;
use std::path::{Path, PathBuf};

fn sample_copy(dir: &Path) -> PathBuf {
    let path = dir.join("case.ron");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/sample.ron");
    std::fs::copy(sample, &path).expect("sample project exists");
    path
}

fn harness(app: MarginaliaApp) -> Harness<'static, MarginaliaApp> {
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 900.0))
        .with_max_steps(24)
        .build_ui_state(|ui, app: &mut MarginaliaApp| app.ui_for_tests(ui), app);
    h.run();
    h
}

/// A new, empty project whose file dialogs answer `answers` in turn.
fn empty_app(answers: Vec<DialogOutcome>) -> MarginaliaApp {
    let dialogs = ScriptedDialogs {
        answers,
        asked: vec![],
    };
    MarginaliaApp::new(
        Session::new_project("Fresh"),
        Settings::default(),
        Box::new(dialogs),
    )
}

fn open_sample(
    dir: &Path,
    answers: Vec<DialogOutcome>,
) -> (Harness<'static, MarginaliaApp>, PathBuf) {
    let path = sample_copy(dir);
    let dialogs = ScriptedDialogs {
        answers,
        asked: vec![],
    };
    let app = MarginaliaApp::with_project_path(Some(&path), Settings::default(), Box::new(dialogs));
    (harness(app), path)
}

fn doc<'a>(h: &'a Harness<'static, MarginaliaApp>) -> &'a Document {
    h.state().current_document().expect("a document is open")
}

fn project<'a>(h: &'a Harness<'static, MarginaliaApp>) -> &'a Project {
    &h.state().session.project
}

/// A lowercase word of at least five letters that no span covers.
fn free_word(d: &Document) -> (usize, usize) {
    let tokens = marginalia::text::tokenize(&d.text);
    tokens
        .iter()
        .find(|t| {
            let w = t.text(&d.text);
            w.len() >= 5
                && w.chars().all(|c| c.is_ascii_lowercase())
                && !d.spans.iter().any(|s| s.start < t.end && t.start < s.end)
        })
        .map(|t| (t.start, t.end))
        .expect("the document has an untagged word")
}

fn center_of_char(h: &Harness<'static, MarginaliaApp>, c: usize) -> Pos2 {
    h.state()
        .view
        .char_rect(c)
        .expect("char is on screen")
        .center()
}

/// Drags the mouse from one char to another, as a person selecting text.
fn drag(h: &mut Harness<'static, MarginaliaApp>, from: usize, to: usize) {
    let a = center_of_char(h, from);
    let b = center_of_char(h, to);
    h.hover_at(a);
    h.run();
    h.drag_at(a);
    h.run();
    h.hover_at(a + (b - a) * 0.5);
    h.run();
    h.hover_at(b);
    h.run();
    h.drop_at(b);
    h.run();
}

fn click_at(h: &mut Harness<'static, MarginaliaApp>, pos: Pos2) {
    h.hover_at(pos);
    h.run();
    h.event(Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: Modifiers::NONE,
    });
    h.event(Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: Modifiers::NONE,
    });
    h.run();
}

fn key(h: &mut Harness<'static, MarginaliaApp>, key: Key) {
    h.key_press(key);
    h.run();
}

fn ctrl(h: &mut Harness<'static, MarginaliaApp>, key: Key) {
    h.key_press_modifiers(Modifiers::COMMAND, key);
    h.run();
}

fn pick_document(h: &mut Harness<'static, MarginaliaApp>, index: usize) -> DocumentId {
    let title = project(h).documents[index].title.clone();
    h.get_by_label(&title).click();
    h.run();
    let id = project(h).documents[index].id;
    assert_eq!(h.state().current_doc, Some(id));
    id
}

#[test]
fn tag_retype_relate_delete_undo_redo_and_save() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, path) = open_sample(dir.path(), vec![]);
    let doc_id = pick_document(&mut h, 3);
    let spans_before = doc(&h).spans.len();

    // Select part of a word with the mouse: the selection snaps to the whole word.
    let (start, end) = free_word(doc(&h));
    drag(&mut h, start + 1, end - 2);
    assert_eq!(h.state().view.selection, Selection::Range { start, end });
    // The type menu pops up; pressing 7 (EVENT) tags at once.
    assert!(h.query_by_label_contains("Tag “").is_some());
    key(&mut h, Key::Num7);
    let d = doc(&h);
    assert_eq!(d.spans.len(), spans_before + 1);
    let span = d
        .spans
        .iter()
        .find(|s| s.start == start && s.end == end)
        .expect("new span")
        .clone();
    assert_eq!(span.entity_type, "EVENT");
    assert_eq!(h.state().view.selection, Selection::Span(span.id));

    // A type key on the selected span retypes it.
    key(&mut h, Key::Num6);
    assert_eq!(doc(&h).span(span.id).unwrap().entity_type, "DATE");
    key(&mut h, Key::Num7);
    assert_eq!(doc(&h).span(span.id).unwrap().entity_type, "EVENT");

    // R, then click a GPE span: the menu offers only relation types the schema allows.
    let target = doc(&h)
        .spans
        .iter()
        .find(|s| s.entity_type == "GPE")
        .expect("a GPE span")
        .clone();
    key(&mut h, Key::R);
    assert_eq!(h.state().view.relation_source, Some(span.id));
    let target_pos = center_of_char(&h, target.start);
    click_at(&mut h, target_pos);
    assert!(h.query_by_label("located in").is_some());
    assert!(
        h.query_by_label("leader of").is_none(),
        "EVENT -> GPE does not allow leader_of"
    );
    h.get_by_label("located in").click();
    h.run();
    let rel = doc(&h)
        .relations
        .iter()
        .find(|r| r.source == span.id && r.target == target.id)
        .expect("relation created")
        .clone();
    assert_eq!(rel.relation_type, "located_in");
    assert_eq!(h.state().view.selection, Selection::Relation(rel.id));
    // The inspector shows the relation.
    assert!(h.query_by_label("Relation").is_some());

    // Selecting the span lists the relation in the inspector.
    h.state_mut().view.selection = Selection::Span(span.id);
    h.run();
    assert!(h.query_by_label_contains("-> located in").is_some());

    // Delete removes the span with its relation; undo and redo step through everything.
    key(&mut h, Key::Delete);
    assert!(doc(&h).span(span.id).is_none());
    assert!(doc(&h).relation(rel.id).is_none());
    ctrl(&mut h, Key::Z);
    assert!(doc(&h).span(span.id).is_some() && doc(&h).relation(rel.id).is_some());
    ctrl(&mut h, Key::Y);
    assert!(doc(&h).span(span.id).is_none());
    ctrl(&mut h, Key::Z); // delete
    ctrl(&mut h, Key::Z); // relation
    assert!(doc(&h).relation(rel.id).is_none() && doc(&h).span(span.id).is_some());
    ctrl(&mut h, Key::Z); // retype back to DATE
    assert_eq!(doc(&h).span(span.id).unwrap().entity_type, "DATE");
    ctrl(&mut h, Key::Z); // retype back to EVENT
    ctrl(&mut h, Key::Z); // the tag itself
    assert_eq!(doc(&h).spans.len(), spans_before);
    ctrl(&mut h, Key::Y);
    assert_eq!(doc(&h).span(span.id).unwrap().entity_type, "EVENT");

    // Save writes the file; reloading gives the same project.
    assert!(h.state().session.is_dirty());
    ctrl(&mut h, Key::S);
    assert!(!h.state().session.is_dirty());
    let reloaded = marginalia::store::load(&path).unwrap();
    let mut expected = project(&h).clone();
    expected.revision = reloaded.revision;
    assert_eq!(reloaded, expected);
    assert_eq!(h.state().current_doc, Some(doc_id));
}

#[test]
fn type_menu_click_tags_and_escape_clears() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, _) = open_sample(dir.path(), vec![]);
    pick_document(&mut h, 1);
    let (start, end) = free_word(doc(&h));
    drag(&mut h, start, end - 1);
    // The menu pops up over the text (the inspector lists the types too).
    h.get_all_by_label_contains("ORG  Organisation")
        .find(|n| n.rect().left() < 1000.0)
        .expect("the popup's ORG entry")
        .click();
    h.run();
    let span = doc(&h)
        .spans
        .iter()
        .find(|s| s.start == start && s.end == end)
        .expect("span")
        .clone();
    assert_eq!(span.entity_type, "ORG");
    key(&mut h, Key::Escape);
    assert_eq!(h.state().view.selection, Selection::None);
    // Alt keeps the exact characters.
    let (start, end) = free_word(doc(&h));
    let d = project(&h).documents[1].clone();
    h.state_mut()
        .view
        .select_range(&d, start + 1, end - 1, true);
    h.run();
    key(&mut h, Key::Num4);
    assert!(
        doc(&h)
            .spans
            .iter()
            .any(|s| s.start == start + 1 && s.end == end - 1 && s.entity_type == "LOC")
    );
}

#[test]
fn arrow_keys_and_list_move_between_documents_and_status_is_editable() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, _) = open_sample(dir.path(), vec![]);
    let ids: Vec<DocumentId> = project(&h).documents.iter().map(|d| d.id).collect();
    assert_eq!(h.state().current_doc, Some(ids[0]));
    key(&mut h, Key::ArrowDown);
    key(&mut h, Key::ArrowDown);
    assert_eq!(h.state().current_doc, Some(ids[2]));
    key(&mut h, Key::ArrowUp);
    assert_eq!(h.state().current_doc, Some(ids[1]));
    // With nothing selected the inspector shows the document and its status buttons.
    let inspector_button = h
        .get_all_by_label("done")
        .find(|n| n.rect().left() > 1000.0)
        .expect("the inspector's status button");
    inspector_button.click();
    h.run();
    assert_eq!(doc(&h).status, marginalia::model::DocumentStatus::Done);
}

fn make_an_edit(h: &mut Harness<'static, MarginaliaApp>) {
    let d = doc(h).clone();
    let (start, end) = free_word(&d);
    h.state_mut().push(AppCommand::Op(Op::Tag {
        doc: d.id,
        start,
        end,
        entity_type: "EVENT".into(),
    }));
    h.run();
    assert!(h.state().session.is_dirty());
}

#[test]
fn unsaved_changes_prompt_cancel_discard_and_save() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, path) = open_sample(dir.path(), vec![]);
    make_an_edit(&mut h);
    let edited = project(&h).clone();

    // Cancel keeps everything.
    ctrl(&mut h, Key::N);
    assert!(matches!(h.state().prompt, Some(Prompt::UnsavedChanges(_))));
    assert!(h.query_by_label("Unsaved changes").is_some());
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.state().prompt.is_none());
    assert_eq!(project(&h).span_count(), edited.span_count());

    // Save writes, then carries on with the new project.
    ctrl(&mut h, Key::N);
    h.get_by_label("Save").click();
    h.run();
    assert_eq!(project(&h).documents.len(), 0);
    assert_eq!(
        marginalia::store::load(&path).unwrap().span_count(),
        edited.span_count()
    );

    // Discard drops the changes.
    let (mut h, path) = open_sample(dir.path(), vec![]);
    let on_disk = marginalia::store::load(&path).unwrap();
    make_an_edit(&mut h);
    ctrl(&mut h, Key::N);
    h.get_by_label("Discard").click();
    h.run();
    assert_eq!(project(&h).documents.len(), 0);
    assert_eq!(marginalia::store::load(&path).unwrap(), on_disk);
}

#[test]
fn missing_file_dialog_offers_a_path_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = sample_copy(dir.path());
    let app = empty_app(vec![DialogOutcome::Unavailable]);
    let mut h = harness(app);
    ctrl(&mut h, Key::O);
    assert!(matches!(h.state().prompt, Some(Prompt::TypePath { .. })));
    assert!(h.state().status.contains("No file dialog"));
    h.get_by_label("Path").focus();
    h.run();
    h.get_by_label("Path").type_text(path.to_str().unwrap());
    h.run();
    h.get_by_label("OK").click();
    h.run();
    assert!(h.state().prompt.is_none());
    assert_eq!(project(&h).documents.len(), 6);
    assert_eq!(h.state().settings.recent_projects.len(), 1);
}

#[test]
fn importing_a_folder_adds_documents_in_one_undoable_step() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(
        docs.join("a.txt"),
        "Talks resume\n\nDiplomats met in Vienna.\n",
    )
    .unwrap();
    std::fs::write(
        docs.join("b.md"),
        "# Aid arrives\n\nTrucks crossed the border.\n",
    )
    .unwrap();
    let app = empty_app(vec![DialogOutcome::Picked(vec![docs.clone()])]);
    let mut h = harness(app);
    h.get_by_label("Import Documents…").click();
    h.run();
    assert_eq!(project(&h).documents.len(), 2);
    assert_eq!(doc(&h).title, "Talks resume");
    ctrl(&mut h, Key::Z);
    assert_eq!(project(&h).documents.len(), 0);
}

/// Opens the combo box labelled `field` in the column dialog and picks `option` in it.
fn pick_column(h: &mut Harness<'static, MarginaliaApp>, field: &str, option: &str) {
    h.get_all_by_label(field)
        .find(|n| n.accesskit_node().role() == egui::accesskit::Role::ComboBox)
        .expect("the field's combo box")
        .click();
    h.run();
    h.get_all_by_label(option)
        .rfind(|n| n.accesskit_node().role() != egui::accesskit::Role::ComboBox)
        .expect("the column in the open list")
        .click();
    h.run();
}

#[test]
fn a_table_without_a_text_column_asks_which_column_is_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.csv");
    std::fs::write(
        &feed,
        "Überschrift,Nachricht,Datum\n\
         Talks resume,Diplomats met in Vienna on Monday.,5 March\n\
         Aid arrives,Trucks crossed the border at dawn.,6 March\n",
    )
    .unwrap();
    let app = empty_app(vec![
        DialogOutcome::Picked(vec![feed.clone()]),
        DialogOutcome::Picked(vec![feed.clone()]),
    ]);
    let mut h = harness(app);

    // Cancelled: nothing imported.
    h.get_by_label("Import Documents…").click();
    h.run();
    assert!(matches!(h.state().prompt, Some(Prompt::TextColumn(_))));
    h.get_by_label("Cancel").click();
    h.run();
    assert!(h.state().prompt.is_none());
    assert!(project(&h).documents.is_empty());

    // Answered: the rows become documents, titled from the chosen column; the column left
    // unmapped is kept in the details.
    h.get_by_label("Import Documents…").click();
    h.run();
    let Some(Prompt::TextColumn(choice)) = &h.state().prompt else {
        panic!("the column dialog is shown");
    };
    assert_eq!(choice.columns, ["Überschrift", "Nachricht", "Datum"]);
    assert!(
        h.get_by_label("Import").accesskit_node().is_disabled(),
        "Import waits for the text column"
    );
    pick_column(&mut h, "Text", "Nachricht");
    pick_column(&mut h, "Title", "Überschrift");
    h.get_by_label("Import").click();
    h.run();
    assert!(h.state().prompt.is_none(), "{:?}", h.state().prompt);
    let docs = &project(&h).documents;
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0].title, "Talks resume");
    assert_eq!(docs[0].text, "Diplomats met in Vienna on Monday.\n");
    assert_eq!(
        docs[1].metadata.extra.get("Datum").map(String::as_str),
        Some("6 March")
    );
    ctrl(&mut h, Key::Z);
    assert!(project(&h).documents.is_empty(), "one undo step");
}

#[test]
fn schema_editor_adds_a_type_undoably() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, _) = open_sample(dir.path(), vec![]);
    h.state_mut().push(AppCommand::ShowSchemaEditor);
    h.run();
    assert!(h.query_by_label("Schema Editor").is_some(), "window open");
    assert!(h.query_by_label("Entity types").is_some(), "window content");
    h.get_by_label("New type id").focus();
    h.run();
    h.get_by_label("New type id").type_text("weapon");
    h.run();
    h.get_by_label("Add entity type").click();
    h.run();
    h.get_by_label("Apply changes").click();
    h.run();
    assert!(project(&h).schema.entity_type("WEAPON").is_some());
    ctrl(&mut h, Key::Z);
    assert!(project(&h).schema.entity_type("WEAPON").is_none());
}

#[test]
fn export_dialog_writes_the_chosen_format() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, _) = open_sample(dir.path(), vec![]);
    ctrl(&mut h, Key::E);
    assert!(h.state().export_dialog.open);
    let target = dir.path().join("report.html");
    h.state_mut().export_dialog.target = target.display().to_string();
    h.run();
    h.get_by_label("Export now").click();
    h.run();
    let html = std::fs::read_to_string(&target).expect("report written");
    assert!(html.contains("Irina Volkova") && !html.contains("<script"));
    // A second export to the same file needs "Overwrite".
    h.get_by_label("Export now").click();
    h.run();
    assert_eq!(
        h.state().export_dialog.message.as_ref().map(|m| m.0),
        Some(false)
    );
    h.get_by_label("Overwrite if it exists").click();
    h.run();
    h.get_by_label("Export now").click();
    h.run();
    assert_eq!(
        h.state().export_dialog.message.as_ref().map(|m| m.0),
        Some(true)
    );
}

#[test]
fn a_new_mention_of_a_known_entity_is_linked() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, _) = open_sample(dir.path(), vec![]);
    // Untag one linked mention, then tag it again: it links back to its entity.
    let (doc_id, span) = project(&h)
        .documents
        .iter()
        .find_map(|d| {
            d.spans
                .iter()
                .find(|s| s.entity.is_some() && d.relations_of(s.id).next().is_none())
                .map(|s| (d.id, s.clone()))
        })
        .expect("a linked span without relations");
    h.state_mut().push(AppCommand::Op(Op::DeleteSpan {
        doc: doc_id,
        span: span.id,
    }));
    h.run();
    h.state_mut().push(AppCommand::Op(Op::Tag {
        doc: doc_id,
        start: span.start,
        end: span.end,
        entity_type: span.entity_type.to_string(),
    }));
    h.run();
    let d = project(&h).document(doc_id).unwrap();
    let again = d
        .spans
        .iter()
        .find(|s| s.start == span.start && s.end == span.end)
        .expect("tagged again");
    assert_eq!(again.entity, span.entity);
}

/// Runs frames until the background suggestion job has delivered.
fn wait_for_suggestions(h: &mut Harness<'static, MarginaliaApp>) {
    for _ in 0..1200 {
        h.run();
        if !h.state().session.review.is_running() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("suggestions did not finish");
}

/// A fresh project holding one article, nothing tagged yet, with the engines run over it.
fn suggested_article(dir: &Path, text: &str) -> Harness<'static, MarginaliaApp> {
    let docs = dir.join("docs");
    std::fs::create_dir(&docs).unwrap();
    std::fs::write(docs.join("a.txt"), text).unwrap();
    let mut app = empty_app(vec![DialogOutcome::Picked(vec![docs])]);
    app.session.path = Some(dir.join("fresh.ron"));
    let mut h = harness(app);
    h.get_by_label("Import Documents…").click();
    h.run();
    h.get_by_label("Suggestions").click();
    h.run();
    h.get_by_label("Suggest").click();
    wait_for_suggestions(&mut h);
    h
}

#[test]
fn suggestions_run_in_the_background_and_are_accepted_or_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = suggested_article(
        dir.path(),
        "Talks in Geneva\n\nArmenia and Azerbaijan resumed talks in Geneva on Monday, the United Nations said. \
         Prime Minister Nikol Pashinyan said at least 12 soldiers were killed this week.\n",
    );
    let ghosts = h.state().view.ghosts.clone();
    assert!(!ghosts.is_empty(), "{}", h.state().session.review.message);
    let d = doc(&h).clone();
    let armenia = ghosts
        .iter()
        .position(|g| d.slice(g.start, g.end) == "Armenia" && g.entity_type == "GPE")
        .expect("Armenia suggested as GPE");

    // Clicking the dashed suggestion in the text accepts it, as an undoable edit.
    let pos = center_of_char(&h, ghosts[armenia].start + 2);
    click_at(&mut h, pos);
    let span = doc(&h)
        .spans
        .iter()
        .find(|s| s.start == ghosts[armenia].start)
        .expect("accepted")
        .clone();
    assert_eq!(span.entity_type, "GPE");
    assert!(matches!(
        span.origin,
        marginalia::model::Origin::Suggested { .. }
    ));
    assert!(
        !h.state()
            .view
            .ghosts
            .iter()
            .any(|g| g.start == span.start && g.entity_type == "GPE")
    );

    // Next focuses a suggestion; x rejects it; it is remembered.
    h.get_by_label("Next").click();
    h.run();
    let focused = h
        .state()
        .view
        .focused_ghost
        .map(|i| h.state().view.ghosts[i].clone())
        .expect("focused");
    h.state_mut().view.selection = Selection::None;
    key(&mut h, Key::X);
    assert!(project(&h).is_rejected(
        focused.document,
        focused.start,
        focused.end,
        &focused.entity_type
    ));

    // Re-running does not bring the rejected one back.
    h.get_by_label("Suggest").click();
    wait_for_suggestions(&mut h);
    assert!(
        !h.state()
            .view
            .ghosts
            .iter()
            .any(|g| g.start == focused.start
                && g.end == focused.end
                && g.entity_type == focused.entity_type)
    );

    // Undo takes back the rejection, then the acceptance.
    ctrl(&mut h, Key::Z);
    assert!(!project(&h).is_rejected(
        focused.document,
        focused.start,
        focused.end,
        &focused.entity_type
    ));
    ctrl(&mut h, Key::Z);
    assert!(doc(&h).spans.iter().all(|s| s.start != span.start));

    // Bulk: accept everything shown.
    let shown = h.state().view.ghosts.len();
    h.get_by_label("Accept shown").click();
    h.run();
    assert!(shown > 0 && !doc(&h).spans.is_empty());
    assert!(h.state().view.ghosts.is_empty());
}

#[test]
fn autosaved_work_is_offered_back_on_open() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, path) = open_sample(dir.path(), vec![]);
    make_an_edit(&mut h);
    let edited = project(&h).clone();
    // Losing focus autosaves at once.
    h.input_mut().focused = true;
    h.run();
    assert!(!marginalia::store::recovery_path(&path).exists());
    h.input_mut().focused = false;
    h.run();
    assert!(marginalia::store::recovery_path(&path).exists());
    assert!(h.state().status.contains("Autosaved"));

    // Reopening (after a crash, say: the OS then drops the first window's lock, as dropping
    // it here does) offers the autosaved work.
    drop(h);
    let dialogs = ScriptedDialogs::default();
    let app = MarginaliaApp::with_project_path(Some(&path), Settings::default(), Box::new(dialogs));
    let mut h = harness(app);
    assert!(matches!(h.state().prompt, Some(Prompt::Recover { .. })));
    h.get_by_label("Restore unsaved work").click();
    h.run();
    assert_eq!(project(&h).span_count(), edited.span_count());
    assert!(h.state().session.is_dirty());
    // Saving removes the recovery file.
    ctrl(&mut h, Key::S);
    assert!(!marginalia::store::recovery_path(&path).exists());
}

/// Makes an edit, lets another program rewrite the project file (renamed "Changed
/// elsewhere"), then saves: the window asks. Returns what the other program wrote.
fn edit_while_the_file_changes_on_disk(
    h: &mut Harness<'static, MarginaliaApp>,
    path: &Path,
) -> Project {
    make_an_edit(h);
    let mut other = marginalia::store::load(path).unwrap();
    other.name = "Changed elsewhere".into();
    std::thread::sleep(std::time::Duration::from_millis(20));
    marginalia::store::save(&other, path).unwrap();
    ctrl(h, Key::S);
    assert!(matches!(h.state().prompt, Some(Prompt::ChangedOnDisk)));
    other
}

#[test]
fn saving_over_a_file_changed_on_disk_asks_first() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, path) = open_sample(dir.path(), vec![]);
    edit_while_the_file_changes_on_disk(&mut h, &path);
    h.get_by_label("Cancel").click();
    h.run();
    assert_eq!(
        marginalia::store::load(&path).unwrap().name,
        "Changed elsewhere"
    );
    ctrl(&mut h, Key::S);
    h.get_by_label("Overwrite").click();
    h.run();
    assert_eq!(
        marginalia::store::load(&path).unwrap().span_count(),
        project(&h).span_count()
    );
    assert!(!h.state().session.is_dirty());
}

#[test]
fn a_changed_file_can_be_reloaded_instead_of_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, path) = open_sample(dir.path(), vec![]);
    let other = edit_while_the_file_changes_on_disk(&mut h, &path);
    h.get_by_label("Reload from disk").click();
    h.run();
    assert_eq!(project(&h).name, "Changed elsewhere");
    assert_eq!(project(&h).span_count(), other.span_count());
    assert!(!h.state().session.is_dirty());
    // The window still holds the file: a CLI writer is kept out.
    assert!(marginalia::store::ProjectLock::acquire(&path).is_err());
}

#[test]
fn a_second_window_on_an_open_project_says_who_has_it() {
    let dir = tempfile::tempdir().unwrap();
    let (h, path) = open_sample(dir.path(), vec![]);
    let second = MarginaliaApp::with_project_path(
        Some(&path),
        Settings::default(),
        Box::new(ScriptedDialogs {
            answers: vec![],
            asked: vec![],
        }),
    );
    match &second.prompt {
        Some(Prompt::Error(message)) => assert!(
            message.contains("is open in another Marginalia (pid"),
            "{message}"
        ),
        other => panic!("expected an error prompt, got {other:?}"),
    }
    assert!(
        second.session.project.documents.is_empty(),
        "nothing opened"
    );
    drop(h);
    // Once the first window is gone, the project opens.
    let third = MarginaliaApp::with_project_path(
        Some(&path),
        Settings::default(),
        Box::new(ScriptedDialogs {
            answers: vec![],
            asked: vec![],
        }),
    );
    assert!(third.prompt.is_none());
    assert_eq!(third.session.project.documents.len(), 6);
}

#[test]
fn a_document_can_be_removed_and_brought_back() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, _) = open_sample(dir.path(), vec![]);
    let first = project(&h).documents[0].clone();
    let title = first.title.clone();
    // The open document's title also heads the text and the inspector: take the list entry.
    h.get_all_by_label(&title)
        .find(|n| n.rect().left() < 230.0)
        .expect("the list entry")
        .click_secondary();
    h.run();
    h.get_by_label("Remove from project").click();
    h.run();
    assert!(project(&h).document(first.id).is_none());
    assert_eq!(project(&h).documents.len(), 5);
    assert_ne!(h.state().current_doc, Some(first.id));
    ctrl(&mut h, Key::Z);
    assert_eq!(project(&h).documents[0], first);
}

#[test]
fn relation_suggestions_are_dashed_arcs_that_a_click_accepts() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = suggested_article(
        dir.path(),
        "Talks\n\nRussia supports Armenia in the talks, officials said on Monday.\n",
    );
    let d = doc(&h).clone();
    let arcs = h.state().view.ghost_relations.clone();
    let index = arcs
        .iter()
        .position(|r| {
            r.relation_type == "supports"
                && d.slice(r.source.start, r.source.end) == "Russia"
                && d.slice(r.target.start, r.target.end) == "Armenia"
        })
        .unwrap_or_else(|| panic!("no supports arc: {arcs:?}"));
    let pos = h
        .state()
        .view
        .ghost_relation_point(index)
        .expect("the arc is drawn");
    click_at(&mut h, pos);
    let d = doc(&h);
    let relation = d
        .relations
        .iter()
        .find(|r| r.relation_type == "supports")
        .expect("accepted by the click");
    let end = |id| d.span(id).map(|s| d.span_text(s).to_string());
    assert_eq!(end(relation.source).as_deref(), Some("Russia"));
    assert_eq!(end(relation.target).as_deref(), Some("Armenia"));
    assert!(
        !h.state()
            .view
            .ghost_relations
            .iter()
            .any(|r| r.relation_type == "supports"),
        "an accepted arc is no longer a suggestion"
    );
}

/// The value a text field shows.
fn field_value(h: &Harness<'static, MarginaliaApp>, label: &str) -> String {
    h.get_by_label(label)
        .accesskit_node()
        .value()
        .unwrap_or_default()
        .to_string()
}

fn type_into(h: &mut Harness<'static, MarginaliaApp>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.run();
    h.get_by_label(label).type_text(text);
    h.run();
}

#[test]
fn document_details_are_edited_in_the_inspector_and_undo_restores_them() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, _) = open_sample(dir.path(), vec![]);
    assert_eq!(h.state().view.selection, Selection::None);
    let before = doc(&h).clone();

    // A field commits when Enter leaves it: one undoable step.
    type_into(&mut h, "Author", "Ani Hakobyan");
    key(&mut h, Key::Enter);
    assert_eq!(doc(&h).metadata.author.as_deref(), Some("Ani Hakobyan"));
    assert!(h.state().session.is_dirty());
    type_into(&mut h, "Date", "2024-03-01");
    key(&mut h, Key::Enter);
    assert_eq!(doc(&h).metadata.date.as_deref(), Some("2024-03-01"));
    type_into(&mut h, "Title", "Talks resume");
    key(&mut h, Key::Enter);
    assert_eq!(doc(&h).title, "Talks resume");

    // A date that is not ISO 8601 changes nothing and says why.
    type_into(&mut h, "Date", "March 2024");
    key(&mut h, Key::Enter);
    assert_eq!(doc(&h).metadata.date.as_deref(), Some("2024-03-01"));
    assert!(
        h.state().status.contains("ISO 8601"),
        "{}",
        h.state().status
    );
    type_into(&mut h, "Date", "2024-03-01");
    key(&mut h, Key::Enter);

    // Undo brings every field back, in the project and on screen.
    for _ in 0..3 {
        ctrl(&mut h, Key::Z);
    }
    h.run();
    assert_eq!(doc(&h).metadata, before.metadata);
    assert_eq!(doc(&h).title, before.title);
    assert_eq!(
        field_value(&h, "Author"),
        before.metadata.author.unwrap_or_default()
    );
    assert_eq!(field_value(&h, "Title"), before.title);
}

/// Titles in the documents list, top to bottom.
fn listed_titles(h: &Harness<'static, MarginaliaApp>) -> Vec<String> {
    let panel = h.state().layout.documents_panel.expect("documents panel");
    let mut rows: Vec<(f32, String)> = project(h)
        .documents
        .iter()
        .filter_map(|d| {
            let r = h
                .query_all_by_label(&d.title)
                .map(|n| n.rect())
                .find(|r| panel.contains(r.center()))?;
            Some((r.top(), d.title.clone()))
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    rows.into_iter().map(|(_, t)| t).collect()
}

/// Picks `option` in the documents panel's menu labelled `menu`.
fn pick_in_documents_menu(h: &mut Harness<'static, MarginaliaApp>, menu: &str, option: &str) {
    let panel = h.state().layout.documents_panel.expect("documents panel");
    h.get_by_label(menu).click();
    h.run();
    h.get_all_by_label(option)
        .filter(|n| n.accesskit_node().role() != egui::accesskit::Role::Label)
        .find(|n| panel.contains(n.rect().center()))
        .expect("the menu option")
        .click();
    h.run();
    h.run();
}

#[test]
fn the_documents_list_filters_by_status_and_sorts_by_title() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, _) = open_sample(dir.path(), vec![]);
    let docs: Vec<(DocumentId, String)> = project(&h)
        .documents
        .iter()
        .map(|d| (d.id, d.title.clone()))
        .collect();
    assert_eq!(
        listed_titles(&h),
        docs.iter().map(|d| d.1.clone()).collect::<Vec<_>>()
    );
    for (i, d) in docs.iter().enumerate() {
        use marginalia::model::DocumentStatus::{Done, New};
        h.state_mut().push(AppCommand::Op(Op::SetDocumentStatus {
            doc: d.0,
            status: if i == 1 || i == 3 { Done } else { New },
        }));
    }
    h.run();

    pick_in_documents_menu(&mut h, "Show", "done");
    assert_eq!(listed_titles(&h), [docs[1].1.clone(), docs[3].1.clone()]);

    pick_in_documents_menu(&mut h, "Show", "all");
    pick_in_documents_menu(&mut h, "Sort", "Title");
    let mut by_title: Vec<String> = docs.iter().map(|d| d.1.clone()).collect();
    by_title.sort_by_key(|t| t.to_lowercase());
    assert_eq!(listed_titles(&h), by_title);

    // Next / previous document follow the list as shown.
    let first = docs.iter().find(|d| d.1 == by_title[0]).unwrap().0;
    let second = docs.iter().find(|d| d.1 == by_title[1]).unwrap().0;
    h.state_mut().push(AppCommand::SelectDocument(first));
    h.state_mut().push(AppCommand::NextDocument);
    h.run();
    assert_eq!(h.state().current_doc, Some(second));
}

/// The y of the document's first character on screen: it moves up as the text scrolls.
fn text_top(h: &Harness<'static, MarginaliaApp>) -> f32 {
    h.state().view.char_rect(0).expect("laid out").top()
}

#[test]
fn each_document_keeps_its_own_scroll_position() {
    let mut project = Project::new("Long");
    let paragraph = "The delegations met again in the morning and read out their \
                     statements; nothing new was agreed before the break.\n\n";
    for title in ["First", "Second"] {
        let id = project.new_document_id();
        project.documents.push(
            Document::new(
                id,
                title,
                "",
                format!("{title}\n\n{}", paragraph.repeat(60)),
            )
            .into(),
        );
    }
    let ids: Vec<DocumentId> = project.documents.iter().map(|d| d.id).collect();
    let dialogs = ScriptedDialogs {
        answers: vec![],
        asked: vec![],
    };
    let mut h = harness(MarginaliaApp::new(
        Session::from_project(project, None),
        Settings::default(),
        Box::new(dialogs),
    ));
    let top = text_top(&h);
    let text = h.state().layout.text.expect("text shown");
    h.hover_at(text.center());
    h.run();
    h.event(Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, -600.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Unknown,
        modifiers: Modifiers::NONE,
    });
    h.run_steps(10);
    h.run();
    let scrolled = text_top(&h);
    assert!(scrolled < top - 300.0, "{scrolled} vs {top}");

    h.state_mut().push(AppCommand::SelectDocument(ids[1]));
    h.run_steps(4);
    assert!(
        (text_top(&h) - top).abs() < 1.0,
        "the second opens at its top"
    );
    h.state_mut().push(AppCommand::SelectDocument(ids[0]));
    h.run_steps(4);
    assert!(
        (text_top(&h) - scrolled).abs() < 1.0,
        "the first is where it was left: {} vs {scrolled}",
        text_top(&h)
    );
}

#[test]
fn a_new_project_starts_with_no_find_results() {
    let dir = tempfile::tempdir().unwrap();
    let (mut h, _) = open_sample(dir.path(), vec![]);
    ctrl(&mut h, Key::F);
    h.get_by_label("Search for").type_text("Armenia");
    h.run();
    key(&mut h, Key::Enter);
    assert!(!h.state().find.hits().is_empty());
    ctrl(&mut h, Key::N);
    assert!(project(&h).documents.is_empty());
    assert!(h.state().find.hits().is_empty());
    assert!(h.state().find.pattern.is_empty());
}
