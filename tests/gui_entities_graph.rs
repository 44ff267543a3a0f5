//! The Entities tab, the Find tab and the graph view, driven headless with egui_kittest on a
//! copy of the sample project; assertions are on the project and the app state.

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.
#![cfg(feature = "gui")]

use egui::accesskit::Role;
use egui::{Event, Key, Modifiers, Pos2, Vec2};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use marginalia::app::{
    AppCommand, CentralView, GraphSelection, MarginaliaApp, RightTab, ScriptedDialogs, Selection,
    Settings,
};
use marginalia::model::{Document, Project};
use marginalia::search::{Mode, Query, search};
use marginalia::session::Op;
use std::path::{Path, PathBuf};

fn sample_copy(dir: &Path) -> PathBuf {
    let path = dir.join("case.ron");
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/sample.ron");
    std::fs::copy(sample, &path).expect("sample project exists");
    path
}

fn open_sample(dir: &Path) -> Harness<'static, MarginaliaApp> {
    let path = sample_copy(dir);
    let dialogs = ScriptedDialogs {
        answers: vec![],
        asked: vec![],
    };
    let app = MarginaliaApp::with_project_path(Some(&path), Settings::default(), Box::new(dialogs));
    let mut h = Harness::builder()
        .with_size(Vec2::new(1400.0, 900.0))
        .with_max_steps(24)
        .build_ui_state(|ui, app: &mut MarginaliaApp| app.ui_for_tests(ui), app);
    h.run();
    h
}

fn project<'a>(h: &'a Harness<'static, MarginaliaApp>) -> &'a Project {
    &h.state().session.project
}

fn current<'a>(h: &'a Harness<'static, MarginaliaApp>) -> &'a Document {
    h.state().current_document().expect("a document is open")
}

fn click_at(h: &mut Harness<'static, MarginaliaApp>, pos: Pos2) {
    h.hover_at(pos);
    h.run();
    for pressed in [true, false] {
        h.event(Event::PointerButton {
            pos,
            button: egui::PointerButton::Primary,
            pressed,
            modifiers: Modifiers::NONE,
        });
    }
    h.run();
}

/// Runs until the UI is still, allowing for the scroll animation of a jump in the text.
fn settle(h: &mut Harness<'static, MarginaliaApp>) {
    h.run_steps(12);
    h.run();
}

fn click(h: &mut Harness<'static, MarginaliaApp>, label: &str) {
    h.get_by_label(label).click();
    h.run();
}

/// The char range of the span the document view has selected.
fn selected_range(h: &Harness<'static, MarginaliaApp>) -> Option<(usize, usize)> {
    match h.state().view.selection {
        Selection::Span(id) => current(h).span(id).map(|s| (s.start, s.end)),
        Selection::Range { start, end } => Some((start, end)),
        _ => None,
    }
}

#[test]
fn find_then_annotate_all_hits_in_one_undoable_step() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open_sample(dir.path());
    let query = Query {
        pattern: "Volkova".into(),
        mode: Mode::Plain,
        ..Query::default()
    };
    let hits = search(project(&h), &query).unwrap().hits;
    assert!(hits.len() >= 4, "the sample mentions Volkova often");
    // Tag one hit by hand first: annotating all must skip it.
    let first = hits[0].clone();
    h.state_mut().push(AppCommand::Op(Op::Tag {
        doc: first.doc,
        start: first.start,
        end: first.end,
        entity_type: "PER".into(),
    }));
    h.run();
    let fresh: Vec<_> = hits
        .iter()
        .filter(|hit| {
            !project(&h)
                .document(hit.doc)
                .unwrap()
                .has_span(hit.start, hit.end, "PER")
        })
        .collect();
    assert_eq!(fresh.len(), hits.len() - 1);
    let spans_before = project(&h).span_count();

    // Ctrl+F opens the Find tab with the query field focused; Enter searches and jumps.
    h.key_press_modifiers(Modifiers::COMMAND, Key::F);
    h.run();
    assert_eq!(h.state().right_tab, RightTab::Find);
    h.get_by_label("Search for").type_text("Volkova");
    h.run();
    h.key_press(Key::Enter);
    settle(&mut h);
    assert_eq!(h.state().find.hits().len(), hits.len());
    assert_eq!(h.state().current_doc, Some(hits[0].doc));
    assert_eq!(selected_range(&h), Some((hits[0].start, hits[0].end)));
    assert!(
        h.query_by_label_contains(&format!("{} hits in", hits.len()))
            .is_some()
    );

    // Annotate every hit as PER: spans only where none with the same offsets and type existed.
    click(&mut h, "Annotate all hits as PER");
    let p = project(&h);
    assert_eq!(p.span_count(), spans_before + fresh.len());
    for hit in &hits {
        assert!(
            p.document(hit.doc)
                .unwrap()
                .has_span(hit.start, hit.end, "PER")
        );
    }
    assert!(
        h.state()
            .status
            .contains(&format!("{} skipped", hits.len() - fresh.len())),
        "{}",
        h.state().status
    );

    // Annotating again adds nothing; one undo removes every new span.
    click(&mut h, "Annotate all hits as PER");
    assert_eq!(project(&h).span_count(), spans_before + fresh.len());
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    let p = project(&h);
    assert_eq!(p.span_count(), spans_before);
    assert!(
        p.document(first.doc)
            .unwrap()
            .has_span(first.start, first.end, "PER")
    );
    for hit in &fresh {
        assert!(
            !p.document(hit.doc)
                .unwrap()
                .has_span(hit.start, hit.end, "PER")
        );
    }

    // An invalid regular expression says so.
    h.state_mut().find.mode = Mode::Regex;
    h.state_mut().find.pattern = "(unclosed".into();
    h.run();
    click(&mut h, "Search");
    assert!(
        h.query_by_label_contains("invalid regular expression")
            .is_some()
    );
}

