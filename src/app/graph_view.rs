//! The graph view: entities as nodes (coloured by type, sized by mentions) and relations
//! aggregated across documents as edges (width by number of statements), drawn with egui's
//! painter. Pan by dragging empty space, zoom with the wheel, drag nodes to pin them; hover
//! highlights a node's neighbourhood; click a node for its mentions or an edge for its
//! evidence, and jump from there into the text.
//!
//! The drawing code is thin: the world<->screen transform, hit testing and label placement
//! are pure functions below, with unit tests.

use super::commands::AppCommand;
use super::search_panel::kwic_button;
use super::theme::type_color;
use crate::graph::{EntityGraph, ForceLayout, GraphFilter, NodeKey};
use crate::kb::{mentions_with_context, normalize_name};
use crate::model::{DocumentId, Project, SpanId};
use crate::search::kwic;
use egui::{
    Align2, Color32, CornerRadius, FontId, Pos2, Rect, RichText, Sense, Shape, Stroke, Ui, Vec2,
    vec2,
};
use std::collections::{BTreeSet, HashMap};

/// Seed of the layout's starting positions (a fixed one: the same project looks the same).
const LAYOUT_SEED: u64 = 7;
/// Layout work done at once when a graph is first shown, in node-steps (steps x nodes), so
/// small graphs open settled and big ones still open fast.
const WARM_UP_BUDGET: usize = 60_000;
/// Space kept around the graph when fitting it to the view, in points.
const FIT_MARGIN: f32 = 60.0;
/// Distance between parallel edges of the same pair, in points.
const PARALLEL_SPACING: f32 = 16.0;
/// How close the pointer must be to an edge to hit it, in points.
const EDGE_TOLERANCE: f32 = 6.0;
/// Space between packed components, in layout units.
const COMPONENT_GAP: f32 = 1.2;
const LABEL_FONT: f32 = 13.0;
const EDGE_LABEL_FONT: f32 = 11.0;

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

/// What is selected in the graph, by stable keys (survives rebuilds).
#[derive(Debug, Clone, PartialEq)]
pub enum GraphSelection {
    Node(NodeKey),
    Edge {
        source: NodeKey,
        target: NodeKey,
        relation_type: String,
    },
}

/// A mention of the selected node, for the side list.
struct NodeMention {
    doc: DocumentId,
    span: SpanId,
    start: usize,
    end: usize,
    left: String,
    hit: String,
    right: String,
}

pub struct GraphView {
    pub filter: GraphFilter,
    graph: EntityGraph,
    built_for: Option<(u64, GraphFilter)>,
    layout: Option<ForceLayout>,
    pub transform: Transform,
    /// Keep fitting the graph to the view until the user pans, zooms or drags.
    pub auto_fit: bool,
    pub selected: Option<GraphSelection>,
    hovered: Option<usize>,
    dragging: Option<NodeKey>,
    /// Geometry of the last frame, for hit testing (and tests).
    canvas: Rect,
    centers: Vec<Pos2>,
    radii: Vec<f32>,
    segments: Vec<(Pos2, Pos2)>,
    mentions: Vec<NodeMention>,
    mentions_for: Option<(u64, NodeKey)>,
}

impl Default for GraphView {
    fn default() -> GraphView {
        GraphView {
            filter: GraphFilter {
                hide_isolated: true,
                ..GraphFilter::default()
            },
            graph: EntityGraph::default(),
            built_for: None,
            layout: None,
            transform: Transform::default(),
            auto_fit: true,
            selected: None,
            hovered: None,
            dragging: None,
            canvas: Rect::NOTHING,
            centers: Vec::new(),
            radii: Vec::new(),
            segments: Vec::new(),
            mentions: Vec::new(),
            mentions_for: None,
        }
    }
}

impl GraphView {
    /// The graph as last built.
    pub fn graph(&self) -> &EntityGraph {
        &self.graph
    }

