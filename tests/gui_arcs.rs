//! Relation arcs as brat draws them, checked on the geometry the document view laid out
//! (not recomputed here): every relation of the sample's densest document is labelled with
//! its type's label, no two labels overlap, none covers text, no arc crosses a word, an arc
//! across lines is labelled on each line, and a click on an arc's line selects it. And span
//! boundaries move from the keyboard and by dragging an end, undoably.

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.
#![cfg(feature = "gui")]

#[path = "common/sample_window.rs"]
mod sample_window;

use egui::{Key, Modifiers, Pos2, Rect, Vec2};
use egui_kittest::Harness;
use marginalia::app::{MarginaliaApp, Selection};
use marginalia::model::{Document, RelationId, SpanId};

fn doc(h: &Harness<'static, MarginaliaApp>) -> Document {
    h.state().current_document().unwrap().clone()
}

fn overlap(a: Rect, b: Rect) -> bool {
    a.intersect(b).area() > 0.5 && a.intersects(b)
}

/// The first document of the sample (the densest): every relation drawn, labelled with its
/// type's label from the schema; labels clear of each other, of type labels and of text;
/// no arc line through a word.
fn check_arcs(size: (f32, f32)) {
    let h = sample_window::sample_window(size);
    let d = doc(&h);
    let project = &h.state().session.project;
    let view = &h.state().view;
    let arcs = view.drawn_arcs();
    assert!(
        d.relations.len() >= 10,
        "the sample's first document is dense"
    );
    for r in &d.relations {
        let label = &project
            .schema
            .relation_type(&r.relation_type)
            .unwrap()
            .label;
        let pieces: Vec<_> = arcs.iter().filter(|a| a.relation == Some(r.id)).collect();
        assert!(
            !pieces.is_empty(),
            "{size:?}: relation {} is not drawn",
            r.id
        );
        for p in pieces {
            assert_eq!(
                &p.label_text, label,
                "{size:?}: the schema's label, not the id"
            );
            assert!(p.label.width() > 10.0 && p.label.height() > 6.0);
        }
    }
    let words = view.text_rects();
    let type_labels = view.span_label_rects();
    assert!(words.len() > 10 && type_labels.len() >= d.spans.len());
    for (i, a) in arcs.iter().enumerate() {
        for b in &arcs[i + 1..] {
            assert!(
                !overlap(a.label, b.label),
                "{size:?}: labels '{}' {:?} and '{}' {:?} overlap",
                a.label_text,
                a.label,
                b.label_text,
                b.label
            );
        }
        for w in &words {
            assert!(
                !overlap(a.label, *w),
                "{size:?}: label '{}' covers text",
                a.label_text
            );
            // The line never crosses a word: sample it every couple of points.
            for seg in a.path.windows(2) {
                let steps = (seg[0].distance(seg[1]) / 2.0).ceil().max(1.0) as usize;
                for k in 0..=steps {
                    let p = seg[0] + (seg[1] - seg[0]) * (k as f32 / steps as f32);
                    assert!(
                        !w.shrink(1.0).contains(p),
                        "{size:?}: the '{}' arc crosses a word at {p:?}",
                        a.label_text
                    );
                }
            }
        }
        for (_, t) in &type_labels {
            assert!(
                !overlap(a.label, *t),
                "{size:?}: label '{}' covers a type label",
                a.label_text
            );
        }
    }
    for (i, (_, a)) in type_labels.iter().enumerate() {
        for (_, b) in &type_labels[i + 1..] {
            assert!(!overlap(*a, *b), "{size:?}: type labels overlap");
        }
        for w in &words {
            assert!(!overlap(*a, *w), "{size:?}: a type label covers text");
        }
    }
}

#[test]
fn every_relation_is_labelled_and_no_label_overlaps_at_1400x900() {
    check_arcs((1400.0, 900.0));
}

#[test]
fn every_relation_is_labelled_and_no_label_overlaps_at_1024x700() {
    check_arcs((1024.0, 700.0));
}

