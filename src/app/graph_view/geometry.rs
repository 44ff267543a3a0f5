//! The pure geometry of the graph view: the world<->screen transform, packing of
//! components, sizes, hit testing and label placement (unit-tested without a window).

use super::*;

/// Maps layout coordinates to the screen: `center` (a layout point) sits at the middle of the
/// canvas, and one layout unit is `scale` points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Transform {
    pub center: [f32; 2],
    pub scale: f32,
}

impl Default for Transform {
    fn default() -> Transform {
        Transform {
            center: [0.0, 0.0],
            scale: 80.0,
        }
    }
}

impl Transform {
    pub const MIN_SCALE: f32 = 2.0;
    pub const MAX_SCALE: f32 = 2_000.0;

    pub fn to_screen(self, canvas: Rect, p: [f32; 2]) -> Pos2 {
        canvas.center()
            + vec2(
                (p[0] - self.center[0]) * self.scale,
                (p[1] - self.center[1]) * self.scale,
            )
    }

    pub fn to_world(self, canvas: Rect, p: Pos2) -> [f32; 2] {
        let d = p - canvas.center();
        [
            self.center[0] + d.x / self.scale,
            self.center[1] + d.y / self.scale,
        ]
    }

    /// Moves the view by a screen delta (the content follows the pointer).
    pub fn pan(&mut self, delta: Vec2) {
        self.center[0] -= delta.x / self.scale;
        self.center[1] -= delta.y / self.scale;
    }

    /// Zooms by `factor`, keeping the layout point under `anchor` (a screen point) in place.
    pub fn zoom_at(&mut self, canvas: Rect, anchor: Pos2, factor: f32) {
        let fixed = self.to_world(canvas, anchor);
        self.scale = (self.scale * factor).clamp(Self::MIN_SCALE, Self::MAX_SCALE);
        let d = anchor - canvas.center();
        self.center = [fixed[0] - d.x / self.scale, fixed[1] - d.y / self.scale];
    }

    /// The transform showing every point inside `canvas` with `margin` points to spare.
    pub fn fit(points: &[[f32; 2]], canvas: Rect, margin: f32) -> Transform {
        let Some(first) = points.first() else {
            return Transform::default();
        };
        let (mut min, mut max) = (*first, *first);
        for p in points {
            min = [min[0].min(p[0]), min[1].min(p[1])];
            max = [max[0].max(p[0]), max[1].max(p[1])];
        }
        let width = (canvas.width() - 2.0 * margin).max(40.0);
        let height = (canvas.height() - 2.0 * margin).max(40.0);
        let span_x = (max[0] - min[0]).max(1e-3);
        let span_y = (max[1] - min[1]).max(1e-3);
        let scale = (width / span_x)
            .min(height / span_y)
            .clamp(Self::MIN_SCALE, 200.0);
        Transform {
            center: [(min[0] + max[0]) / 2.0, (min[1] + max[1]) / 2.0],
            scale,
        }
    }
}

