//! The graph view: entities as nodes (coloured by type, sized by mentions) and relations
//! aggregated across documents as edges (width by number of statements), drawn with egui's
//! painter. Pan by dragging empty space, zoom with the wheel, drag nodes to pin them; hover
//! highlights a node's neighbourhood; click a node for its mentions or an edge for its
//! evidence, and jump from there into the text.
//!
//! The drawing code is thin: the world<->screen transform, hit testing and label placement
//! are pure functions below, with unit tests.

mod details;
mod geometry;
mod paint;

use details::*;
use geometry::*;

use super::commands::AppCommand;
use super::search_panel::kwic_button;
use super::theme::type_color;
use super::widgets::swatch_heading;
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
    /// Where the components were packed when the user first dragged a node: kept until the
    /// graph changes, so a dragged node stays under the pointer (repacking would move its
    /// whole component as its bounding box changes, which looks like panning).
    frozen_offsets: Option<Vec<[f32; 2]>>,
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
            frozen_offsets: None,
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

    /// Whether a node stays where the user dragged it.
    pub fn is_pinned(&self, node: usize) -> bool {
        let (Some(layout), Some(n)) = (&self.layout, self.graph.nodes.get(node)) else {
            return false;
        };
        layout.is_pinned(&n.key)
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
        self.frozen_offsets = None;
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
                let all: Vec<(String, String)> = project
                    .schema
                    .entity_types
                    .iter()
                    .map(|t| (t.id.clone(), format!("{}  {}", t.id, t.label)))
                    .collect();
                type_checkboxes(ui, &all, &mut self.filter.entity_types);
            });
            ui.menu_button("Relation types", |ui| {
                let all: Vec<(String, String)> = project
                    .schema
                    .relation_types
                    .iter()
                    .map(|t| (t.id.clone(), t.label.clone()))
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
                self.frozen_offsets = None;
            }
            ui.label(
                RichText::new(format!(
                    "{}, {}",
                    crate::text::count(self.graph.nodes.len(), "node", "nodes"),
                    crate::text::count(self.graph.edges.len(), "edge", "edges")
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
        let offsets = match &self.frozen_offsets {
            Some(o) if o.len() == layout.positions().len() => o.clone(),
            _ => pack_components(layout.positions(), &pairs, COMPONENT_GAP),
        };
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
        // A drag starts once the pointer has moved a few points: what it grabbed is what was
        // under the press, not under the pointer now (it may have left a small node already).
        if response.drag_started()
            && let Some(p) = ui
                .input(|i| i.pointer.press_origin())
                .or(response.interact_pointer_pos())
        {
            self.dragging = hit_node(&self.centers, &self.radii, p)
                .and_then(|i| self.graph.nodes.get(i))
                .map(|n| n.key.clone());
            if self.dragging.is_some() {
                self.frozen_offsets = Some(offsets.clone());
            }
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
                "{} ({}): {} in {}",
                n.label,
                n.entity_type,
                crate::text::count(n.mentions, "mention", "mentions"),
                crate::text::count(n.documents, "document", "documents")
            );
            response.on_hover_ui_at_pointer(|ui| {
                ui.label(text);
            });
        }
    }
}
