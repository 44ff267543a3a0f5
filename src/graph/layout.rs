//! Force-directed layout (Fruchterman–Reingold) with Barnes–Hut repulsion, so a step costs
//! O(n log n + edges). Positions are abstract units centred on 0 (the ideal edge length is
//! `IDEAL_DISTANCE`); the GUI scales them to the view.
//!
//! Typical use: `ForceLayout::new(&graph, seed)`, then `step()` once per frame until
//! `is_settled()`; after the project changes, `sync(&new_graph)` keeps known nodes where they
//! are. Pinned nodes never move; `set_position` moves a node while it is dragged.

use super::{EntityGraph, NodeKey};
use std::collections::HashMap;

/// Ideal distance between connected nodes, in layout units.
pub const IDEAL_DISTANCE: f32 = 1.0;
/// Barnes–Hut opening angle: a cell counts as one body when size / distance is below it.
const THETA: f32 = 0.9;
/// Pull towards the centre, so separate components stay in view.
const GRAVITY: f32 = 0.05;
/// Temperature multiplier per step.
const COOLING: f32 = 0.95;
/// The layout counts as settled when no node moves more than this in a step.
const SETTLED_MOVEMENT: f32 = 0.002 * IDEAL_DISTANCE;
/// Deepest quadtree level; bodies closer than that share a leaf.
const MAX_DEPTH: usize = 24;

#[derive(Debug, Clone)]
pub struct ForceLayout {
    keys: Vec<NodeKey>,
    index: HashMap<NodeKey, usize>,
    positions: Vec<[f32; 2]>,
    pinned: Vec<bool>,
    edges: Vec<(usize, usize)>,
    seed: u64,
    temperature: f32,
    last_movement: f32,
    // Scratch buffers reused between steps.
    displacement: Vec<[f32; 2]>,
    tree: QuadTree,
}

impl ForceLayout {
    /// A layout of the graph's nodes, in deterministic starting positions derived from `seed`
    /// and each node's key.
    pub fn new(graph: &EntityGraph, seed: u64) -> ForceLayout {
        let keys = graph.nodes.iter().map(|n| n.key.clone()).collect();
        let edges: Vec<(usize, usize)> = graph.edges.iter().map(|e| (e.source, e.target)).collect();
        ForceLayout::from_edges(keys, &edges, seed)
    }

    /// A layout of arbitrary nodes and edges (pairs of indices into `keys`).
    pub fn from_edges(keys: Vec<NodeKey>, edges: &[(usize, usize)], seed: u64) -> ForceLayout {
        let mut layout = ForceLayout {
            keys: Vec::new(),
            index: HashMap::new(),
            positions: Vec::new(),
            pinned: Vec::new(),
            edges: Vec::new(),
            seed,
            temperature: 0.0,
            last_movement: f32::INFINITY,
            displacement: Vec::new(),
            tree: QuadTree::default(),
        };
        layout.replace(keys, edges);
        layout.temperature = layout.initial_temperature();
        layout
    }

    fn initial_temperature(&self) -> f32 {
        IDEAL_DISTANCE * (self.keys.len() as f32).sqrt().max(1.0) * 0.5
    }

    /// Adopts the new graph's nodes and edges. Nodes already known (same key) keep their
    /// position and pin; new nodes start next to their placed neighbours (or at their hashed
    /// position), and the layout warms up just enough to fit them in.
    pub fn sync(&mut self, graph: &EntityGraph) {
        let keys: Vec<NodeKey> = graph.nodes.iter().map(|n| n.key.clone()).collect();
        let edges: Vec<(usize, usize)> = graph.edges.iter().map(|e| (e.source, e.target)).collect();
        let added = self.replace(keys, &edges);
        if added > 0 {
            let warm = self.initial_temperature() * (added as f32 / self.keys.len() as f32).sqrt();
            self.temperature = self.temperature.max(warm.max(0.2 * IDEAL_DISTANCE));
            self.last_movement = f32::INFINITY;
        }
    }