    /// Where an edge's label (its midpoint) was drawn last frame.
    pub fn edge_anchor(&self, edge: usize) -> Option<Pos2> {
        self.segments.get(edge).map(|(a, b)| a.lerp(*b, 0.5))
    }

    /// Where a node was drawn last frame.
    pub fn node_position(&self, node: usize) -> Option<Pos2> {
        self.centers.get(node).copied()
    }

    /// What a click at `p` would select, from last frame's geometry.
    pub fn hit(&self, p: Pos2) -> Option<GraphSelection> {
        if !self.canvas.contains(p) {
            return None;
        }
        if let Some(i) = hit_node(&self.centers, &self.radii, p) {
            return self
                .graph
                .nodes
                .get(i)
                .map(|n| GraphSelection::Node(n.key.clone()));
        }
        let e = hit_edge(&self.segments, p, EDGE_TOLERANCE)?;
        self.edge_selection(e)
    }

    fn edge_selection(&self, e: usize) -> Option<GraphSelection> {
        let edge = self.graph.edges.get(e)?;
        Some(GraphSelection::Edge {
            source: self.graph.nodes.get(edge.source)?.key.clone(),
            target: self.graph.nodes.get(edge.target)?.key.clone(),
            relation_type: edge.relation_type.clone(),
        })
    }

    /// The index of the selected edge in the current graph.
    pub fn selected_edge(&self) -> Option<usize> {
        let Some(GraphSelection::Edge {
            source,
            target,
            relation_type,
        }) = &self.selected
        else {
            return None;
        };
        let (s, t) = (
            self.graph.node_index(source)?,
            self.graph.node_index(target)?,
        );
        self.graph
            .edges
            .iter()
            .position(|e| e.source == s && e.target == t && e.relation_type == *relation_type)
    }

    fn selected_node(&self) -> Option<usize> {
        match &self.selected {
            Some(GraphSelection::Node(key)) => self.graph.node_index(key),
            _ => None,
        }
    }

    /// Rebuilds the graph when the project or the filter changed, and keeps the layout in step.
    fn refresh(&mut self, project: &Project) {
        if self
            .built_for
            .as_ref()
            .is_some_and(|(rev, f)| *rev == project.revision && *f == self.filter)
        {
            return;
        }
        self.graph = EntityGraph::build(project, &self.filter);
        self.built_for = Some((project.revision, self.filter.clone()));
        match &mut self.layout {
            Some(layout) => layout.sync(&self.graph),
            None => {
                let mut layout = ForceLayout::new(&self.graph, LAYOUT_SEED);
                layout.run(WARM_UP_BUDGET / self.graph.nodes.len().max(1));
                self.layout = Some(layout);
            }
        }
    }

    fn refresh_mentions(&mut self, project: &Project) {
        let Some(GraphSelection::Node(key)) = &self.selected else {
            self.mentions.clear();
            self.mentions_for = None;
            return;
        };
        if self
            .mentions_for
            .as_ref()
            .is_some_and(|(rev, k)| *rev == project.revision && k == key)
        {
            return;
        }
        self.mentions = node_mentions(project, key);
        self.mentions_for = Some((project.revision, key.clone()));
    }

    pub fn ui(&mut self, ui: &mut Ui, project: &Project, commands: &mut Vec<AppCommand>) {
        self.refresh(project);
        if self.selected_edge().is_none() && self.selected_node().is_none() {
            self.selected = None;
        }
        self.refresh_mentions(project);
        self.toolbar_ui(ui, project);
        ui.separator();
        if self.selected.is_some() {
            egui::Panel::right("graph_details")
                .resizable(true)
                .default_size(320.0)
                .size_range(220.0..=520.0)
                .show(ui, |ui| self.details_ui(ui, project, commands));
        }
        self.canvas_ui(ui, project);
    }

