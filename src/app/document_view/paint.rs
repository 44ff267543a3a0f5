//! Painting one frame of the document: highlights, type labels, relation arcs (brat-like)
//! and suggestions as ghosts; records what is clickable where.

use super::*;

/// A relation arc from `a` to `b`, rising `rise` above the higher end.
pub(super) fn arc(a: Pos2, b: Pos2, rise: f32, stroke: Stroke) -> CubicBezierShape {
    let top_y = a.y.min(b.y) - rise;
    let c1 = Pos2::new(a.x + (b.x - a.x) * 0.15, top_y);
    let c2 = Pos2::new(b.x - (b.x - a.x) * 0.15, top_y);
    CubicBezierShape::from_points_stroke([a, c1, c2, b], false, Color32::TRANSPARENT, stroke)
}

/// A relation type's label in the schema (its id if the schema lacks it).
pub(super) fn relation_label<'a>(project: &'a Project, relation_type: &'a str) -> &'a str {
    project
        .schema
        .relation_type(relation_type)
        .map_or(relation_type, |t| t.label.as_str())
}

/// A boxed label centred on `at`, in the arc's stroke; returns its rectangle.
pub(super) fn arc_label(
    painter: &egui::Painter,
    text: String,
    at: Pos2,
    font: &FontId,
    stroke: Stroke,
    visuals: &egui::Visuals,
) -> Rect {
    let text_color = visuals.text_color();
    let galley = painter.layout_no_wrap(text, font.clone(), text_color);
    let rect = Rect::from_center_size(at, galley.size() + Vec2::new(6.0, 2.0));
    painter.rect_filled(rect, CornerRadius::same(3), visuals.panel_fill);
    painter.rect_stroke(rect, CornerRadius::same(3), stroke, StrokeKind::Inside);
    painter.galley(rect.min + Vec2::new(3.0, 1.0), galley, text_color);
    rect
}

/// The arrow head at an arc's target end.
pub(super) fn arrow_head(curve: &CubicBezierShape) -> [Pos2; 3] {
    let [_, _, c2, b] = curve.points;
    let dir = (b - c2).normalized();
    let side = Vec2::new(-dir.y, dir.x) * 4.0;
    [b, b - dir * 8.0 + side, b - dir * 8.0 - side]
}

pub(super) fn short(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(39).collect::<String>())
    } else {
        s.to_string()
    }
}