    /// Installs keys and edges; returns how many keys are new.
    fn replace(&mut self, keys: Vec<NodeKey>, edges: &[(usize, usize)]) -> usize {
        let n = keys.len();
        let mut positions = vec![[0.0; 2]; n];
        let mut pinned = vec![false; n];
        let mut placed = vec![false; n];
        for (i, k) in keys.iter().enumerate() {
            if let Some(&old) = self.index.get(k) {
                positions[i] = self.positions[old];
                pinned[i] = self.pinned[old];
                placed[i] = true;
            }
        }
        let first_layout = self.keys.is_empty();
        let radius = IDEAL_DISTANCE * (n as f32).sqrt().max(1.0);
        let mut added = 0;
        for (i, k) in keys.iter().enumerate() {
            if placed[i] {
                continue;
            }
            added += 1;
            let h = hash(self.seed, &k.stable_string());
            let (a, b) = (unit(h), unit(h >> 32));
            let neighbours: Vec<[f32; 2]> = edges
                .iter()
                .filter_map(|&(s, t)| match (s == i, t == i) {
                    (true, false) if placed[t] => Some(positions[t]),
                    (false, true) if placed[s] => Some(positions[s]),
                    _ => None,
                })
                .collect();
            positions[i] = if !first_layout && !neighbours.is_empty() {
                let m = neighbours.len() as f32;
                let cx = neighbours.iter().map(|p| p[0]).sum::<f32>() / m;
                let cy = neighbours.iter().map(|p| p[1]).sum::<f32>() / m;
                let angle = a * std::f32::consts::TAU;
                let r = 0.5 * IDEAL_DISTANCE;
                [cx + r * angle.cos(), cy + r * angle.sin()]
            } else {
                // Uniform in a disc: sqrt of a uniform radius.
                let angle = a * std::f32::consts::TAU;
                let r = radius * b.sqrt();
                [r * angle.cos(), r * angle.sin()]
            };
        }
        self.index = keys
            .iter()
            .enumerate()
            .map(|(i, k)| (k.clone(), i))
            .collect();
        self.keys = keys;
        self.positions = positions;
        self.pinned = pinned;
        self.edges = edges
            .iter()
            .copied()
            .filter(|&(s, t)| s != t && s < n && t < n)
            .collect();
        added
    }

    /// One iteration. Returns the largest distance a node moved.
    pub fn step(&mut self) -> f32 {
        let n = self.positions.len();
        if n == 0 {
            self.last_movement = 0.0;
            return 0.0;
        }
        let k = IDEAL_DISTANCE;
        let k2 = k * k;
        self.displacement.clear();
        self.displacement.resize(n, [0.0; 2]);
        self.tree.build(&self.positions);
        for i in 0..n {
            let f = self.tree.repulsion(&self.positions, i, k2);
            let [x, y] = self.positions[i];
            // Gravity grows with distance from the centre.
            self.displacement[i] = [f[0] - GRAVITY * x, f[1] - GRAVITY * y];
        }
        for &(s, t) in &self.edges {
            let dx = self.positions[s][0] - self.positions[t][0];
            let dy = self.positions[s][1] - self.positions[t][1];
            let d = (dx * dx + dy * dy).sqrt();
            if d < 1e-9 {
                continue;
            }
            // Attraction d^2 / k along the edge: f / d per unit of (dx, dy).
            let f = d / k;
            self.displacement[s][0] -= dx * f;
            self.displacement[s][1] -= dy * f;
            self.displacement[t][0] += dx * f;
            self.displacement[t][1] += dy * f;
        }
        let mut movement: f32 = 0.0;
        for i in 0..n {
            if self.pinned[i] {
                continue;
            }
            let [dx, dy] = self.displacement[i];
            let len = (dx * dx + dy * dy).sqrt();
            if len < 1e-12 || !len.is_finite() {
                continue;
            }
            let moved = len.min(self.temperature);
            self.positions[i][0] += dx / len * moved;
            self.positions[i][1] += dy / len * moved;
            movement = movement.max(moved);
        }
        self.temperature = (self.temperature * COOLING).max(SETTLED_MOVEMENT * 0.5);
        self.last_movement = movement;
        movement
    }

    /// Runs up to `max_steps` steps, stopping early once settled; returns the steps run.
    pub fn run(&mut self, max_steps: usize) -> usize {
        for done in 0..max_steps {
            if self.is_settled() {
                return done;
            }
            self.step();
        }
        max_steps
    }

    /// True once a step moved no node noticeably: stop stepping (and repainting).
    pub fn is_settled(&self) -> bool {
        self.last_movement <= SETTLED_MOVEMENT
    }

    /// The current cap on a node's movement per step.
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// Positions by node index, in the order of the graph last given to `new` or `sync`.
    pub fn positions(&self) -> &[[f32; 2]] {
        &self.positions
    }

    pub fn keys(&self) -> &[NodeKey] {
        &self.keys
    }

    pub fn position(&self, key: &NodeKey) -> Option<[f32; 2]> {
        self.index.get(key).map(|&i| self.positions[i])
    }

    /// Moves a node (while dragging) and lets its neighbourhood adjust. False if unknown.
    pub fn set_position(&mut self, key: &NodeKey, pos: [f32; 2]) -> bool {
        let Some(&i) = self.index.get(key) else {
            return false;
        };
        self.positions[i] = pos;
        self.temperature = self.temperature.max(0.1 * IDEAL_DISTANCE);
        self.last_movement = f32::INFINITY;
        true
    }