    fn toolbar_ui(&mut self, ui: &mut Ui, project: &Project) {
        ui.horizontal_wrapped(|ui| {
            ui.menu_button("Entity types", |ui| {
                let all: Vec<String> = project
                    .schema
                    .entity_types
                    .iter()
                    .map(|t| t.id.clone())
                    .collect();
                type_checkboxes(ui, &all, &mut self.filter.entity_types);
            });
            ui.menu_button("Relation types", |ui| {
                let all: Vec<String> = project
                    .schema
                    .relation_types
                    .iter()
                    .map(|t| t.id.clone())
                    .collect();
                type_checkboxes(ui, &all, &mut self.filter.relation_types);
            });
            ui.checkbox(&mut self.filter.hide_isolated, "Hide isolated");
            if ui
                .button("Fit")
                .on_hover_text("Show the whole graph")
                .clicked()
            {
                self.auto_fit = true;
            }
            let pinned = self
                .layout
                .as_ref()
                .map_or(0, |l| l.keys().iter().filter(|k| l.is_pinned(k)).count());
            if ui
                .add_enabled(pinned > 0, egui::Button::new("Unpin all"))
                .on_hover_text("Let dragged nodes move with the layout again")
                .clicked()
                && let Some(layout) = &mut self.layout
            {
                let keys: Vec<NodeKey> = layout.keys().to_vec();
                for k in &keys {
                    layout.unpin(k);
                }
            }
            ui.label(
                RichText::new(format!(
                    "{} nodes, {} edges",
                    self.graph.nodes.len(),
                    self.graph.edges.len()
                ))
                .weak(),
            );
        });
    }