#[test]
fn an_arc_across_lines_has_a_labelled_piece_on_each_line() {
    let h = sample_window::sample_window((1024.0, 700.0));
    let arcs = h.state().view.drawn_arcs();
    let column = h.state().view.text_column.unwrap();
    let mut ids: Vec<RelationId> = arcs.iter().filter_map(|a| a.relation).collect();
    ids.dedup();
    let multi = ids
        .into_iter()
        .map(|id| {
            let pieces: Vec<_> = arcs.iter().filter(|a| a.relation == Some(id)).collect();
            pieces
        })
        .find(|p| p.len() >= 2)
        .expect("some relation of the sample spans two lines");
    for p in &multi {
        assert!(!p.label_text.is_empty() && p.label.width() > 10.0);
    }
    // The first piece runs out at the right edge, the last comes in from the left edge.
    let first = multi.first().unwrap();
    let last = multi.last().unwrap();
    let right = first.path.iter().map(|p| p.x).fold(f32::MIN, f32::max);
    let left = last.path.iter().map(|p| p.x).fold(f32::MAX, f32::min);
    assert!(right >= column.right(), "{right} vs {column:?}");
    assert!(left <= column.left(), "{left} vs {column:?}");
    assert!(
        last.label.top() > first.label.top(),
        "pieces on later lines"
    );
}

/// A press and a release at one spot.
fn click(h: &mut Harness<'static, MarginaliaApp>, pos: Pos2) {
    h.hover_at(pos);
    h.run();
    h.drag_at(pos);
    h.drop_at(pos);
    h.run();
}

/// Where a relation's (first) label is drawn now.
fn label_of(h: &Harness<'static, MarginaliaApp>, id: RelationId) -> Rect {
    h.state()
        .view
        .drawn_arcs()
        .into_iter()
        .find(|a| a.relation == Some(id))
        .unwrap()
        .label
}

#[test]
fn clicking_an_arc_line_or_its_label_selects_the_relation() {
    let mut h = sample_window::sample_window((1400.0, 900.0));
    let view = &h.state().view;
    let arcs = view.drawn_arcs();
    let column = view.text_column.unwrap();
    let labels = view.span_label_rects();
    // A point on a line (the middle of a segment), on screen, off every label, away from
    // every other arc.
    let far_from_others = |id: RelationId, p: Pos2| {
        arcs.iter().filter(|a| a.relation != Some(id)).all(|a| {
            !a.label.expand(4.0).contains(p)
                && a.path.windows(2).all(|s| {
                    let t = ((p - s[0]).dot(s[1] - s[0]) / (s[1] - s[0]).length_sq().max(1e-3))
                        .clamp(0.0, 1.0);
                    p.distance(s[0] + (s[1] - s[0]) * t) > 10.0
                })
        })
    };
    let (id, point) = arcs
        .iter()
        .filter_map(|a| Some((a.relation?, a)))
        .flat_map(|(id, a)| {
            a.path
                .windows(2)
                .map(move |s| (id, s[0] + (s[1] - s[0]) * 0.5, a.label))
        })
        .find(|(id, p, label)| {
            column.expand(-4.0).contains(*p)
                && !label.expand(4.0).contains(*p)
                && !labels.iter().any(|(_, l)| l.expand(4.0).contains(*p))
                && far_from_others(*id, *p)
        })
        .map(|(id, p, _)| (id, p))
        .expect("an arc line clear of labels and other arcs");
    click(&mut h, point + Vec2::new(0.0, 3.0)); // a little off the line still hits it
    assert_eq!(h.state().view.selection, Selection::Relation(id));
    let label_before = label_of(&h, id);

    // The label of another relation selects that one; the first label has not moved.
    let other = h
        .state()
        .view
        .drawn_arcs()
        .into_iter()
        .find(|a| a.relation.is_some_and(|r| r != id) && column.contains(a.label.center()))
        .unwrap();
    click(&mut h, other.label.center());
    assert_eq!(
        h.state().view.selection,
        Selection::Relation(other.relation.unwrap())
    );
    click(&mut h, point);
    let label_after = label_of(&h, id);
    assert_eq!(
        label_before, label_after,
        "a selected arc's label stays put"
    );
}