impl DocumentView {
    pub(super) fn paint(
        &mut self,
        ui: &Ui,
        project: &Project,
        doc: &Document,
        origin: Pos2,
        clip: Rect,
    ) {
        let Some(layout) = self.layout.as_ref() else {
            return;
        };
        let painter = ui.painter();
        let visuals = ui.visuals();
        let text_color = visuals.text_color();
        let font_size = layout.font_size;
        let label_font = FontId::proportional(font_size * LABEL_FONT_FACTOR);
        let label_height = font_size * LABEL_FONT_FACTOR + 3.0;
        let accent = visuals.selection.stroke.color;
        let mut targets = Vec::new();

        // Visible paragraphs, by their vertical extent.
        let top = clip.top() - origin.y;
        let bottom = clip.bottom() - origin.y;
        let first = layout
            .paragraphs
            .partition_point(|p| p.top + p.height < top);
        let last = layout.paragraphs.partition_point(|p| p.top < bottom);
        let visible = &layout.paragraphs[first..last.max(first)];
        let Some(visible_chars) = visible
            .first()
            .zip(visible.last())
            .map(|(a, b)| a.chars.start..b.chars.end)
        else {
            return;
        };

        // The pending text selection (dragging or made, not yet tagged).
        let selected_range = match (self.selection, self.drag) {
            (Selection::Range { start, end }, _) => Some(start..end),
            _ => None,
        };
        if let Some(range) = &selected_range {
            for r in self.range_geometry(origin, range.clone()).rects {
                painter.rect_filled(
                    r.expand(1.0),
                    CornerRadius::same(2),
                    visuals.selection.bg_fill,
                );
            }
        }

        // Span fills and underlines, then the text on top, then labels.
        let span_first = doc
            .spans
            .partition_point(|s| s.end <= visible_chars.start.saturating_sub(2000));
        let mut label_slots: Vec<(Rect, SpanId, Color32, String, bool)> = Vec::new();
        let mut span_anchor: Vec<(SpanId, Pos2)> = Vec::new();
        for (index, span) in doc.spans.iter().enumerate().skip(span_first) {
            if span.start >= visible_chars.end {
                break;
            }
            if span.end <= visible_chars.start {
                continue;
            }
            // A discontinuous span is drawn piece by piece, the pieces joined by a dashed line.
            let mut rects = Vec::new();
            let mut joins = Vec::new();
            for (a, b) in span.pieces() {
                let piece = self.range_geometry(origin, a..b);
                if let (Some(prev), Some(next)) = (rects.last(), piece.rects.first()) {
                    joins.push([Rect::right_center(prev), Rect::left_center(next)]);
                }
                rects.extend(piece.rects);
            }
            let geometry = SpanGeometry { rects };
            let Some(first_rect) = geometry.rects.first().copied() else {
                continue;
            };
            let level = self.level(index) as f32;
            let color = type_color(&project.schema, &span.entity_type);
            for join in &joins {
                painter.extend(egui::Shape::dashed_line(
                    join,
                    Stroke::new(1.5, color),
                    4.0,
                    3.0,
                ));
            }
            let fill = color.gamma_multiply(if ui.visuals().dark_mode { 0.35 } else { 0.45 });
            let selected =
                self.selection == Selection::Span(span.id) || self.relation_source == Some(span.id);
            for r in &geometry.rects {
                painter.rect_filled(r.expand2(Vec2::new(1.0, 2.0)), CornerRadius::same(3), fill);
                let y = r.bottom() + 3.0 + level * 4.0;
                painter.line_segment(
                    [Pos2::new(r.left(), y), Pos2::new(r.right(), y)],
                    Stroke::new(2.5, color),
                );
                if selected {
                    painter.rect_stroke(
                        r.expand2(Vec2::new(2.0, 3.0)),
                        CornerRadius::same(3),
                        Stroke::new(2.0, accent),
                        StrokeKind::Outside,
                    );
                }
                targets.push((
                    r.expand2(Vec2::new(0.0, 2.0 + level * 4.0)),
                    Target::Span(span.id),
                ));
            }
            // The label sits above the span's first row, higher for nested spans.
            let label_bottom = first_rect.top() - 3.0 - level * (label_height + 1.0);
            let label_rect = Rect::from_min_size(
                Pos2::new(first_rect.left(), label_bottom - label_height),
                Vec2::new(first_rect.width().max(12.0), label_height),
            );
            label_slots.push((
                label_rect,
                span.id,
                color,
                span.entity_type.to_string(),
                selected,
            ));
            span_anchor.push((span.id, label_rect.center_top()));
        }

        // Suggestions: a dashed outline and a hollow label, apart from accepted spans.
        let mut ghost_labels: Vec<(Rect, usize, Color32, String)> = Vec::new();
        let mut ghost_anchor: Vec<(usize, Pos2)> = Vec::new();
        for (index, ghost) in self.ghosts.iter().enumerate() {
            if ghost.end <= visible_chars.start || ghost.start >= visible_chars.end {
                continue;
            }
            let geometry = self.range_geometry(origin, ghost.start..ghost.end);
            let Some(first_rect) = geometry.rects.first().copied() else {
                continue;
            };
            let color = type_color(&project.schema, &ghost.entity_type);
            let focused = self.focused_ghost == Some(index);
            for r in &geometry.rects {
                let r = r.expand2(Vec2::new(2.0, 3.0));
                painter.rect_filled(r, CornerRadius::same(3), color.gamma_multiply(0.12));
                let width = if focused { 2.5 } else { 1.5 };
                let stroke_color = if focused { accent } else { color };
                for side in [
                    [r.left_top(), r.right_top()],
                    [r.right_top(), r.right_bottom()],
                    [r.right_bottom(), r.left_bottom()],
                    [r.left_bottom(), r.left_top()],
                ] {
                    painter.extend(egui::Shape::dashed_line(
                        &side,
                        Stroke::new(width, stroke_color),
                        4.0,
                        3.0,
                    ));
                }
                targets.push((r, Target::Ghost(index)));
            }
            let label_rect = Rect::from_min_size(
                Pos2::new(first_rect.left(), first_rect.top() - 3.0 - label_height),
                Vec2::new(first_rect.width().max(12.0), label_height),
            );
            ghost_labels.push((label_rect, index, color, format!("{}?", ghost.entity_type)));
            ghost_anchor.push((index, label_rect.center_top()));
        }

        for p in visible {
            if let Some(galley) = &p.galley {
                painter.galley(origin + Vec2::new(0.0, p.top), galley.clone(), text_color);
            }
        }

        for (rect, id, color, label, selected) in &label_slots {
            let galley = painter.layout_no_wrap(label.clone(), label_font.clone(), Color32::BLACK);
            let w = galley.size().x + 6.0;
            let tag = Rect::from_min_size(rect.min, Vec2::new(w, rect.height()));
            painter.rect_filled(tag, CornerRadius::same(3), *color);
            if *selected {
                painter.rect_stroke(
                    tag,
                    CornerRadius::same(3),
                    Stroke::new(1.5, accent),
                    StrokeKind::Outside,
                );
            }
            painter.galley(tag.min + Vec2::new(3.0, 1.0), galley, Color32::BLACK);
            targets.push((tag, Target::SpanLabel(*id)));
        }

        for (rect, index, color, label) in &ghost_labels {
            let galley = painter.layout_no_wrap(label.clone(), label_font.clone(), *color);
            let tag =
                Rect::from_min_size(rect.min, Vec2::new(galley.size().x + 6.0, rect.height()));
            painter.rect_filled(tag, CornerRadius::same(3), visuals.panel_fill);
            painter.rect_stroke(
                tag,
                CornerRadius::same(3),
                Stroke::new(1.0, *color),
                StrokeKind::Inside,
            );
            painter.galley(tag.min + Vec2::new(3.0, 1.0), galley, *color);
            targets.push((tag, Target::Ghost(*index)));
        }

        // Relation arcs between the labels of their spans.
        let pointer = ui.ctx().pointer_hover_pos();
        let anchor = |id: SpanId| span_anchor.iter().find(|(s, _)| *s == id).map(|(_, p)| *p);
        for rel in &doc.relations {
            let (Some(a), Some(b)) = (anchor(rel.source), anchor(rel.target)) else {
                continue;
            };
            let selected = self.selection == Selection::Relation(rel.id);
            // Arcs between rows cross text: keep them lighter so the words stay readable.
            let same_row = (a.y - b.y).abs() < 2.0;
            let stroke = Stroke::new(
                if selected { 2.5 } else { 1.3 },
                if selected {
                    accent
                } else if same_row {
                    visuals.weak_text_color()
                } else {
                    visuals.weak_text_color().gamma_multiply(0.6)
                },
            );
            let curve = arc(a, b, 8.0 + ((a.x - b.x).abs() * 0.02).min(5.0), stroke);
            painter.add(curve.clone());
            painter.add(egui::Shape::convex_polygon(
                arrow_head(&curve).to_vec(),
                stroke.color,
                Stroke::NONE,
            ));
            let samples: Vec<Pos2> = (1..10).map(|i| curve.sample(i as f32 / 10.0)).collect();
            for p in &samples {
                targets.push((
                    Rect::from_center_size(*p, Vec2::splat(10.0)),
                    Target::Relation(rel.id),
                ));
            }
            // Labels of arcs that cross lines would cover words: they show on hover or
            // selection only. A same-row arc carries its label at its top, in the line gap.
            let hovered = pointer.is_some_and(|p| samples.iter().any(|s| s.distance(p) < 8.0));
            if !same_row && !selected && !hovered {
                continue;
            }
            let mid = if same_row {
                curve.sample(0.5)
            } else {
                pointer.unwrap_or(samples[4]) - Vec2::new(0.0, 14.0)
            };
            let label = relation_label(project, &rel.relation_type).to_string();
            let label_rect = arc_label(painter, label, mid, &label_font, stroke, visuals);
            targets.push((label_rect, Target::Relation(rel.id)));
        }

        // Relation suggestions: dashed arcs between their ends (spans or suggested spans).
        let end_anchor = |end: &SpanRef| {
            let same = |start: usize, stop: usize, ty: &str| {
                start == end.start && stop == end.end && ty == end.entity_type
            };
            doc.spans
                .iter()
                .find(|s| same(s.start, s.end, &s.entity_type))
                .and_then(|s| anchor(s.id))
                .or_else(|| {
                    ghost_anchor.iter().find_map(|(i, p)| {
                        let g = &self.ghosts[*i];
                        same(g.start, g.end, &g.entity_type).then_some(*p)
                    })
                })
        };
        let mut ghost_relation_points = Vec::new();
        for (index, r) in self.ghost_relations.iter().enumerate() {
            let (Some(a), Some(b)) = (end_anchor(&r.source), end_anchor(&r.target)) else {
                continue;
            };
            // Higher than accepted arcs, so the two do not run on top of each other.
            let rise = 14.0 + ((a.x - b.x).abs() * 0.02).min(6.0);
            let curve = arc(a, b, rise, Stroke::NONE);
            let path: Vec<Pos2> = (0..=16).map(|i| curve.sample(i as f32 / 16.0)).collect();
            let hovered = pointer.is_some_and(|p| path.iter().any(|s| s.distance(p) < 8.0));
            let stroke = Stroke::new(
                if hovered { 2.0 } else { 1.3 },
                if hovered {
                    accent
                } else {
                    visuals.weak_text_color()
                },
            );
            painter.extend(egui::Shape::dashed_line(&path, stroke, 5.0, 3.0));
            painter.add(egui::Shape::closed_line(
                arrow_head(&curve).to_vec(),
                stroke,
            ));
            for p in &path[1..16] {
                targets.push((
                    Rect::from_center_size(*p, Vec2::splat(10.0)),
                    Target::GhostRelation(index),
                ));
            }
            ghost_relation_points.push((index, path[8]));
            if hovered {
                let label = format!("{}?", relation_label(project, &r.relation_type));
                arc_label(painter, label, path[8], &label_font, stroke, visuals);
            }
        }
        self.ghost_relation_points = ghost_relation_points;

        // A relation being dragged from a label.
        if let Some(Drag::Relation { from, .. }) = self.drag
            && let Some(to) = ui.ctx().pointer_latest_pos()
        {
            painter.line_segment([from, to], Stroke::new(2.0, accent));
        }
        self.targets = targets;
    }
}