    fn canvas_ui(&mut self, ui: &mut Ui, project: &Project) {
        let (canvas, response) =
            ui.allocate_exact_size(ui.available_size(), Sense::click_and_drag());
        self.canvas = canvas;
        let Some(layout) = &mut self.layout else {
            return;
        };
        if !layout.is_settled() {
            layout.step();
            ui.ctx().request_repaint();
        }
        // Connected components are packed side by side for display, so small ones floating
        // far out do not shrink the main one when the view is fitted.
        let pairs: Vec<(usize, usize)> = self
            .graph
            .edges
            .iter()
            .map(|e| (e.source, e.target))
            .collect();
        let offsets = pack_components(layout.positions(), &pairs, COMPONENT_GAP);
        let placed: Vec<[f32; 2]> = layout
            .positions()
            .iter()
            .zip(&offsets)
            .map(|(p, o)| [p[0] + o[0], p[1] + o[1]])
            .collect();
        if self.auto_fit && !placed.is_empty() {
            self.transform = Transform::fit(&placed, canvas, FIT_MARGIN);
        }

        // Input: zoom, drag (a node or the view), click, hover.
        let pointer = response.hover_pos();
        if let Some(p) = pointer {
            let (scroll, zoom) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
            let factor = zoom * (scroll * 0.002).exp();
            if (factor - 1.0).abs() > 1e-4 {
                self.transform.zoom_at(canvas, p, factor);
                self.auto_fit = false;
            }
        }
        if response.drag_started()
            && let Some(p) = response.interact_pointer_pos()
        {
            self.dragging = hit_node(&self.centers, &self.radii, p)
                .and_then(|i| self.graph.nodes.get(i))
                .map(|n| n.key.clone());
        }
        if response.dragged() {
            match (&self.dragging, response.interact_pointer_pos()) {
                (Some(key), Some(p)) => {
                    let w = self.transform.to_world(canvas, p);
                    let o = self
                        .graph
                        .node_index(key)
                        .and_then(|i| offsets.get(i))
                        .copied()
                        .unwrap_or_default();
                    layout.pin(key, [w[0] - o[0], w[1] - o[1]]);
                    ui.ctx().request_repaint();
                }
                _ => self.transform.pan(response.drag_delta()),
            }
            self.auto_fit = false;
        }
        if response.drag_stopped() {
            self.dragging = None;
        }

        // Geometry of this frame.
        self.centers = placed
            .iter()
            .map(|p| self.transform.to_screen(canvas, *p))
            .collect();
        // Discs shrink when zoomed out so neighbours never merge into a blob.
        let max_radius = (0.4 * self.transform.scale).max(3.0);
        self.radii = self
            .graph
            .nodes
            .iter()
            .map(|n| node_radius(n.mentions).min(max_radius))
            .collect();
        let mut pair_count: HashMap<(usize, usize), usize> = HashMap::new();
        for e in &self.graph.edges {
            *pair_count
                .entry((e.source.min(e.target), e.source.max(e.target)))
                .or_default() += 1;
        }
        let mut pair_seen: HashMap<(usize, usize), usize> = HashMap::new();
        self.segments = self
            .graph
            .edges
            .iter()
            .map(|e| {
                let (Some(&a), Some(&b)) = (self.centers.get(e.source), self.centers.get(e.target))
                else {
                    return (Pos2::ZERO, Pos2::ZERO);
                };
                let pair = (e.source.min(e.target), e.source.max(e.target));
                let k = pair_seen.entry(pair).or_default();
                let offset = parallel_offset(*k, pair_count[&pair], PARALLEL_SPACING);
                *k += 1;
                if e.source == e.target {
                    let r = self.radii.get(e.source).copied().unwrap_or(8.0);
                    let top = a - vec2(0.0, r + 10.0 + offset.abs());
                    return (top - vec2(8.0, 0.0), top + vec2(8.0, 0.0));
                }
                // Offsets are measured from the lower index so both directions agree.
                let (lo, hi) = if e.source < e.target { (a, b) } else { (b, a) };
                let normal = (hi - lo).normalized().rot90() * offset;
                (a + normal, b + normal)
            })
            .collect();

        self.hovered = if self.dragging.is_some() {
            self.dragging
                .as_ref()
                .and_then(|k| self.graph.node_index(k))
        } else {
            pointer.and_then(|p| hit_node(&self.centers, &self.radii, p))
        };
        if response.clicked()
            && let Some(p) = response.interact_pointer_pos()
        {
            self.selected = self.hit(p);
        }

        self.paint(ui, project, canvas);
        if let Some(i) = self.hovered
            && let Some(n) = self.graph.nodes.get(i)
        {
            let text = format!(
                "{} ({}): {} mentions in {} documents",
                n.label, n.entity_type, n.mentions, n.documents
            );
            response.on_hover_ui_at_pointer(|ui| {
                ui.label(text);
            });
        }
    }