/// Selects the span with this text by clicking it (so the document has the keyboard).
fn select_span(h: &mut Harness<'static, MarginaliaApp>, text: &str) -> SpanId {
    let d = doc(h);
    let span = d
        .spans
        .iter()
        .find(|s| d.span_text(s) == text)
        .unwrap_or_else(|| panic!("no span {text}"));
    let rect = h.state().view.span_rects(span.id)[0];
    click(h, rect.center());
    assert_eq!(h.state().view.selection, Selection::Span(span.id));
    span.id
}

fn range_of(h: &Harness<'static, MarginaliaApp>, id: SpanId) -> (usize, usize) {
    let s = doc(h).span(id).cloned().unwrap();
    (s.start, s.end)
}

fn text_of(h: &Harness<'static, MarginaliaApp>, id: SpanId) -> String {
    let d = doc(h);
    d.span(id).map(|s| d.span_text(s).to_string()).unwrap()
}

#[test]
fn span_boundaries_move_by_word_and_character_from_the_keyboard_and_undo() {
    let mut h = sample_window::sample_window((1400.0, 900.0));
    // "Armen Tadevosyan" (a PER with a has_role relation to "Foreign Minister").
    let id = select_span(&mut h, "Armen Tadevosyan");
    let relations_before = doc(&h).relations.clone();
    let original = range_of(&h, id);

    let press = |h: &mut Harness<'static, MarginaliaApp>, m: Modifiers, k: Key| {
        h.key_press_modifiers(m, k);
        h.run();
    };
    press(&mut h, Modifiers::SHIFT, Key::ArrowRight);
    assert_eq!(text_of(&h, id), "Armen Tadevosyan told");
    press(&mut h, Modifiers::SHIFT, Key::ArrowLeft);
    assert_eq!(text_of(&h, id), "Armen Tadevosyan");
    press(
        &mut h,
        Modifiers::COMMAND | Modifiers::SHIFT,
        Key::ArrowLeft,
    );
    assert_eq!(text_of(&h, id), "Minister Armen Tadevosyan");
    press(
        &mut h,
        Modifiers::COMMAND | Modifiers::SHIFT,
        Key::ArrowRight,
    );
    assert_eq!(text_of(&h, id), "Armen Tadevosyan");
    press(&mut h, Modifiers::ALT | Modifiers::SHIFT, Key::ArrowLeft);
    assert_eq!(text_of(&h, id), "Armen Tadevosya");
    press(
        &mut h,
        Modifiers::COMMAND | Modifiers::ALT | Modifiers::SHIFT,
        Key::ArrowRight,
    );
    assert_eq!(text_of(&h, id), "rmen Tadevosya");
    assert_eq!(
        h.state().view.selection,
        Selection::Span(id),
        "still selected"
    );
    assert_eq!(doc(&h).relations, relations_before, "relations kept");

    // Each move is one undo step.
    for _ in 0..6 {
        press(&mut h, Modifiers::COMMAND, Key::Z);
    }
    assert_eq!(range_of(&h, id), original);
}

#[test]
fn shift_arrows_in_a_text_field_leave_the_span_alone() {
    let mut h = sample_window::sample_window((1400.0, 900.0));
    let id = select_span(&mut h, "Armen Tadevosyan");
    let before = range_of(&h, id);
    h.key_press_modifiers(Modifiers::COMMAND, Key::F); // the Find box takes the keyboard
    h.run();
    h.run();
    assert!(!marginalia::app::DocumentView::owns_keyboard(&h.ctx));
    h.key_press_modifiers(Modifiers::SHIFT, Key::ArrowRight);
    h.run();
    assert_eq!(range_of(&h, id), before);
}

