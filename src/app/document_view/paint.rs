//! Painting one frame of the document from its scene: highlights, type labels, relation
//! arcs (brat-like) and suggestions as ghosts; records what is clickable where.

use super::*;

/// A relation type's label in the schema (its id if the schema lacks it).
pub(super) fn relation_label<'a>(project: &'a Project, relation_type: &'a str) -> &'a str {
    project
        .schema
        .relation_type(relation_type)
        .map_or(relation_type, |t| t.label.as_str())
}

pub(super) fn short(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(39).collect::<String>())
    } else {
        s.to_string()
    }
}

/// The colour of whatever is selected: the strongest text colour (near black, or near white
/// in the dark theme), which no entity type's pastel colour comes close to.
pub(super) fn selection_ink(visuals: &egui::Visuals) -> Color32 {
    visuals.strong_text_color()
}

/// The four sides of a rectangle, dashed.
fn dashed_rect(painter: &egui::Painter, r: Rect, stroke: Stroke) {
    for side in [
        [r.left_top(), r.right_top()],
        [r.right_top(), r.right_bottom()],
        [r.right_bottom(), r.left_bottom()],
        [r.left_bottom(), r.left_top()],
    ] {
        painter.extend(egui::Shape::dashed_line(&side, stroke, 4.0, 3.0));
    }
}