/// Per node, the shift that packs the graph's connected components side by side in rows
/// (largest first), `gap` layout units apart; nodes of one component shift together.
pub fn pack_components(
    positions: &[[f32; 2]],
    edges: &[(usize, usize)],
    gap: f32,
) -> Vec<[f32; 2]> {
    let n = positions.len();
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for &(a, b) in edges {
        if a < n && b < n {
            let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    // Component (by root) -> (size, bounding box).
    let mut comps: Vec<(usize, usize, [f32; 2], [f32; 2])> = Vec::new();
    let mut comp_of = vec![0; n];
    let mut index_of_root: HashMap<usize, usize> = HashMap::new();
    for (i, p) in positions.iter().enumerate() {
        let r = root(&mut parent, i);
        let c = *index_of_root.entry(r).or_insert_with(|| {
            comps.push((r, 0, *p, *p));
            comps.len() - 1
        });
        comp_of[i] = c;
        let e = &mut comps[c];
        e.1 += 1;
        e.2 = [e.2[0].min(p[0]), e.2[1].min(p[1])];
        e.3 = [e.3[0].max(p[0]), e.3[1].max(p[1])];
    }
    let mut order: Vec<usize> = (0..comps.len()).collect();
    order.sort_by_key(|&c| (std::cmp::Reverse(comps[c].1), comps[c].0));
    let size = |c: usize| {
        let (_, _, min, max) = comps[c];
        (max[0] - min[0] + gap, max[1] - min[1] + gap)
    };
    let area: f32 = order.iter().map(|&c| size(c).0 * size(c).1).sum();
    let widest = order.iter().map(|&c| size(c).0).fold(0.0, f32::max);
    let row_width = widest.max(area.sqrt() * 1.3);
    let mut shift = vec![[0.0; 2]; comps.len()];
    let (mut x, mut y, mut row_height) = (0.0f32, 0.0f32, 0.0f32);
    for &c in &order {
        let (w, h) = size(c);
        if x > 0.0 && x + w > row_width {
            x = 0.0;
            y += row_height;
            row_height = 0.0;
        }
        let min = comps[c].2;
        shift[c] = [x - min[0], y - min[1]];
        x += w;
        row_height = row_height.max(h);
    }
    comp_of.iter().map(|&c| shift[c]).collect()
}

/// A node's radius in points for its mention count.
pub fn node_radius(mentions: usize) -> f32 {
    (5.0 + 2.6 * (mentions as f32).sqrt()).min(24.0)
}

/// An edge's stroke width in points for its number of statements.
pub fn edge_width(statements: usize) -> f32 {
    (0.8 + 0.9 * (statements as f32).sqrt()).min(6.0)
}

/// The sideways offset of the `k`-th of `count` edges between the same two nodes, so
/// parallel edges fan out symmetrically around the straight line.
pub fn parallel_offset(k: usize, count: usize, spacing: f32) -> f32 {
    (k as f32 - (count.max(1) - 1) as f32 / 2.0) * spacing
}

/// The distance from `p` to the segment `a`-`b`.
pub fn distance_to_segment(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let len2 = ab.length_sq();
    if len2 < 1e-9 {
        return p.distance(a);
    }
    let t = ((p - a).dot(ab) / len2).clamp(0.0, 1.0);
    p.distance(a + ab * t)
}

/// The node under `p`: the one whose disc holds `p`, the nearest centre when several do.
pub fn hit_node(centers: &[Pos2], radii: &[f32], p: Pos2) -> Option<usize> {
    centers
        .iter()
        .zip(radii)
        .enumerate()
        .filter(|(_, (c, r))| c.distance(p) <= **r + 2.0)
        .min_by(|(_, (a, _)), (_, (b, _))| a.distance(p).total_cmp(&b.distance(p)))
        .map(|(i, _)| i)
}

/// The edge (as a segment) nearest to `p` within `tolerance` points.
pub fn hit_edge(segments: &[(Pos2, Pos2)], p: Pos2, tolerance: f32) -> Option<usize> {
    segments
        .iter()
        .enumerate()
        .map(|(i, (a, b))| (i, distance_to_segment(p, *a, *b)))
        .filter(|(_, d)| *d <= tolerance)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// Greedy label placement: labels are taken in order (most important first), each with its
/// possible positions in order of preference; a label gets the first position that overlaps
/// nothing in `blocked` and no label placed before it, or none.
pub fn place_labels(blocked: &[Rect], labels: &[Vec<Rect>]) -> Vec<Option<Rect>> {
    let mut kept: Vec<Rect> = Vec::new();
    labels
        .iter()
        .map(|options| {
            let free = options
                .iter()
                .find(|r| !kept.iter().chain(blocked).any(|k| k.intersects(**r)))
                .copied();
            kept.extend(free);
            free
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::pos2;

    fn canvas() -> Rect {
        Rect::from_min_size(pos2(100.0, 50.0), vec2(800.0, 600.0))
    }

    #[test]
    fn transform_round_trips_and_zooms_about_the_pointer() {
        let mut t = Transform {
            center: [1.0, -2.0],
            scale: 50.0,
        };
        let c = canvas();
        assert_eq!(t.to_screen(c, [1.0, -2.0]), c.center());
        let p = [3.5, 0.25];
        let back = t.to_world(c, t.to_screen(c, p));
        assert!((back[0] - p[0]).abs() < 1e-4 && (back[1] - p[1]).abs() < 1e-4);
        let anchor = pos2(200.0, 120.0);
        let under = t.to_world(c, anchor);
        t.zoom_at(c, anchor, 2.5);
        assert_eq!(t.scale, 125.0);
        let still = t.to_world(c, anchor);
        assert!((still[0] - under[0]).abs() < 1e-4 && (still[1] - under[1]).abs() < 1e-4);
        t.pan(vec2(10.0, 0.0));
        assert!((t.to_world(c, anchor + vec2(10.0, 0.0))[0] - under[0]).abs() < 1e-4);
    }

    #[test]
    fn fit_shows_every_point_inside_the_margin() {
        let points = [[-3.0, 1.0], [5.0, 2.0], [0.0, -4.0]];
        let c = canvas();
        let t = Transform::fit(&points, c, 40.0);
        let inner = c.shrink(39.9);
        for p in points {
            assert!(inner.contains(t.to_screen(c, p)), "{p:?}");
        }
        assert_eq!(Transform::fit(&[], c, 40.0), Transform::default());
    }

    #[test]
    fn hit_testing_prefers_the_nearest() {
        let centers = [pos2(0.0, 0.0), pos2(15.0, 0.0)];
        let radii = [10.0, 10.0];
        assert_eq!(hit_node(&centers, &radii, pos2(9.0, 0.0)), Some(1));
        assert_eq!(hit_node(&centers, &radii, pos2(-5.0, 0.0)), Some(0));
        assert_eq!(hit_node(&centers, &radii, pos2(0.0, 30.0)), None);
        let segments = [
            (pos2(0.0, 0.0), pos2(100.0, 0.0)),
            (pos2(0.0, 10.0), pos2(100.0, 10.0)),
        ];
        assert_eq!(hit_edge(&segments, pos2(50.0, 3.0), 6.0), Some(0));
        assert_eq!(hit_edge(&segments, pos2(50.0, 8.0), 6.0), Some(1));
        assert_eq!(hit_edge(&segments, pos2(50.0, 30.0), 6.0), None);
        assert_eq!(hit_edge(&segments, pos2(110.0, 0.0), 6.0), None);
        assert!(
            (distance_to_segment(pos2(3.0, 4.0), pos2(0.0, 0.0), pos2(0.0, 0.0)) - 5.0).abs()
                < 1e-6
        );
    }

    #[test]
    fn packed_components_keep_their_shape_and_do_not_overlap() {
        // A triangle, a pair far away and a lone node.
        let positions = [
            [0.0, 0.0],
            [1.0, 0.0],
            [0.5, 1.0],
            [40.0, 40.0],
            [41.0, 40.0],
            [-30.0, 5.0],
        ];
        let edges = [(0, 1), (1, 2), (2, 0), (3, 4)];
        let offsets = pack_components(&positions, &edges, 1.0);
        let placed: Vec<[f32; 2]> = positions
            .iter()
            .zip(&offsets)
            .map(|(p, o)| [p[0] + o[0], p[1] + o[1]])
            .collect();
        assert_eq!(offsets[0], offsets[1]);
        assert_eq!(offsets[0], offsets[2]);
        assert_eq!(offsets[3], offsets[4]);
        let bbox = |ids: &[usize]| {
            let xs = ids.iter().map(|&i| placed[i][0]);
            let ys = ids.iter().map(|&i| placed[i][1]);
            Rect::from_min_max(
                pos2(
                    xs.clone().fold(f32::MAX, f32::min),
                    ys.clone().fold(f32::MAX, f32::min),
                ),
                pos2(xs.fold(f32::MIN, f32::max), ys.fold(f32::MIN, f32::max)),
            )
        };
        let (a, b, c) = (bbox(&[0, 1, 2]), bbox(&[3, 4]), bbox(&[5]));
        assert!(!a.expand(0.49).intersects(b.expand(0.49)));
        assert!(!a.expand(0.49).intersects(c.expand(0.49)));
        assert!(!b.expand(0.49).intersects(c.expand(0.49)));
        // Everything now fits in a few units instead of seventy.
        let all = bbox(&[0, 1, 2, 3, 4, 5]);
        assert!(all.width() < 6.0 && all.height() < 6.0, "{all:?}");
    }

    #[test]
    fn parallel_edges_fan_out_and_labels_do_not_overlap() {
        assert_eq!(parallel_offset(0, 1, 16.0), 0.0);
        assert_eq!(
            (0..3)
                .map(|k| parallel_offset(k, 3, 16.0))
                .collect::<Vec<_>>(),
            vec![-16.0, 0.0, 16.0]
        );
        let r = |x: f32| Rect::from_min_size(pos2(x, 0.0), vec2(50.0, 10.0));
        assert_eq!(
            place_labels(&[], &[vec![r(0.0)], vec![r(20.0)], vec![r(60.0)]]),
            vec![Some(r(0.0)), None, Some(r(60.0))]
        );
        assert_eq!(
            place_labels(&[r(65.0)], &[vec![r(0.0)], vec![r(60.0), r(130.0)]]),
            vec![Some(r(0.0)), Some(r(130.0))]
        );
        assert!(node_radius(1) < node_radius(9) && node_radius(10_000) <= 24.0);
        assert!(edge_width(1) < edge_width(4));
    }
}
