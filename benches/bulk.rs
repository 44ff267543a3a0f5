//! The bulk paths of BENCHMARKS.md ("Bulk paths"), from the library, without the CLI's load
//! and save:
//!
//! - growth checks: `suggest --accept` (every engine, the CLI's steps) on fresh generated
//!   articles, and a brat import of the result, each at two sizes (default 1,000 and 4,000
//!   documents; 4x the documents should cost at most 5x the time);
//! - a JSONL import of 40,000 lines (planned and applied, as one transaction);
//! - opening (parse + validate) a project of one document with 80,000 spans and 80,000
//!   relations;
//! - the rules engine on one 4 MB document;
//! - an HTML page of nested `div`s at two depths (25,000 and 100,000: 4x the depth should
//!   cost about 4x the time, not 16x).
//!
//! `cargo bench --no-default-features --bench bulk` (`MARGINALIA_BULK_SIZES=1000,4000` sets the
//! two sizes of the growth checks).

use criterion::{Criterion, criterion_group, criterion_main};
use marginalia::import::{ImportFormat, plan_import};
use marginalia::model::{Document, Origin, Project, Relation, Span};
use marginalia::session::Op;
use marginalia::store;
use marginalia::suggest::{DEFAULT_MIN_SCORE, engines_by_name, learn_all, run_engines};
use marginalia::testkit::synthetic_project;
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The generated articles with their annotations taken away.
fn fresh(documents: usize) -> Project {
    let mut p = synthetic_project(documents, 1);
    for d in &mut p.documents {
        let d = Arc::make_mut(d);
        d.spans.clear();
        d.relations.clear();
    }
    p.entities.clear();
    p
}

/// What `marginalia suggest P --accept` does between loading and saving.
fn suggest_accept(project: &Project) -> Project {
    let mut p = project.clone();
    let mut engines = engines_by_name(&[]).expect("engines");
    learn_all(&mut engines, &p);
    let best = run_engines(&p, &engines, &[]).best(&p, DEFAULT_MIN_SCORE);
    let planned = Op::Accept {
        entities: best.entities,
        relations: best.relations,
    }
    .plan(&p)
    .expect("plans");
    planned.tx.apply(&mut p).expect("applies");
    p
}

fn import(paths: &[PathBuf], format: ImportFormat) -> Project {
    let mut p = Project::new("import");
    let (tx, _) = plan_import(&p, paths, format).expect("reads");
    tx.apply(&mut p).expect("applies");
    p
}

fn growth(c: &mut Criterion) {
    let sizes: Vec<usize> = std::env::var("MARGINALIA_BULK_SIZES")
        .ok()
        .map(|v| v.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 4_000]);
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("growth");
    group.sample_size(10);
    for &n in &sizes {
        let project = fresh(n);
        group.bench_function(format!("suggest_accept_{n}_documents"), |b| {
            b.iter(|| suggest_accept(black_box(&project)))
        });
        // The accepted project as a brat folder, read back into a new project.
        let accepted = suggest_accept(&project);
        let folder = dir.path().join(format!("brat{n}"));
        std::fs::create_dir(&folder).expect("folder");
        let mut notices = Vec::new();
        for (name, bytes) in marginalia::export::brat::render(&accepted, &mut notices) {
            std::fs::write(folder.join(name), bytes).expect("writes");
        }
        let paths = [folder];
        group.bench_function(format!("brat_import_{n}_documents"), |b| {
            b.iter(|| import(black_box(&paths), ImportFormat::Brat))
        });
    }
    group.finish();
}