impl DocumentView {
    pub(super) fn paint(&mut self, ui: &Ui, origin: Pos2, clip: Rect) {
        let (Some(layout), Some(scene)) = (self.layout.as_ref(), self.scene.as_ref()) else {
            return;
        };
        let painter = ui.painter();
        let visuals = ui.visuals();
        let text_color = visuals.text_color();
        let ink = selection_ink(visuals);
        let offset = origin.to_vec2();
        // What is on screen, in scene coordinates.
        let view = clip.translate(-offset).expand(4.0);
        let mut targets = Vec::new();

        // The pending text selection (dragging or made, not yet tagged), or the range a
        // span end is being dragged to: a grey wash with an outline, unlike any type colour.
        let pending = match (self.selection, self.drag) {
            (
                _,
                Some(Drag::Edge {
                    to: Some((a, b)), ..
                }),
            ) => Some(a..b),
            (Selection::Range { start, end }, _) => Some(start..end),
            _ => None,
        };
        if let Some(range) = &pending {
            for r in scene.range_rects(layout, range.clone()) {
                let r = r.translate(offset).expand2(Vec2::new(1.0, 2.0));
                painter.rect_filled(r, CornerRadius::same(2), ink.gamma_multiply(0.14));
                painter.rect_stroke(
                    r,
                    CornerRadius::same(2),
                    Stroke::new(1.5, ink),
                    StrokeKind::Outside,
                );
            }
        }

        // Span fills and underlines under the text.
        let dark = visuals.dark_mode;
        let selected_span = match self.selection {
            Selection::Span(id) => Some(id),
            _ => None,
        };
        let spans: Vec<&scene::SpanBox> = scene
            .spans
            .iter()
            .filter(|b| b.bounds.intersects(view))
            .collect();
        for b in &spans {
            let fill = b.color.gamma_multiply(if dark { 0.35 } else { 0.45 });
            for [a, z] in &b.joins {
                painter.extend(egui::Shape::dashed_line(
                    &[*a + offset, *z + offset],
                    Stroke::new(1.5, b.color),
                    4.0,
                    3.0,
                ));
            }
            for r in &b.rects {
                let r = r.translate(offset);
                painter.rect_filled(r.expand2(Vec2::new(1.0, 2.0)), CornerRadius::same(3), fill);
                let y = r.bottom() + 3.0 + b.level as f32 * 4.0;
                painter.line_segment(
                    [Pos2::new(r.left(), y), Pos2::new(r.right(), y)],
                    Stroke::new(2.5, b.color),
                );
                targets.push((
                    r.expand2(Vec2::new(0.0, 2.0 + b.level as f32 * 4.0)),
                    Target::Span(b.id),
                ));
            }
        }

        // Suggestions: a dashed outline and a dashed label, apart from accepted spans.
        for g in scene.ghosts.iter().filter(|g| g.bounds.intersects(view)) {
            let focused = self.focused_ghost == Some(g.index);
            for r in &g.rects {
                let r = r.translate(offset).expand2(Vec2::new(2.0, 3.0));
                painter.rect_filled(r, CornerRadius::same(3), g.color.gamma_multiply(0.15));
                let stroke = if focused {
                    Stroke::new(2.5, ink)
                } else {
                    Stroke::new(1.5, g.color)
                };
                dashed_rect(painter, r, stroke);
                targets.push((r, Target::Ghost(g.index)));
            }
        }

        // The focused suggestion, even where an accepted span hides it (stepped to from the
        // suggestion list): its outline.
        if let Some(g) = self
            .focused_ghost
            .filter(|i| !scene.ghosts.iter().any(|g| g.index == *i))
            .and_then(|i| self.ghosts.get(i))
        {
            for r in scene.range_rects(layout, g.start..g.end) {
                let r = r.translate(offset).expand2(Vec2::new(3.0, 4.0));
                dashed_rect(painter, r, Stroke::new(2.0, ink));
            }
        }

        for p in &scene.paragraphs {
            if let Some(galley) = &p.galley
                && p.top <= view.bottom()
                && p.top + p.height >= view.top()
            {
                painter.galley(origin + Vec2::new(0.0, p.top), galley.clone(), text_color);
            }
        }

        // The selected span (or the relation's source after R): an outline in the selection
        // ink, with handles at both ends to drag its boundaries.
        for b in &spans {
            let selected = selected_span == Some(b.id) || self.relation_source == Some(b.id);
            if !selected {
                continue;
            }
            for r in &b.rects {
                painter.rect_stroke(
                    r.translate(offset).expand2(Vec2::new(2.0, 3.0)),
                    CornerRadius::same(3),
                    Stroke::new(2.0, ink),
                    StrokeKind::Outside,
                );
            }
            if selected_span == Some(b.id) {
                let ends = [
                    (Edge::Start, b.rects.first().map(|r| r.left_bottom())),
                    (Edge::End, b.rects.last().map(|r| r.right_bottom())),
                ];
                // A bar down each end with a knob below the text: grab it to move that end.
                let height = b.rects.first().map_or(0.0, |r| r.height());
                for (edge, at) in ends {
                    let Some(at) = at else { continue };
                    let knob = at + offset + Vec2::new(0.0, 6.0);
                    painter.line_segment(
                        [knob - Vec2::new(0.0, height + 8.0), knob],
                        Stroke::new(2.0, ink),
                    );
                    painter.circle_filled(knob, 3.5, ink);
                    targets.push((
                        Rect::from_min_max(
                            knob - Vec2::new(6.0, height + 8.0),
                            knob + Vec2::new(6.0, 5.0),
                        ),
                        Target::Handle(edge),
                    ));
                }
            }
        }

        // Type labels: accepted ones filled with the type colour, suggestions dashed.
        let label_font = scene.label_font.clone();
        for b in &spans {
            let tag = b.label.translate(offset);
            painter.rect_filled(tag, CornerRadius::same(3), b.color);
            if selected_span == Some(b.id) || self.relation_source == Some(b.id) {
                painter.rect_stroke(
                    tag,
                    CornerRadius::same(3),
                    Stroke::new(1.5, ink),
                    StrokeKind::Outside,
                );
            }
            centred_text(painter, tag, &b.text, &label_font, Color32::BLACK);
            targets.push((tag, Target::SpanLabel(b.id)));
        }
        for g in scene.ghosts.iter().filter(|g| g.bounds.intersects(view)) {
            let tag = g.label.translate(offset);
            painter.rect_filled(tag, CornerRadius::same(3), visuals.panel_fill);
            painter.rect_filled(
                tag,
                CornerRadius::same(3),
                g.color.gamma_multiply(if dark { 0.4 } else { 0.55 }),
            );
            dashed_rect(painter, tag, Stroke::new(1.0, text_color));
            centred_text(painter, tag, &g.text, &label_font, ink);
            targets.push((tag, Target::Ghost(g.index)));
        }

        // Relation arcs: lines first, then their labels on top (the line breaks for them).
        let pointer = ui.ctx().pointer_hover_pos().map(|p| p - offset);
        let hovered = pointer.and_then(|p| {
            scene
                .arcs
                .iter()
                .filter(|a| a.bounds.contains(p))
                .map(|a| (a.target, a.distance(p)))
                .filter(|(_, d)| *d <= ARC_HIT)
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(t, _)| t)
        });
        let selected_target = match self.selection {
            Selection::Relation(id) => Some(Target::Relation(id)),
            _ => None,
        };
        let mut visible_arcs: Vec<usize> = (0..scene.arcs.len())
            .filter(|&i| scene.arcs[i].bounds.intersects(view))
            .collect();
        // The selected and hovered arcs on top.
        visible_arcs.sort_by_key(|&i| {
            let t = Some(scene.arcs[i].target);
            (t == selected_target, t == hovered)
        });
        // Pieces on rows an arc only passes across are lighter, so the rows' own arcs
        // stand out.
        let style = |a: &scene::ArcBox| -> (Stroke, bool) {
            let target = a.target;
            let ghost = matches!(target, Target::GhostRelation(_));
            let strong = Some(target) == selected_target || Some(target) == hovered;
            // A relation type's own colour (brat's visual.conf) when it has one.
            let own = a.drawing.color.map(|[r, g, b]| Color32::from_rgb(r, g, b));
            let color = if Some(target) == selected_target {
                ink
            } else if strong {
                own.unwrap_or(text_color)
            } else if a.passing {
                own.unwrap_or(visuals.weak_text_color()).gamma_multiply(0.6)
            } else {
                own.unwrap_or(visuals.weak_text_color())
            };
            (Stroke::new(if strong { 2.2 } else { 1.2 }, color), ghost)
        };
        for &i in &visible_arcs {
            let a = &scene.arcs[i];
            let (stroke, ghost) = style(a);
            let path: Vec<Pos2> = a.path.iter().map(|p| *p + offset).collect();
            match (ghost, a.drawing.dash) {
                (true, _) => painter.extend(egui::Shape::dashed_line(&path, stroke, 5.0, 3.0)),
                (false, Some((dash, gap))) => {
                    painter.extend(egui::Shape::dashed_line(&path, stroke, dash, gap))
                }
                (false, None) => {
                    painter.add(egui::Shape::line(path, stroke));
                }
            }
            if let Some(tip) = a.arrow {
                let tip = tip + offset;
                let head = vec![tip, tip + Vec2::new(-3.5, -7.0), tip + Vec2::new(3.5, -7.0)];
                if ghost {
                    painter.add(egui::Shape::closed_line(head, stroke));
                } else {
                    painter.add(egui::Shape::convex_polygon(
                        head,
                        stroke.color,
                        Stroke::NONE,
                    ));
                }
            }
        }
        for &i in &visible_arcs {
            let a = &scene.arcs[i];
            let (stroke, ghost) = style(a);
            let tag = a.label.translate(offset);
            painter.rect_filled(tag, CornerRadius::same(3), visuals.panel_fill);
            if ghost {
                dashed_rect(painter, tag, Stroke::new(1.0, stroke.color));
            } else {
                painter.rect_stroke(
                    tag,
                    CornerRadius::same(3),
                    Stroke::new(stroke.width.min(2.0), stroke.color),
                    StrokeKind::Inside,
                );
            }
            let color = if a.passing && stroke.width < 2.0 {
                visuals.weak_text_color()
            } else {
                text_color
            };
            centred_text(painter, tag, &a.text, &label_font, color);
        }
        self.visible_arcs = visible_arcs;

        // A relation being dragged from a label.
        if let Some(Drag::Relation { from, .. }) = self.drag
            && let Some(to) = ui.ctx().pointer_latest_pos()
        {
            painter.line_segment([from, to], Stroke::new(2.0, ink));
        }
        self.targets = targets;
    }
}

/// How near (in points) the pointer must come to an arc's line to hit it.
pub(super) const ARC_HIT: f32 = 6.0;

fn centred_text(painter: &egui::Painter, rect: Rect, text: &str, font: &FontId, color: Color32) {
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        text,
        font.clone(),
        color,
    );
}
