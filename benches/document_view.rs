//! Per-frame CPU time of the document view on a long, densely annotated article
//! (20,000 words, 3,000 spans, 500 relations), drawn headless: no window or GPU needed;
//! and the frame after an edit, which lays out every label and arc of the article again.

use criterion::{Criterion, criterion_group, criterion_main};
use marginalia::app::DocumentView;
use marginalia::model::{Document, Origin, Project, Relation, Span};

const WORDS: [&str; 12] = [
    "Armenia",
    "and",
    "Azerbaijan",
    "agreed",
    "on",
    "Thursday",
    "to",
    "a",
    "ceasefire",
    "along",
    "the",
    "border,",
];

/// A 20,000-word article in paragraphs of 120 words, with 3,000 spans and 500 relations.
fn big_project() -> Project {
    let mut p = Project::new("bench");
    let mut text = String::new();
    let mut word_starts = Vec::new();
    let mut chars = 0;
    for i in 0..20_000 {
        if i > 0 {
            let sep = if i % 120 == 0 { "\n\n" } else { " " };
            text.push_str(sep);
            chars += sep.len();
        }
        let w = WORDS[i % WORDS.len()];
        word_starts.push((chars, chars + w.len()));
        text.push_str(w);
        chars += w.len();
    }
    let id = p.new_document_id();
    let mut doc = Document::new(id, "Long report", "", text);
    let types = ["GPE", "PER", "ORG", "DATE", "EVENT"];
    for k in 0..3_000 {
        let (start, end) = word_starts[k * 20_000 / 3_000];
        let sid = p.new_span_id();
        doc.spans
            .push(Span::new(sid, start, end, types[k % types.len()]));
    }
    for k in 0..500 {
        let rid = p.new_relation_id();
        let (a, b) = (doc.spans[k * 6].id, doc.spans[k * 6 + 1].id);
        doc.relations.push(Relation {
            id: rid,
            relation_type: "opposes".into(),
            source: a,
            target: b,
            origin: Origin::Manual,
            note: String::new(),
            made: None,
        });
    }
    p.documents.push(doc.into());
    p.normalize_order();
    p
}

/// Runs and tessellates one frame; returns the number of meshes (to check something was drawn).
fn frame(ctx: &egui::Context, view: &mut DocumentView, project: &Project, scroll: f32) -> usize {
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1400.0, 900.0),
        )),
        events: vec![
            // The pointer over the text, so the wheel scrolls it.
            egui::Event::PointerMoved(egui::pos2(700.0, 450.0)),
            egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, -scroll),
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Wheel,
                modifiers: egui::Modifiers::NONE,
            },
        ],
        ..Default::default()
    };
    let mut commands = Vec::new();
    let output = ctx.run_ui(input, |ui| {
        egui::CentralPanel::default().show(ui, |ui| {
            view.ui(ui, project, &project.documents[0], 17.0, &mut commands);
        });
    });
    // Tessellation is part of every frame's CPU work too.
    ctx.tessellate(output.shapes, output.pixels_per_point).len()
}

fn bench(c: &mut Criterion) {
    let project = big_project();
    let ctx = egui::Context::default();
    let mut view = DocumentView::default();
    // The first frame lays out the whole article (once per document and width).
    let meshes = frame(&ctx, &mut view, &project, 0.0);
    eprintln!("a frame draws {meshes} clipped meshes");
    c.bench_function(
        "document view frame (20k words, 3k spans, 500 relations)",
        |b| b.iter(|| frame(&ctx, &mut view, &project, 0.0)),
    );
    c.bench_function("document view frame while scrolling", |b| {
        b.iter(|| frame(&ctx, &mut view, &project, 40.0))
    });
    // An edit moves the revision: the next frame lays the labels and arcs out again.
    let mut edited = project.clone();
    c.bench_function("document view frame after an edit", |b| {
        b.iter(|| {
            edited.revision += 1;
            frame(&ctx, &mut view, &edited, 0.0)
        })
    });
    c.bench_function("document view first layout", |b| {
        b.iter(|| {
            let mut fresh = DocumentView::default();
            frame(&ctx, &mut fresh, &project, 0.0)
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
