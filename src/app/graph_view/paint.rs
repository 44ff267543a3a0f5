//! Painting the graph: edges with arrowheads and labels, nodes sized by mentions, labels
//! placed where they do not collide.

use super::*;

pub(super) enum LabelKind {
    Node(usize),
    Edge(usize),
}

/// The text on an edge: its relation type's label, with the count when stated more than once.
pub(super) fn edge_text(schema: &crate::model::Schema, e: &crate::graph::Edge) -> String {
    let name = schema.relation_label(&e.relation_type).to_string();
    match e.evidence.len() {
        0 | 1 => name,
        n => format!("{name} ({n})"),
    }
}

/// An arrow head at the target end of `a`-`b`, just outside the target's disc.
pub(super) fn arrow_head(
    painter: &egui::Painter,
    a: Pos2,
    b: Pos2,
    radius: f32,
    width: f32,
    color: Color32,
) {
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

impl GraphView {
    pub(super) fn paint(&self, ui: &Ui, project: &Project, canvas: Rect) {
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
            let galley = painter.layout_no_wrap(
                edge_text(&project.schema, e),
                edge_font.clone(),
                text_color,
            );
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
                        edge_text(&project.schema, &self.graph.edges[*i]),
                        edge_font.clone(),
                        color,
                    );
                }
            }
        }
    }
}