    fn paint(&self, ui: &Ui, project: &Project, canvas: Rect) {
        let painter = ui.painter_at(canvas);
        let visuals = ui.visuals();
        painter.rect_filled(canvas, CornerRadius::ZERO, visuals.extreme_bg_color);
        if self.graph.nodes.is_empty() {
            painter.text(
                canvas.center(),
                Align2::CENTER_CENTER,
                "No entities to show: tag and link mentions, or relax the filters",
                FontId::proportional(14.0),
                visuals.weak_text_color(),
            );
            return;
        }
        // Focus: the hovered node (else the selected one) and its neighbours stay bright.
        let focus = self.hovered.or(self.selected_node());
        let lit: Option<BTreeSet<usize>> = focus.map(|n| {
            let mut set: BTreeSet<usize> = self.graph.neighbours(n).into_iter().collect();
            set.insert(n);
            set
        });
        let is_lit = |n: usize| lit.as_ref().is_none_or(|s| s.contains(&n));
        let selected_edge = self.selected_edge();
        let edge_color = if visuals.dark_mode {
            Color32::from_gray(120)
        } else {
            Color32::from_gray(150)
        };
        let accent = visuals.selection.stroke.color;
        let text_color = visuals.strong_text_color();

        for (i, e) in self.graph.edges.iter().enumerate() {
            let Some(&(a, b)) = self.segments.get(i) else {
                continue;
            };
            let touches_focus = focus.is_some_and(|f| e.source == f || e.target == f);
            let color = if selected_edge == Some(i) {
                accent
            } else if focus.is_none() || touches_focus {
                edge_color
            } else {
                edge_color.gamma_multiply(0.25)
            };
            let width = edge_width(e.evidence.len()) + if touches_focus { 0.6 } else { 0.0 };
            if e.source == e.target {
                let c = a.lerp(b, 0.5);
                painter.circle_stroke(c, 8.0, Stroke::new(width, color));
                continue;
            }
            painter.line_segment([a, b], Stroke::new(width, color));
            if !e.symmetric {
                let r = self.radii.get(e.target).copied().unwrap_or(8.0);
                arrow_head(&painter, a, b, r, width, color);
            }
        }

        // Labels: selected and focused first, then by mentions; overlapping ones are dropped.
        let font = FontId::proportional(LABEL_FONT);
        let edge_font = FontId::proportional(EDGE_LABEL_FONT);
        let mut order: Vec<usize> = (0..self.graph.nodes.len()).collect();
        order.sort_by_key(|&i| {
            (
                Some(i) != self.selected_node(),
                Some(i) != focus,
                !is_lit(i),
                std::cmp::Reverse(self.graph.nodes[i].mentions),
            )
        });
        let mut candidates: Vec<(Vec<Rect>, LabelKind)> = Vec::new();
        for &i in &order {
            let (Some(&c), Some(&r)) = (self.centers.get(i), self.radii.get(i)) else {
                continue;
            };
            let galley =
                painter.layout_no_wrap(self.graph.nodes[i].label.clone(), font.clone(), text_color);
            let size = galley.size() + vec2(6.0, 2.0);
            // Below, above, right, left of the disc, then the corners; never off the canvas.
            let (dx, dy) = (r + 3.0 + size.x / 2.0, r + 2.0 + size.y / 2.0);
            let options = [
                vec2(0.0, dy),
                vec2(0.0, -dy),
                vec2(dx, 0.0),
                vec2(-dx, 0.0),
                vec2(dx - r, dy - 2.0),
                vec2(dx - r, 2.0 - dy),
                vec2(r - dx, dy - 2.0),
                vec2(r - dx, 2.0 - dy),
            ]
            .into_iter()
            .map(|d| Rect::from_center_size(c + d, size))
            .filter(|rect| canvas.contains_rect(*rect))
            .collect();
            candidates.push((options, LabelKind::Node(i)));
        }
        for (i, e) in self.graph.edges.iter().enumerate() {
            if focus.is_some_and(|f| e.source != f && e.target != f) && selected_edge != Some(i) {
                continue;
            }
            let Some(mid) = self.edge_anchor(i) else {
                continue;
            };
            let galley = painter.layout_no_wrap(edge_text(e), edge_font.clone(), text_color);
            let rect = Rect::from_center_size(mid, galley.size() + vec2(4.0, 0.0));
            candidates.push((vec![rect], LabelKind::Edge(i)));
        }
        // Labels never cover a node's disc, nor each other.
        let discs: Vec<Rect> = self
            .centers
            .iter()
            .zip(&self.radii)
            .map(|(c, r)| Rect::from_center_size(*c, Vec2::splat(2.0 * r)))
            .collect();
        let (options, kinds): (Vec<Vec<Rect>>, Vec<LabelKind>) = candidates.into_iter().unzip();
        let mut placed = place_labels(&discs, &options);
        // The focused and selected nodes are always named, crowded or not.
        for (slot, (options, kind)) in placed.iter_mut().zip(options.iter().zip(&kinds)) {
            if let LabelKind::Node(i) = kind
                && slot.is_none()
                && (Some(*i) == focus || Some(*i) == self.selected_node())
            {
                *slot = options.first().copied();
            }
        }

        for (i, n) in self.graph.nodes.iter().enumerate() {
            let (Some(&c), Some(&r)) = (self.centers.get(i), self.radii.get(i)) else {
                continue;
            };
            let mut fill = type_color(&project.schema, &n.entity_type);
            if !is_lit(i) {
                fill = fill.gamma_multiply(0.3);
            }
            painter.circle_filled(c, r, fill);
            let pinned = self.layout.as_ref().is_some_and(|l| l.is_pinned(&n.key));
            let selected = self.selected_node() == Some(i);
            let stroke = if selected {
                Stroke::new(3.0, accent)
            } else if pinned {
                Stroke::new(2.0, text_color)
            } else {
                Stroke::new(1.0, fill.gamma_multiply(0.6))
            };
            painter.circle_stroke(c, r, stroke);
        }
        for (rect, kind) in placed.iter().zip(&kinds) {
            let Some(rect) = rect else {
                continue;
            };
            match kind {
                LabelKind::Node(i) => {
                    let color = if is_lit(*i) {
                        text_color
                    } else {
                        visuals.weak_text_color().gamma_multiply(0.6)
                    };
                    painter.rect_filled(
                        *rect,
                        CornerRadius::same(3),
                        visuals.extreme_bg_color.gamma_multiply(0.8),
                    );
                    painter.text(
                        rect.center(),
                        Align2::CENTER_CENTER,
                        &self.graph.nodes[*i].label,
                        font.clone(),
                        color,
                    );
                }
                LabelKind::Edge(i) => {
                    painter.rect_filled(*rect, CornerRadius::same(2), visuals.extreme_bg_color);
                    let color = if selected_edge == Some(*i) {
                        accent
                    } else {
                        visuals.text_color()
                    };
                    painter.text(
                        rect.center(),
                        Align2::CENTER_CENTER,
                        edge_text(&self.graph.edges[*i]),
                        edge_font.clone(),
                        color,
                    );
                }
            }
        }
    }