#[test]
fn entities_tab_lists_mentions_and_jumps_to_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open_sample(dir.path());
    let volkova = project(&h)
        .entities
        .iter()
        .find(|e| e.name == "Irina Volkova")
        .expect("the sample links Irina Volkova")
        .id;
    let start_doc = h.state().current_doc;

    click(&mut h, "Entities");
    assert_eq!(h.state().right_tab, RightTab::Entities);
    h.get_by_label("Filter names").focus();
    h.run();
    h.get_by_label("Filter names").type_text("Volkova");
    h.run();
    click(&mut h, "Irina Volkova");
    assert_eq!(h.state().entities.selected, Some(volkova));

    // A mention in another document than the open one: its line jumps there.
    let mentions = marginalia::kb::mentions_with_context(project(&h), volkova);
    assert!(mentions.len() >= 4);
    let m = mentions
        .iter()
        .find(|m| Some(m.doc) != start_doc)
        .expect("a mention elsewhere")
        .clone();
    let left_end: String = m
        .left
        .chars()
        .rev()
        .take(10)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    let right_start: String = m.right.chars().take(15).collect();
    let snippet = format!("{left_end}{}{right_start}", m.hit);
    let node = h.get_by_label_contains(&snippet);
    node.scroll_to_me();
    h.run();
    h.get_by_label_contains(&snippet).click();
    settle(&mut h);
    assert_eq!(h.state().current_doc, Some(m.doc));
    assert_eq!(h.state().view.selection, Selection::Span(m.span));

    // Renaming goes through an undoable edit.
    h.state_mut().entities.select(Some(volkova));
    // The field, not the table's Name column header.
    let name_field = h.get_by_role_and_label(Role::TextInput, "Name");
    name_field.focus();
    h.run();
    h.key_press_modifiers(Modifiers::COMMAND, Key::A);
    h.get_by_role_and_label(Role::TextInput, "Name")
        .type_text("Irina V. Volkova");
    h.key_press(Key::Enter);
    h.run();
    assert_eq!(
        project(&h).entity(volkova).map(|e| e.name.as_str()),
        Some("Irina V. Volkova")
    );
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(
        project(&h).entity(volkova).map(|e| e.name.as_str()),
        Some("Irina Volkova")
    );
}