/// 40,000 doccano lines of about 300 characters with their labels, made of the generated
/// articles (numbered, so that no two texts are the same).
fn jsonl_lines(lines: usize) -> String {
    let source = synthetic_project(1_000, 2);
    let mut out = String::new();
    for i in 0..lines {
        let d = &source.documents[i % source.documents.len()];
        let prefix = format!("Line {i}. ");
        let head: String = d.text.chars().take(300).collect();
        let shift = prefix.chars().count();
        let labels: Vec<serde_json::Value> = d
            .spans
            .iter()
            .filter(|s| s.end <= 300)
            .map(|s| serde_json::json!([s.start + shift, s.end + shift, s.entity_type.as_str()]))
            .collect();
        let line = serde_json::json!({ "text": format!("{prefix}{head}"), "label": labels });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

fn jsonl(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("lines.jsonl");
    std::fs::write(&path, jsonl_lines(40_000)).expect("writes");
    let paths = [path];
    let mut group = c.benchmark_group("jsonl");
    group.sample_size(10);
    group.bench_function("import_40000_lines", |b| {
        b.iter(|| import(black_box(&paths), ImportFormat::Jsonl))
    });
    group.finish();
}

/// One document of `n` place names, each a span, and `n` relations between them.
fn one_big_document(n: usize) -> Project {
    const PLACES: [&str; 6] = [
        "Armenia",
        "Azerbaijan",
        "Geneva",
        "Moscow",
        "Yerevan",
        "Baku",
    ];
    let mut p = Project::new("big");
    let id = p.new_document_id();
    let mut text = String::new();
    let mut ranges = Vec::with_capacity(n);
    for k in 0..n {
        let w = PLACES[k % PLACES.len()];
        ranges.push((text.len(), text.len() + w.len()));
        text.push_str(w);
        text.push(' ');
    }
    let mut doc = Document::new(id, "big", "big.txt", text);
    let origin = Origin::Imported {
        format: "brat".into(),
    };
    for (start, end) in ranges {
        let mut s = Span::new(p.new_span_id(), start, end, "GPE");
        s.origin = origin.clone();
        doc.spans.push(s);
    }
    for k in 0..n {
        let (a, b) = (
            doc.spans[(k * 7919) % n].id,
            doc.spans[(k * 104_729 + 1) % n].id,
        );
        doc.relations.push(Relation {
            id: p.new_relation_id(),
            relation_type: "opposes".into(),
            source: a,
            target: b,
            origin: origin.clone(),
            note: String::new(),
            made: None,
        });
    }
    p.documents.push(doc.into());
    p
}

fn open_one_document(c: &mut Criterion) {
    let text = store::to_ron_string(&one_big_document(80_000)).expect("serializes");
    let mut group = c.benchmark_group("open");
    group.sample_size(10);
    group.bench_function("one_document_80000_spans_80000_relations", |b| {
        b.iter(|| store::from_ron_str(black_box(&text), Path::new("big.ron")).expect("loads"))
    });
    group.finish();
}

fn rules_on_a_large_document(c: &mut Criterion) {
    let source = synthetic_project(2_000, 3);
    let mut text = String::new();
    for d in &source.documents {
        if text.len() >= 4 << 20 {
            break;
        }
        text.push_str(&d.text);
        text.push_str("\n\n");
    }
    let mut p = Project::new("rules");
    let id = p.new_document_id();
    p.documents
        .push(Document::new(id, "large", "large.txt", text).into());
    let mut engines = engines_by_name(&["rules".to_string()]).expect("engines");
    learn_all(&mut engines, &p);
    let mut group = c.benchmark_group("rules");
    group.sample_size(10);
    group.bench_function("one_4_mb_document", |b| {
        b.iter(|| run_engines(black_box(&p), &engines, &[]))
    });
    group.finish();
}

fn html_nesting(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut group = c.benchmark_group("html");
    group.sample_size(10);
    for depth in [25_000, 100_000] {
        let path = dir.path().join(format!("nested{depth}.html"));
        let page = format!(
            "<html><body>{}Armenia{}</body></html>",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        std::fs::write(&path, page).expect("writes");
        let paths = [path];
        group.bench_function(format!("import_{depth}_nested_divs"), |b| {
            b.iter(|| import(black_box(&paths), ImportFormat::Html))
        });
    }
    group.finish();
}

criterion_group!(
    benches,
    html_nesting,
    jsonl,
    open_one_document,
    rules_on_a_large_document,
    growth
);
criterion_main!(benches);