    /// Fixes a node at `pos`: steps never move it. False if unknown.
    pub fn pin(&mut self, key: &NodeKey, pos: [f32; 2]) -> bool {
        let moved = self.set_position(key, pos);
        if let Some(&i) = self.index.get(key) {
            self.pinned[i] = true;
        }
        moved
    }

    /// Lets a pinned node move again. False if unknown.
    pub fn unpin(&mut self, key: &NodeKey) -> bool {
        let Some(&i) = self.index.get(key) else {
            return false;
        };
        self.pinned[i] = false;
        self.last_movement = f32::INFINITY;
        true
    }

    pub fn is_pinned(&self, key: &NodeKey) -> bool {
        self.index.get(key).is_some_and(|&i| self.pinned[i])
    }
}

/// FNV-1a of the seed and a key: stable across runs, platforms and Rust versions.
fn hash(seed: u64, s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // Final avalanche so nearby keys ("E1", "E2") land far apart.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h
}

/// The low 24 bits of `h` as a number in [0, 1).
fn unit(h: u64) -> f32 {
    (h & 0xff_ffff) as f32 / 16_777_216.0
}

/// A Barnes–Hut quadtree over body positions, rebuilt every step. Each cell covers a
/// contiguous range of `order`, so leaves can list their bodies without allocation.
#[derive(Debug, Clone, Default)]
struct QuadTree {
    cells: Vec<Cell>,
    /// Body indices, grouped by cell.
    order: Vec<usize>,
    scratch: Vec<usize>,
}

#[derive(Debug, Clone, Copy)]
struct Cell {
    /// Centre of mass.
    cx: f32,
    cy: f32,
    mass: f32,
    size: f32,
    /// Range of `order`.
    first: usize,
    last: usize,
    /// Children cell indices (0 = none; the root is never a child).
    children: [u32; 4],
    leaf: bool,
}

impl QuadTree {
    fn build(&mut self, positions: &[[f32; 2]]) {
        self.cells.clear();
        self.order.clear();
        self.order.extend(0..positions.len());
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for p in positions {
            x0 = x0.min(p[0]);
            y0 = y0.min(p[1]);
            x1 = x1.max(p[0]);
            y1 = y1.max(p[1]);
        }
        let size = (x1 - x0).max(y1 - y0).max(1e-3);
        self.subdivide(positions, 0, positions.len(), x0, y0, size, 0);
    }

    /// Builds the cell for `order[first..last]` within the square at (x0, y0); returns its index.
    #[allow(clippy::too_many_arguments)]
    fn subdivide(
        &mut self,
        positions: &[[f32; 2]],
        first: usize,
        last: usize,
        x0: f32,
        y0: f32,
        size: f32,
        depth: usize,
    ) -> u32 {
        let mut cell = Cell {
            cx: 0.0,
            cy: 0.0,
            mass: (last - first) as f32,
            size,
            first,
            last,
            children: [0; 4],
            leaf: last - first <= 1 || depth >= MAX_DEPTH,
        };
        for &b in &self.order[first..last] {
            cell.cx += positions[b][0];
            cell.cy += positions[b][1];
        }
        cell.cx /= cell.mass.max(1.0);
        cell.cy /= cell.mass.max(1.0);
        let id = self.cells.len();
        self.cells.push(cell);
        if cell.leaf {
            return id as u32;
        }
        // Stable partition into quadrants 0..4 through the scratch buffer.
        let half = size * 0.5;
        let (mx, my) = (x0 + half, y0 + half);
        let quadrant =
            |b: usize| usize::from(positions[b][0] >= mx) + 2 * usize::from(positions[b][1] >= my);
        let mut counts = [0usize; 4];
        for &b in &self.order[first..last] {
            counts[quadrant(b)] += 1;
        }
        let mut starts = [first; 4];
        for q in 1..4 {
            starts[q] = starts[q - 1] + counts[q - 1];
        }
        self.scratch.clear();
        self.scratch.extend_from_slice(&self.order[first..last]);
        let mut next = starts;
        for i in 0..self.scratch.len() {
            let b = self.scratch[i];
            let q = quadrant(b);
            self.order[next[q]] = b;
            next[q] += 1;
        }
        let mut children = [0u32; 4];
        for q in 0..4 {
            if counts[q] == 0 {
                continue;
            }
            let qx = if q & 1 == 1 { mx } else { x0 };
            let qy = if q & 2 == 2 { my } else { y0 };
            children[q] = self.subdivide(
                positions,
                starts[q],
                starts[q] + counts[q],
                qx,
                qy,
                half,
                depth + 1,
            );
        }
        self.cells[id].children = children;
        id as u32
    }

