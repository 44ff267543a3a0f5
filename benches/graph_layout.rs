//! Time per step of the force layout on a synthetic 2,000-node, 5,000-edge graph.
//!
//! `CARGO_TARGET_DIR=... cargo bench --no-default-features --bench graph_layout`

use criterion::{Criterion, criterion_group, criterion_main};
use marginalia::graph::{ForceLayout, NodeKey};
use marginalia::model::EntityId;
use std::hint::black_box;

const NODES: usize = 2_000;
const EDGES: usize = 5_000;

/// A deterministic graph with hubs, like a news network: each edge joins a random node to
/// one picked with a bias towards low indices.
fn synthetic() -> (Vec<NodeKey>, Vec<(usize, usize)>) {
    let keys = (1..=NODES as u64)
        .map(|i| NodeKey::Entity(EntityId(i)))
        .collect();
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut edges = Vec::with_capacity(EDGES);
    while edges.len() < EDGES {
        let a = (next() % NODES as u64) as usize;
        let r = (next() % 1_000_000) as f64 / 1_000_000.0;
        let b = ((r * r) * NODES as f64) as usize;
        if a != b {
            edges.push((a, b));
        }
    }
    (keys, edges)
}

fn bench(c: &mut Criterion) {
    let (keys, edges) = synthetic();
    let mut group = c.benchmark_group("graph_layout");
    group.bench_function("step_2000_nodes_5000_edges", |b| {
        let mut layout = ForceLayout::from_edges(keys.clone(), &edges, 1);
        // Measure steps of a layout in progress, not only the first scattered one.
        for _ in 0..20 {
            layout.step();
        }
        b.iter(|| black_box(layout.step()));
    });
    group.sample_size(10);
    group.bench_function("settle_300_steps_2000_nodes_5000_edges", |b| {
        b.iter(|| {
            let mut layout = ForceLayout::from_edges(keys.clone(), &edges, 1);
            black_box(layout.run(300))
        });
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