    fn details_ui(&mut self, ui: &mut Ui, project: &Project, commands: &mut Vec<AppCommand>) {
        ui.add_space(4.0);
        if let Some(i) = self.selected_node() {
            let n = &self.graph.nodes[i];
            ui.horizontal(|ui| {
                let (rect, _) = ui.allocate_exact_size(Vec2::splat(14.0), Sense::hover());
                ui.painter().circle_filled(
                    rect.center(),
                    7.0,
                    type_color(&project.schema, &n.entity_type),
                );
                ui.heading(&n.label);
            });
            ui.label(
                RichText::new(format!(
                    "{}: {} mentions in {} documents, {} relations",
                    n.entity_type,
                    n.mentions,
                    n.documents,
                    self.graph.edges_of(i).len()
                ))
                .weak(),
            );
            ui.separator();
            let color = type_color(&project.schema, &n.entity_type);
            egui::ScrollArea::vertical()
                .id_salt("graph_mentions")
                .auto_shrink(false)
                .show(ui, |ui| {
                    let mut last_doc = None;
                    for (k, m) in self.mentions.iter().enumerate() {
                        if last_doc != Some(m.doc) {
                            last_doc = Some(m.doc);
                            let title = project.document(m.doc).map_or("?", |d| d.title.as_str());
                            ui.add_space(4.0);
                            ui.label(RichText::new(title).strong());
                        }
                        ui.push_id(("graph_mention", k, m.span), |ui| {
                            if kwic_button(ui, &m.left, &m.hit, &m.right, color).clicked() {
                                commands.push(AppCommand::JumpTo {
                                    doc: m.doc,
                                    start: m.start,
                                    end: m.end,
                                });
                            }
                        });
                    }
                });
        } else if let Some(i) = self.selected_edge() {
            let e = &self.graph.edges[i];
            let (s, t) = (&self.graph.nodes[e.source], &self.graph.nodes[e.target]);
            let arrow = if e.symmetric { "and" } else { "to" };
            ui.heading(e.relation_type.replace('_', " "));
            ui.label(format!("{} {arrow} {}", s.label, t.label));
            ui.label(RichText::new(format!("{} statements", e.evidence.len())).weak());
            ui.separator();
            egui::ScrollArea::vertical()
                .id_salt("graph_evidence")
                .auto_shrink(false)
                .show(ui, |ui| {
                    for (k, ev) in e.evidence.iter().enumerate() {
                        let Some(d) = project.document(ev.doc) else {
                            continue;
                        };
                        ui.push_id(("evidence", k), |ui| {
                            ui.label(RichText::new(&d.title).small().weak());
                            let sentence = ev.sentence.trim();
                            if ui
                                .add(egui::Button::new(sentence).frame(false).wrap())
                                .on_hover_text("Show this statement in the document")
                                .clicked()
                                && let Some((start, end)) = d
                                    .relation(ev.relation)
                                    .and_then(|r| d.span(r.source))
                                    .map(|s| (s.start, s.end))
                            {
                                commands.push(AppCommand::JumpTo {
                                    doc: ev.doc,
                                    start,
                                    end,
                                });
                            }
                            ui.add_space(4.0);
                        });
                    }
                });
        }
    }
}

