//! Open (parse + validate), serialize and save a synthetic project: 1,000 documents by default
//! (about 3 MB of text, 30,000 spans, 5,000 relations); `MARGINALIA_SCALE_DOCS=10000` for the
//! full scale of BENCHMARKS.md. The project is the one `marginalia generate` writes.
//!
//! `CARGO_TARGET_DIR=... cargo bench --no-default-features --bench scale`

use criterion::{Criterion, criterion_group, criterion_main};
use marginalia::store;
use marginalia::testkit::synthetic_project;
use std::hint::black_box;
use std::path::Path;

fn bench(c: &mut Criterion) {
    let documents = std::env::var("MARGINALIA_SCALE_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000);
    let project = synthetic_project(documents, 1);
    let text = store::to_ron_string(&project).expect("serializes");
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("scale.ron");
    store::save(&project, &path).expect("saves");

    let mut group = c.benchmark_group(format!("scale_{documents}_documents"));
    group.sample_size(10);
    group.bench_function("parse_and_validate", |b| {
        b.iter(|| store::from_ron_str(black_box(&text), Path::new("scale.ron")).expect("loads"))
    });
    group.bench_function("load_from_disk", |b| {
        b.iter(|| store::load(black_box(&path)).expect("loads"))
    });
    group.bench_function("validate", |b| {
        b.iter(|| black_box(&project).validate().expect("valid"))
    });
    group.bench_function("serialize", |b| {
        b.iter(|| store::to_ron_string(black_box(&project)).expect("serializes"))
    });
    group.bench_function("save_atomically", |b| {
        b.iter(|| store::save(black_box(&project), &path).expect("saves"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