    /// The repulsive displacement on body `i`: k^2 / d per body, away from it.
    fn repulsion(&self, positions: &[[f32; 2]], i: usize, k2: f32) -> [f32; 2] {
        let [x, y] = positions[i];
        let mut f = [0.0f32; 2];
        let mut push = |dx: f32, dy: f32, mass: f32, tie: usize| {
            let mut d2 = dx * dx + dy * dy;
            let (mut dx, mut dy) = (dx, dy);
            if d2 < 1e-8 {
                // Coincident bodies: push apart in a direction fixed by the pair.
                let a = unit(hash(i as u64, &tie.to_string())) * std::f32::consts::TAU;
                dx = a.cos() * 1e-2;
                dy = a.sin() * 1e-2;
                d2 = 1e-4;
            }
            let s = k2 * mass / d2;
            f[0] += dx * s;
            f[1] += dy * s;
        };
        let mut stack: Vec<u32> = Vec::with_capacity(64);
        if !self.cells.is_empty() {
            stack.push(0);
        }
        while let Some(c) = stack.pop() {
            let cell = &self.cells[c as usize];
            let (dx, dy) = (x - cell.cx, y - cell.cy);
            let d2 = dx * dx + dy * dy;
            if cell.leaf {
                for &b in &self.order[cell.first..cell.last] {
                    if b != i {
                        push(x - positions[b][0], y - positions[b][1], 1.0, b);
                    }
                }
            } else if cell.size * cell.size < THETA * THETA * d2 {
                push(dx, dy, cell.mass, c as usize);
            } else {
                stack.extend(cell.children.iter().copied().filter(|&ch| ch != 0));
            }
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EntityId;

    fn keys(n: usize) -> Vec<NodeKey> {
        (0..n as u64)
            .map(|i| NodeKey::Entity(EntityId(i + 1)))
            .collect()
    }

    fn ring(n: usize) -> Vec<(usize, usize)> {
        (0..n).map(|i| (i, (i + 1) % n)).collect()
    }

    #[test]
    fn same_seed_same_layout_other_seed_other_layout() {
        let mut a = ForceLayout::from_edges(keys(30), &ring(30), 7);
        let mut b = ForceLayout::from_edges(keys(30), &ring(30), 7);
        let c = ForceLayout::from_edges(keys(30), &ring(30), 8);
        assert_ne!(a.positions(), c.positions());
        for _ in 0..50 {
            a.step();
            b.step();
        }
        assert_eq!(a.positions(), b.positions());
    }

    #[test]
    fn settles_and_keeps_edges_short() {
        let n = 40;
        let mut l = ForceLayout::from_edges(keys(n), &ring(n), 1);
        let steps = l.run(2_000);
        assert!(l.is_settled(), "not settled after {steps} steps");
        let p = l.positions();
        let mean_edge: f32 = ring(n)
            .iter()
            .map(|&(s, t)| ((p[s][0] - p[t][0]).powi(2) + (p[s][1] - p[t][1]).powi(2)).sqrt())
            .sum::<f32>()
            / n as f32;
        assert!(mean_edge > 0.2 && mean_edge < 5.0, "mean edge {mean_edge}");
        // Centred on 0.
        let cx: f32 = p.iter().map(|q| q[0]).sum::<f32>() / n as f32;
        assert!(cx.abs() < 1.0, "centre {cx}");
    }

    #[test]
    fn pinned_nodes_stay_put() {
        let ks = keys(20);
        let mut l = ForceLayout::from_edges(ks.clone(), &ring(20), 3);
        assert!(l.pin(&ks[4], [5.0, -2.0]));
        for _ in 0..100 {
            l.step();
        }
        assert_eq!(l.position(&ks[4]), Some([5.0, -2.0]));
        assert!(l.unpin(&ks[4]));
        l.step();
        assert_ne!(l.position(&ks[4]), Some([5.0, -2.0]));
        assert!(!l.pin(&NodeKey::Entity(EntityId(999)), [0.0, 0.0]));
    }

    #[test]
    fn coincident_nodes_separate() {
        let ks = keys(3);
        let mut l = ForceLayout::from_edges(ks.clone(), &[], 0);
        for k in &ks {
            l.set_position(k, [0.0, 0.0]);
        }
        for _ in 0..20 {
            l.step();
        }
        let p = l.positions();
        assert!(p.iter().all(|q| q[0].is_finite() && q[1].is_finite()));
        assert_ne!(p[0], p[1]);
        assert_ne!(p[1], p[2]);
    }
}