enum LabelKind {
    Node(usize),
    Edge(usize),
}

/// The text on an edge: its relation type, with the count when stated more than once.
fn edge_text(e: &crate::graph::Edge) -> String {
    let name = e.relation_type.replace('_', " ");
    match e.evidence.len() {
        0 | 1 => name,
        n => format!("{name} ({n})"),
    }
}

/// An arrow head at the target end of `a`-`b`, just outside the target's disc.
fn arrow_head(painter: &egui::Painter, a: Pos2, b: Pos2, radius: f32, width: f32, color: Color32) {
    let dir = (b - a).normalized();
    if !dir.x.is_finite() {
        return;
    }
    let tip = b - dir * (radius + 1.0);
    let size = 7.0 + width;
    let side = dir.rot90() * (size * 0.45);
    let base = tip - dir * size;
    painter.add(Shape::convex_polygon(
        vec![tip, base + side, base - side],
        color,
        Stroke::NONE,
    ));
}

/// Checkboxes for a set of types; `None` means every type.
fn type_checkboxes(ui: &mut Ui, all: &[String], chosen: &mut Option<BTreeSet<String>>) {
    if ui.button("All").clicked() {
        *chosen = None;
    }
    for t in all {
        let mut on = chosen.as_ref().is_none_or(|s| s.contains(t));
        if ui.checkbox(&mut on, t.as_str()).changed() {
            let set = chosen.get_or_insert_with(|| all.iter().cloned().collect());
            if on {
                set.insert(t.clone());
            } else {
                set.remove(t);
            }
            if set.len() == all.len() {
                *chosen = None;
            }
        }
    }
}

/// The mentions a node stands for, in document order.
fn node_mentions(project: &Project, key: &NodeKey) -> Vec<NodeMention> {
    match key {
        NodeKey::Entity(id) => mentions_with_context(project, *id)
            .into_iter()
            .filter_map(|m| {
                let s = project.document(m.doc)?.span(m.span)?;
                Some(NodeMention {
                    doc: m.doc,
                    span: m.span,
                    start: s.start,
                    end: s.end,
                    left: m.left,
                    hit: m.hit,
                    right: m.right,
                })
            })
            .collect(),
        NodeKey::Unlinked { entity_type, name } => {
            let mut out = Vec::new();
            for d in &project.documents {
                for s in d.spans.iter().filter(|s| {
                    s.entity.is_none_or(|e| project.entity(e).is_none())
                        && s.entity_type == *entity_type
                        && normalize_name(d.span_text(s)) == *name
                }) {
                    let (left, hit, right) = kwic(d, s.start, s.end);
                    out.push(NodeMention {
                        doc: d.id,
                        span: s.id,
                        start: s.start,
                        end: s.end,
                        left,
                        hit,
                        right,
                    });
                }
            }
            out
        }
    }
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