#[test]
fn graph_edge_evidence_jumps_to_the_relation_in_its_document() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open_sample(dir.path());
    click(&mut h, "Graph");
    assert_eq!(h.state().central, CentralView::Graph);
    let graph = h.state().graph.graph().clone();
    assert!(graph.nodes.len() > 10 && !graph.edges.is_empty());

    // Click the middle of an edge (one whose middle is clear of nodes and other edges).
    let (index, anchor) = (0..graph.edges.len())
        .filter_map(|i| {
            let anchor = h.state().graph.edge_anchor(i)?;
            let e = &graph.edges[i];
            let wanted = GraphSelection::Edge {
                source: graph.nodes[e.source].key.clone(),
                target: graph.nodes[e.target].key.clone(),
                relation_type: e.relation_type.clone(),
            };
            (h.state().graph.hit(anchor) == Some(wanted)).then_some((i, anchor))
        })
        .next()
        .expect("an edge can be clicked");
    click_at(&mut h, anchor);
    assert_eq!(h.state().graph.selected_edge(), Some(index));

    // The evidence lists the sentence; clicking it opens the document at the relation.
    let evidence = graph.edges[index].evidence[0].clone();
    h.get_all_by_label(evidence.sentence.trim())
        .next()
        .expect("the evidence sentence is listed")
        .click();
    settle(&mut h);
    assert_eq!(h.state().central, CentralView::Document);
    assert_eq!(h.state().current_doc, Some(evidence.doc));
    let d = current(&h);
    let relation = d.relation(evidence.relation).expect("relation").clone();
    let source = d.span(relation.source).expect("source span");
    assert_eq!(selected_range(&h), Some((source.start, source.end)));

    // Back in the graph, clicking a node lists its mentions.
    click(&mut h, "Graph");
    let node = graph.edges[index].source;
    let pos = h.state().graph.node_position(node).expect("node drawn");
    click_at(&mut h, pos);
    assert_eq!(
        h.state().graph.selected,
        Some(GraphSelection::Node(graph.nodes[node].key.clone()))
    );
}

#[test]
fn merging_two_entities_moves_every_mention_and_undoes() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open_sample(dir.path());
    // Two ORG entities with mentions: merge the first into the second.
    let orgs: Vec<_> = project(&h)
        .entities
        .iter()
        .filter(|e| e.entity_type == "ORG" && project(&h).mentions_of(e.id).next().is_some())
        .map(|e| (e.id, e.name.clone()))
        .take(2)
        .collect();
    let [(absorb, _), (keep, keep_name)] = [orgs[0].clone(), orgs[1].clone()];
    let moved: Vec<_> = project(&h).mentions_of(absorb).map(|(_, s)| s.id).collect();
    let before = project(&h).clone();

    click(&mut h, "Entities");
    h.state_mut().entities.select(Some(absorb));
    h.run();
    click(&mut h, "Merge into…");
    // The target's name is in the table too; the menu entry is drawn last.
    let entries: Vec<_> = h.get_all_by_label(&keep_name).collect();
    entries
        .last()
        .expect("the menu lists the other entity")
        .click();
    h.run();

    let p = project(&h);
    assert!(p.entity(absorb).is_none());
    for span in &moved {
        assert_eq!(p.find_span(*span).map(|(_, s)| s.entity), Some(Some(keep)));
    }
    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    let mut restored = project(&h).clone();
    restored.revision = before.revision;
    restored.next_id = before.next_id;
    assert_eq!(restored, before);
}

#[test]
fn dragging_a_graph_node_moves_and_pins_it_without_panning() {
    let dir = tempfile::tempdir().unwrap();
    let mut h = open_sample(dir.path());
    click(&mut h, "Graph");
    // The view as the user left it: no more fitting to the layout while it settles.
    h.state_mut().graph.auto_fit = false;
    settle(&mut h);
    let graph = h.state().graph.graph().clone();
    // A node a press at its centre grabs (not covered by another node).
    let (node, from) = (0..graph.nodes.len())
        .filter_map(|i| {
            let p = h.state().graph.node_position(i)?;
            let key = graph.nodes[i].key.clone();
            (h.state().graph.hit(p) == Some(GraphSelection::Node(key))).then_some((i, p))
        })
        .next()
        .expect("a node can be grabbed");
    assert!(!h.state().graph.is_pinned(node));
    let pan = h.state().graph.transform;
    let to = from + Vec2::new(70.0, 45.0);

    // The layout keeps moving the other nodes while one is dragged: step frames, no waiting
    // for stillness.
    h.hover_at(from);
    h.run_steps(2);
    h.drag_at(from);
    h.run_steps(2);
    for step in 1..=4 {
        h.hover_at(from + (to - from) * (step as f32 / 4.0));
        h.run_steps(2);
    }
    h.drop_at(to);
    h.run_steps(20);

    let now = h.state().graph.node_position(node).expect("node drawn");
    assert!(
        (now - to).length() < 2.0,
        "the node is under the pointer: {now:?} vs {to:?}"
    );
    assert!(
        h.state().graph.is_pinned(node),
        "a dragged node stays pinned"
    );
    assert_eq!(h.state().graph.transform, pan, "the view did not pan");
    assert!(h.state().graph.selected.is_none(), "a drag is not a click");
}