#[test]
fn dragging_a_span_end_moves_it_to_whole_words_and_undo_restores_it() {
    let mut h = sample_window::sample_window((1400.0, 900.0));
    let id = select_span(&mut h, "Armen Tadevosyan");
    let (start, end) = range_of(&h, id);
    let d = doc(&h);
    // Drag the end handle into the middle of "reporters" (two words on: "told reporters").
    let target = start
        + d.text[..]
            .chars()
            .skip(start)
            .collect::<String>()
            .find("reporters")
            .unwrap()
        + 3;
    let rects = h.state().view.span_rects(id);
    let from = Pos2::new(
        rects.last().unwrap().right(),
        rects.last().unwrap().center().y,
    );
    let to = h.state().view.char_rect(target).unwrap().center();
    h.hover_at(from);
    h.run();
    h.drag_at(from);
    h.run();
    h.hover_at(from + (to - from) * 0.5);
    h.run();
    h.hover_at(to);
    h.run();
    h.drop_at(to);
    h.run();
    assert_eq!(text_of(&h, id), "Armen Tadevosyan told reporters");
    assert_eq!(range_of(&h, id).0, start, "the start stays");

    h.key_press_modifiers(Modifiers::COMMAND, Key::Z);
    h.run();
    assert_eq!(range_of(&h, id), (start, end));
}

/// A type with a short label (brat's visual.conf abbreviation) is labelled with it over its
/// spans; types without one keep their id.
#[test]
fn short_labels_from_the_schema_label_the_spans() {
    let mut h = sample_window::sample_window((1400.0, 900.0));
    let schema = &mut h.state_mut().session.project.schema;
    let gpe = schema
        .entity_types
        .iter_mut()
        .find(|t| t.id == "GPE")
        .unwrap();
    gpe.short_label = "G".into();
    h.state_mut().session.project.revision += 1;
    h.run();
    h.run();
    let d = doc(&h);
    let labels = h.state().view.span_label_texts();
    let of = |ty: &str| -> Vec<&str> {
        labels
            .iter()
            .filter(|(id, _)| d.span(*id).is_some_and(|s| s.entity_type == ty))
            .map(|(_, t)| t.as_str())
            .collect()
    };
    let gpe = of("GPE");
    assert!(!gpe.is_empty() && gpe.iter().all(|t| *t == "G"), "{gpe:?}");
    let per = of("PER");
    assert!(
        !per.is_empty() && per.iter().all(|t| *t == "PER"),
        "{per:?}"
    );
}

/// A relation type with a brat arc style (visual.conf `color`, `dashArray`) has its arcs
/// drawn in that colour and dashed; types without one keep the plain line.
#[test]
fn brat_arc_styles_colour_and_dash_their_arcs() {
    let mut h = sample_window::sample_window((1400.0, 900.0));
    let schema = &mut h.state_mut().session.project.schema;
    let part_of = schema
        .relation_types
        .iter_mut()
        .find(|t| t.id == "part_of")
        .unwrap();
    part_of.arc_style = "color:#3fa03f, dashArray:3-3".into();
    h.state_mut().session.project.revision += 1;
    h.run();
    h.run();
    let d = doc(&h);
    let arcs = h.state().view.drawn_arcs();
    let of_type = |ty: &str| {
        arcs.iter()
            .filter(|a| {
                a.relation
                    .and_then(|r| d.relation(r))
                    .is_some_and(|r| r.relation_type == ty)
            })
            .map(|a| a.drawing)
            .collect::<Vec<_>>()
    };
    let styled = of_type("part_of");
    assert!(!styled.is_empty());
    assert!(
        styled
            .iter()
            .all(|s| s.color == Some([0x3f, 0xa0, 0x3f]) && s.dash == Some((3.0, 3.0)))
    );
    let plain = of_type("has_role");
    assert!(!plain.is_empty() && plain.iter().all(|s| *s == Default::default()));
}
