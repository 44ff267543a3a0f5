//! The centre panel: the article as readable wrapped text with spans highlighted in their
//! type's colour, type labels above them, relation arcs between them (like brat), and the
//! mouse and keyboard interaction that tags text.
//!
//! Only visible paragraphs are painted; paragraph layouts are cached per document, width and
//! font size (the text never changes), and span nesting levels per project revision.

use super::commands::AppCommand;
use super::theme::type_color;
use crate::model::{Document, DocumentId, Project, RelationId, SpanId};
use crate::suggest::{RelationSuggestion, SpanRef, Suggestion};
use crate::text::{Token, tokenize};
use egui::epaint::{CubicBezierShape, Galley};
use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, CornerRadius, FontId, Key, Pos2, Rect, Sense, Stroke, StrokeKind, Ui, Vec2};
use std::ops::Range;
use std::sync::Arc;

/// The widest the text column gets, for comfortable reading.
const MAX_TEXT_WIDTH: f32 = 780.0;
/// Row height as a multiple of the font size: room above each line for labels and arcs.
const LINE_HEIGHT_FACTOR: f32 = 3.0;
const LABEL_FONT_FACTOR: f32 = 0.6;

/// What is selected in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Selection {
    #[default]
    None,
    /// A char range of text, not yet tagged.
    Range {
        start: usize,
        end: usize,
    },
    Span(SpanId),
    Relation(RelationId),
}

/// A small menu open over the text.
#[derive(Debug, Clone, PartialEq)]
enum Popup {
    EntityType {
        start: usize,
        end: usize,
        at: Pos2,
    },
    RelationType {
        source: SpanId,
        target: SpanId,
        at: Pos2,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Drag {
    Text { anchor: usize },
    Relation { source: SpanId, from: Pos2 },
}

struct Paragraph {
    chars: Range<usize>,
    /// None for an empty line (drawn as paragraph spacing).
    galley: Option<Arc<Galley>>,
    /// Char offset (within the paragraph) where each row starts.
    row_starts: Vec<usize>,
    top: f32,
    height: f32,
}

struct Layout {
    doc: DocumentId,
    width: f32,
    font_size: f32,
    dark: bool,
    paragraphs: Vec<Paragraph>,
    height: f32,
    tokens: Vec<Token>,
}

/// Nesting level of each span (parallel to `doc.spans`), so overlapping spans stack.
struct Levels {
    doc: DocumentId,
    revision: u64,
    levels: Vec<u8>,
}

/// Something clickable drawn this frame.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Target {
    /// A suggestion (ghost), by its index in `ghosts`.
    Ghost(usize),
    /// A relation suggestion, by its index in `ghost_relations`.
    GhostRelation(usize),
    Span(SpanId),
    SpanLabel(SpanId),
    Relation(RelationId),
}

#[derive(Default)]
pub struct DocumentView {
    pub selection: Selection,
    /// Set after R: the next span clicked becomes the relation's target.
    pub relation_source: Option<SpanId>,
    popup: Option<Popup>,
    drag: Option<Drag>,
    layout: Option<Layout>,
    levels: Option<Levels>,
    /// Scroll so this char offset is visible on the next frame.
    pub scroll_to: Option<usize>,
    targets: Vec<(Rect, Target)>,
    /// Where the text column started on screen last frame.
    last_origin: Pos2,
    /// Suggestions for this document, drawn as ghosts (set by the app every frame).
    pub ghosts: Vec<Suggestion>,
    /// The suggestion Enter accepts and x rejects.
    pub focused_ghost: Option<usize>,
    /// Relation suggestions for this document, drawn as dashed arcs (set by the app every
    /// frame).
    pub ghost_relations: Vec<RelationSuggestion>,
    /// A point on each ghost relation's arc as drawn last frame (clickable).
    ghost_relation_points: Vec<(usize, Pos2)>,
}

/// Geometry of one span on screen, per row.
struct SpanGeometry {
    rects: Vec<Rect>,
}

impl DocumentView {
    /// Forgets selection and popups (when the document changes).
    pub fn reset(&mut self) {
        self.selection = Selection::None;
        self.relation_source = None;
        self.popup = None;
        self.drag = None;
    }

    /// Selects a char range as if the user had dragged over it (snapping as the mouse does).
    pub fn select_range(&mut self, doc: &Document, start: usize, end: usize, exact: bool) {
        let (start, end) = if exact {
            (start, end)
        } else {
            snap_to_tokens(&tokenize(&doc.text), start, end)
        };
        self.selection = if start < end {
            Selection::Range { start, end }
        } else {
            Selection::None
        };
    }

    pub fn ui(
        &mut self,
        ui: &mut Ui,
        project: &Project,
        doc: &Document,
        font_size: f32,
        commands: &mut Vec<AppCommand>,
    ) {
        let dark = ui.visuals().dark_mode;
        let available = ui.available_width();
        let width = available.min(MAX_TEXT_WIDTH + 40.0) - 40.0;
        self.ensure_layout(ui.ctx(), doc, width.max(200.0), font_size, dark);
        self.ensure_levels(project, doc);
        self.handle_keys(ui, project, doc, commands);

        let Some(layout) = self.layout.as_ref() else {
            return;
        };
        let total_height = layout.height + font_size * 4.0;
        let scroll_target = self.scroll_to.take().and_then(|c| {
            layout
                .paragraphs
                .iter()
                .find(|p| p.chars.end >= c)
                .map(|p| p.top)
        });
        let mut area = egui::ScrollArea::vertical()
            .id_salt(("document", doc.id.0))
            .auto_shrink([false, false]);
        if let Some(y) = scroll_target {
            area = area.vertical_scroll_offset((y - 80.0).max(0.0));
        }
        area.show_viewport(ui, |ui, viewport| {
            let (rect, response) = ui.allocate_exact_size(
                Vec2::new(ui.available_width(), total_height),
                Sense::click_and_drag(),
            );
            let left = rect.left() + ((rect.width() - width) / 2.0).max(20.0);
            let origin = Pos2::new(left, rect.top() + font_size * 1.5);
            self.last_origin = origin;
            self.paint(
                ui,
                project,
                doc,
                origin,
                viewport.translate(rect.min.to_vec2()),
            );
            self.interact(ui, &response, project, doc, origin, commands);
        });
        self.popup_ui(ui, project, doc, commands);
    }

    fn ensure_layout(
        &mut self,
        ctx: &egui::Context,
        doc: &Document,
        width: f32,
        font_size: f32,
        dark: bool,
    ) {
        let fresh = self.layout.as_ref().is_some_and(|l| {
            l.doc == doc.id
                && (l.width - width).abs() < 0.5
                && l.font_size == font_size
                && l.dark == dark
        });
        if !fresh {
            self.layout = Some(build_layout(ctx, doc, width, font_size, dark));
        }
    }

    fn ensure_levels(&mut self, project: &Project, doc: &Document) {
        let fresh = self
            .levels
            .as_ref()
            .is_some_and(|l| l.doc == doc.id && l.revision == project.revision);
        if !fresh {
            self.levels = Some(Levels {
                doc: doc.id,
                revision: project.revision,
                levels: nesting_levels(doc),
            });
        }
    }

    fn level(&self, index: usize) -> u8 {
        self.levels
            .as_ref()
            .and_then(|l| l.levels.get(index).copied())
            .unwrap_or(0)
    }

    /// Paragraphs intersecting the char range.
    fn paragraphs_for(&self, chars: Range<usize>) -> &[Paragraph] {
        let Some(layout) = &self.layout else {
            return &[];
        };
        let first = layout
            .paragraphs
            .partition_point(|p| p.chars.end < chars.start);
        let last = layout
            .paragraphs
            .partition_point(|p| p.chars.start < chars.end.max(chars.start + 1));
        &layout.paragraphs[first..last.max(first)]
    }

    /// Screen rectangles (one per row) of a char range.
    fn range_geometry(&self, origin: Pos2, chars: Range<usize>) -> SpanGeometry {
        let mut rects = Vec::new();
        for p in self.paragraphs_for(chars.clone()) {
            let Some(galley) = &p.galley else { continue };
            let a = chars.start.max(p.chars.start) - p.chars.start;
            let b = chars.end.min(p.chars.end) - p.chars.start;
            if a >= b {
                continue;
            }
            let para_origin = origin + Vec2::new(0.0, p.top);
            for (row_index, row) in galley.rows.iter().enumerate() {
                let row_start = p.row_starts[row_index];
                let row_end = row_start + row.glyphs.len();
                let (ra, rb) = (a.max(row_start), b.min(row_end));
                if ra >= rb {
                    continue;
                }
                let first = &row.glyphs[ra - row_start];
                let last = &row.glyphs[rb - row_start - 1];
                let center_y = row.pos.y + row.size.y / 2.0;
                let half = first.font_height / 2.0;
                rects.push(Rect::from_min_max(
                    para_origin + Vec2::new(row.pos.x + first.pos.x, center_y - half),
                    para_origin
                        + Vec2::new(row.pos.x + last.pos.x + last.advance_width, center_y + half),
                ));
            }
        }
        SpanGeometry { rects }
    }

    fn paint(&mut self, ui: &Ui, project: &Project, doc: &Document, origin: Pos2, clip: Rect) {
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
            let geometry = self.range_geometry(origin, span.start..span.end);
            let Some(first_rect) = geometry.rects.first().copied() else {
                continue;
            };
            let level = self.level(index) as f32;
            let color = type_color(&project.schema, &span.entity_type);
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

    /// The innermost clickable thing under the pointer: relations and labels first, then the
    /// smallest span.
    fn target_at(&self, pos: Pos2, doc: &Document) -> Option<Target> {
        let hits: Vec<Target> = self
            .targets
            .iter()
            .filter(|(r, _)| r.contains(pos))
            .map(|(_, t)| *t)
            .collect();
        if let Some(t) = hits.iter().find(|t| {
            matches!(
                t,
                Target::Relation(_) | Target::SpanLabel(_) | Target::GhostRelation(_)
            )
        }) {
            return Some(*t);
        }
        let span = hits
            .iter()
            .filter_map(|t| match t {
                Target::Span(id) => doc.span(*id).map(|s| (s.end - s.start, *t)),
                _ => None,
            })
            .min_by_key(|(len, _)| *len)
            .map(|(_, t)| t);
        span.or_else(|| hits.into_iter().find(|t| matches!(t, Target::Ghost(_))))
    }

    fn char_at(&self, origin: Pos2, pos: Pos2) -> Option<usize> {
        let layout = self.layout.as_ref()?;
        let y = pos.y - origin.y;
        let index = layout.paragraphs.partition_point(|p| p.top + p.height < y);
        let p = layout
            .paragraphs
            .get(index.min(layout.paragraphs.len().saturating_sub(1)))?;
        let Some(galley) = &p.galley else {
            return Some(p.chars.start);
        };
        let local = pos - (origin + Vec2::new(0.0, p.top));
        let cursor = galley.cursor_from_pos(local);
        Some(p.chars.start + cursor.index.0.min(p.chars.len()))
    }

    fn interact(
        &mut self,
        ui: &Ui,
        response: &egui::Response,
        project: &Project,
        doc: &Document,
        origin: Pos2,
        commands: &mut Vec<AppCommand>,
    ) {
        let alt = ui.input(|i| i.modifiers.alt);
        if response.drag_started()
            && let Some(pos) = response.interact_pointer_pos()
        {
            // Start where the press happened, not where the drag was recognised.
            let press = ui.input(|i| i.pointer.press_origin()).unwrap_or(pos);
            self.popup = None;
            self.drag = match self.target_at(press, doc) {
                Some(Target::SpanLabel(source)) => Some(Drag::Relation {
                    source,
                    from: press,
                }),
                _ => self
                    .char_at(origin, press)
                    .map(|anchor| Drag::Text { anchor }),
            };
        }
        if response.dragged()
            && let (Some(Drag::Text { anchor }), Some(pos)) =
                (self.drag, response.interact_pointer_pos())
            && let Some(c) = self.char_at(origin, pos)
        {
            let (start, end) = (anchor.min(c), anchor.max(c));
            self.selection = if start < end {
                Selection::Range { start, end }
            } else {
                Selection::None
            };
        }
        if response.drag_stopped() {
            let pos = response
                .interact_pointer_pos()
                .or(ui.ctx().pointer_latest_pos());
            match (self.drag.take(), pos) {
                (Some(Drag::Text { .. }), Some(pos)) => {
                    if let Selection::Range { start, end } = self.selection {
                        self.select_range(doc, start, end, alt);
                        if let Selection::Range { start, end } = self.selection {
                            self.popup = Some(Popup::EntityType {
                                start,
                                end,
                                at: pos,
                            });
                        }
                    }
                }
                (Some(Drag::Relation { source, .. }), Some(pos)) => {
                    if let Some(Target::Span(target) | Target::SpanLabel(target)) =
                        self.target_at(pos, doc)
                        && target != source
                    {
                        self.popup = Some(Popup::RelationType {
                            source,
                            target,
                            at: pos,
                        });
                    }
                }
                _ => {}
            }
        }
        if response.clicked()
            && let Some(pos) = response.interact_pointer_pos()
        {
            self.popup = None;
            match self.target_at(pos, doc) {
                Some(Target::Span(id) | Target::SpanLabel(id)) => {
                    if let Some(source) = self.relation_source.take()
                        && source != id
                    {
                        self.popup = Some(Popup::RelationType {
                            source,
                            target: id,
                            at: pos,
                        });
                    } else {
                        self.selection = Selection::Span(id);
                    }
                }
                Some(Target::Relation(id)) => self.selection = Selection::Relation(id),
                Some(Target::Ghost(index)) => {
                    if let Some(g) = self.ghosts.get(index) {
                        commands.push(AppCommand::AcceptSuggestions(vec![g.clone()]));
                    }
                }
                Some(Target::GhostRelation(index)) => {
                    if let Some(r) = self.ghost_relations.get(index) {
                        commands.push(AppCommand::AcceptRelationSuggestions(vec![r.clone()]));
                    }
                }
                None => {
                    self.selection = Selection::None;
                    self.relation_source = None;
                }
            }
        }
        if response.secondary_clicked()
            && let Some(pos) = response.interact_pointer_pos()
            && let Some(Target::GhostRelation(index)) = self.target_at(pos, doc)
            && let Some(r) = self.ghost_relations.get(index)
        {
            commands.push(AppCommand::RejectRelationSuggestions(vec![r.clone()]));
        }
        if let Some(pos) = response.hover_pos()
            && let Some(Target::GhostRelation(index)) = self.target_at(pos, doc)
            && let Some(r) = self.ghost_relations.get(index)
        {
            let label = relation_label(project, &r.relation_type);
            let text = format!(
                "“{}” {label} “{}” — score {:.2}\n{}: {}\nClick accepts (with its ends), right-click rejects",
                doc.slice(r.source.start, r.source.end),
                doc.slice(r.target.start, r.target.end),
                r.score,
                r.engine,
                r.explanation
            );
            response.clone().on_hover_text_at_pointer(text);
        }
        // Hovering a suggestion shows why it was made.
        if let Some(pos) = response.hover_pos()
            && let Some(Target::Ghost(index)) = self.target_at(pos, doc)
            && let Some(g) = self.ghosts.get(index)
        {
            let text = format!(
                "{} “{}” — score {:.2}\n{}: {}\nClick or Enter accepts, x rejects",
                g.entity_type,
                doc.slice(g.start, g.end),
                g.score,
                g.engine,
                g.explanation
            );
            response.clone().on_hover_text_at_pointer(text);
        }
    }

    fn handle_keys(
        &mut self,
        ui: &Ui,
        project: &Project,
        doc: &Document,
        commands: &mut Vec<AppCommand>,
    ) {
        if ui.ctx().egui_wants_keyboard_input() {
            return;
        }
        let typed_key = ui.input(|i| {
            if i.modifiers.command || i.modifiers.alt {
                return None;
            }
            (1..=9u8).find_map(|n| {
                let key = Key::from_name(&n.to_string())?;
                i.key_pressed(key).then(|| char::from(b'0' + n))
            })
        });
        if let Some(key) = typed_key
            && let Some(ty) = project.schema.entity_type_for_key(key)
        {
            match self.selection {
                Selection::Range { start, end } => {
                    commands.push(AppCommand::CreateSpan {
                        doc: doc.id,
                        start,
                        end,
                        entity_type: ty.id.clone(),
                    });
                    self.popup = None;
                }
                Selection::Span(span) => commands.push(AppCommand::RetypeSpan {
                    doc: doc.id,
                    span,
                    entity_type: ty.id.clone(),
                }),
                _ => {}
            }
        }
        let (delete, escape, relate) = ui.input(|i| {
            (
                i.key_pressed(Key::Delete) || i.key_pressed(Key::Backspace),
                i.key_pressed(Key::Escape),
                i.key_pressed(Key::R) && !i.modifiers.command,
            )
        });
        let (enter, reject) = ui.input(|i| {
            (
                i.key_pressed(Key::Enter),
                i.key_pressed(Key::X) && !i.modifiers.command,
            )
        });
        let focused = self.focused_ghost.and_then(|i| self.ghosts.get(i)).cloned();
        if let Some(g) = focused {
            if enter {
                commands.push(AppCommand::AcceptSuggestions(vec![g.clone()]));
            }
            if reject
                || (delete && matches!(self.selection, Selection::None | Selection::Range { .. }))
            {
                commands.push(AppCommand::RejectSuggestions(vec![g]));
            }
        }
        if delete {
            match self.selection {
                Selection::Span(span) => {
                    commands.push(AppCommand::DeleteSpan { doc: doc.id, span });
                    self.selection = Selection::None;
                }
                Selection::Relation(relation) => {
                    commands.push(AppCommand::DeleteRelation {
                        doc: doc.id,
                        relation,
                    });
                    self.selection = Selection::None;
                }
                _ => {}
            }
        }
        if escape {
            if self.popup.is_some() {
                self.popup = None;
            } else {
                self.selection = Selection::None;
                self.relation_source = None;
            }
        }
        if relate && let Selection::Span(span) = self.selection {
            self.relation_source = Some(span);
        }
    }

    fn popup_ui(
        &mut self,
        ui: &Ui,
        project: &Project,
        doc: &Document,
        commands: &mut Vec<AppCommand>,
    ) {
        let Some(popup) = self.popup.clone() else {
            return;
        };
        let at = match &popup {
            Popup::EntityType { at, .. } | Popup::RelationType { at, .. } => *at,
        };
        let mut close = false;
        egui::Area::new(egui::Id::unique("annotation_popup"))
            .order(egui::Order::Foreground)
            .fixed_pos(at + Vec2::new(8.0, 8.0))
            .show(ui.ctx(), |ui| {
                egui::Frame::popup(ui.style()).show(ui, |ui| match popup {
                    Popup::EntityType { start, end, .. } => {
                        ui.label(
                            egui::RichText::new(format!(
                                "Tag “{}” as",
                                short(doc.slice(start, end))
                            ))
                            .strong(),
                        );
                        close = tag_menu_ui(ui, project, doc.id, start..end, commands);
                    }
                    Popup::RelationType { source, target, .. } => {
                        let (Some(s), Some(t)) = (doc.span(source), doc.span(target)) else {
                            close = true;
                            return;
                        };
                        ui.label(
                            egui::RichText::new(format!(
                                "{} -> {}",
                                short(doc.span_text(s)),
                                short(doc.span_text(t))
                            ))
                            .strong(),
                        );
                        let allowed: Vec<_> = project
                            .schema
                            .relation_types_between(&s.entity_type, &t.entity_type)
                            .collect();
                        if allowed.is_empty() {
                            ui.label(format!(
                                "No relation type allows {} -> {}.",
                                s.entity_type, t.entity_type
                            ));
                            ui.label("Add one in View > Schema Editor.");
                        }
                        for rt in allowed {
                            if ui.button(&rt.label).clicked() {
                                commands.push(AppCommand::CreateRelation {
                                    doc: doc.id,
                                    source,
                                    target,
                                    relation_type: rt.id.clone(),
                                });
                                close = true;
                            }
                        }
                    }
                });
            });
        if close {
            self.popup = None;
        }
    }

    /// Opens the entity-type menu for the current range selection (keyboard users and tests).
    pub fn open_type_menu(&mut self, at: Pos2) {
        if let Selection::Range { start, end } = self.selection {
            self.popup = Some(Popup::EntityType { start, end, at });
        }
    }

    /// Opens the relation-type menu between two spans.
    pub fn open_relation_menu(&mut self, source: SpanId, target: SpanId, at: Pos2) {
        self.popup = Some(Popup::RelationType { source, target, at });
    }

    pub fn popup_open(&self) -> bool {
        self.popup.is_some()
    }
}

/// A relation arc from `a` to `b`, rising `rise` above the higher end.
fn arc(a: Pos2, b: Pos2, rise: f32, stroke: Stroke) -> CubicBezierShape {
    let top_y = a.y.min(b.y) - rise;
    let c1 = Pos2::new(a.x + (b.x - a.x) * 0.15, top_y);
    let c2 = Pos2::new(b.x - (b.x - a.x) * 0.15, top_y);
    CubicBezierShape::from_points_stroke([a, c1, c2, b], false, Color32::TRANSPARENT, stroke)
}

/// A relation type's label in the schema (its id if the schema lacks it).
fn relation_label<'a>(project: &'a Project, relation_type: &'a str) -> &'a str {
    project
        .schema
        .relation_type(relation_type)
        .map_or(relation_type, |t| t.label.as_str())
}

/// A boxed label centred on `at`, in the arc's stroke; returns its rectangle.
fn arc_label(
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
fn arrow_head(curve: &CubicBezierShape) -> [Pos2; 3] {
    let [_, _, c2, b] = curve.points;
    let dir = (b - c2).normalized();
    let side = Vec2::new(-dir.y, dir.x) * 4.0;
    [b, b - dir * 8.0 + side, b - dir * 8.0 - side]
}

fn short(s: &str) -> String {
    let s = s.trim();
    if s.chars().count() > 40 {
        format!("{}…", s.chars().take(39).collect::<String>())
    } else {
        s.to_string()
    }
}

/// One button per entity type (swatch, key, id, label); a click tags `range` with that type.
/// Returns true when a type was picked.
pub fn tag_menu_ui(
    ui: &mut Ui,
    project: &Project,
    doc: DocumentId,
    range: Range<usize>,
    commands: &mut Vec<AppCommand>,
) -> bool {
    let mut picked = false;
    for t in &project.schema.entity_types {
        let key = t.key.map(|k| format!("{k}  ")).unwrap_or_default();
        let text = format!("{key}{}  {}", t.id, t.label);
        if swatch_button(ui, type_color(&project.schema, &t.id), &text).clicked() {
            commands.push(AppCommand::CreateSpan {
                doc,
                start: range.start,
                end: range.end,
                entity_type: t.id.clone(),
            });
            picked = true;
        }
    }
    picked
}

/// A button with a colour swatch in front of its text.
/// A combo box choosing one entity type of the schema, or none (`none_label`), as a filter.
pub fn type_filter_combo(
    ui: &mut Ui,
    id_salt: &str,
    label: &egui::Response,
    none_label: &str,
    width: f32,
    schema: &crate::model::Schema,
    selected: &mut Option<String>,
) -> egui::Response {
    egui::ComboBox::from_id_salt(id_salt)
        .selected_text(selected.clone().unwrap_or_else(|| none_label.into()))
        .width(width)
        .show_ui(ui, |ui| {
            ui.selectable_value(selected, None, none_label);
            for t in &schema.entity_types {
                ui.selectable_value(selected, Some(t.id.clone()), &t.id);
            }
        })
        .response
        .labelled_by(label.id)
}

pub fn swatch_button(ui: &mut Ui, color: Color32, text: &str) -> egui::Response {
    ui.horizontal(|ui| {
        let (rect, _) = ui.allocate_exact_size(Vec2::splat(12.0), Sense::hover());
        ui.painter().rect_filled(rect, CornerRadius::same(2), color);
        ui.add(egui::Button::new(text).frame(false))
    })
    .inner
}

fn build_layout(
    ctx: &egui::Context,
    doc: &Document,
    width: f32,
    font_size: f32,
    dark: bool,
) -> Layout {
    let line_height = (font_size * LINE_HEIGHT_FACTOR).round();
    let text_color = if dark {
        Color32::from_gray(225)
    } else {
        Color32::from_gray(25)
    };
    let format = TextFormat {
        font_id: FontId::proportional(font_size),
        color: text_color,
        line_height: Some(line_height),
        ..Default::default()
    };
    let mut paragraphs = Vec::new();
    let mut top = 0.0;
    let mut char_pos = 0;
    ctx.fonts_mut(|fonts| {
        for line in doc.text.split('\n') {
            let len = line.chars().count();
            let chars = char_pos..char_pos + len;
            char_pos += len + 1;
            if line.trim().is_empty() {
                let height = line_height * 0.35;
                paragraphs.push(Paragraph {
                    chars,
                    galley: None,
                    row_starts: Vec::new(),
                    top,
                    height,
                });
                top += height;
                continue;
            }
            let mut job = LayoutJob::single_section(line.to_string(), format.clone());
            job.wrap.max_width = width;
            let galley = fonts.layout_job(job);
            let mut row_starts = Vec::with_capacity(galley.rows.len());
            let mut at = 0;
            for row in &galley.rows {
                row_starts.push(at);
                at += row.glyphs.len();
            }
            let height = galley.size().y;
            paragraphs.push(Paragraph {
                chars,
                galley: Some(galley),
                row_starts,
                top,
                height,
            });
            top += height;
        }
    });
    Layout {
        doc: doc.id,
        width,
        font_size,
        dark,
        paragraphs,
        height: top,
        tokens: tokenize(&doc.text),
    }
}

/// Nesting levels: a span nested in (or overlapping) an earlier one gets the next free level.
fn nesting_levels(doc: &Document) -> Vec<u8> {
    let mut levels = vec![0u8; doc.spans.len()];
    // Longer spans first at the same start, so the outer one takes level 0.
    let mut order: Vec<usize> = (0..doc.spans.len()).collect();
    order.sort_by_key(|&i| (doc.spans[i].start, std::cmp::Reverse(doc.spans[i].end)));
    let mut active: Vec<(usize, u8)> = Vec::new(); // (end, level)
    for i in order {
        let span = &doc.spans[i];
        active.retain(|(end, _)| *end > span.start);
        let level = (0u8..)
            .find(|l| !active.iter().any(|(_, al)| al == l))
            .unwrap_or(0);
        levels[i] = level;
        active.push((span.end, level));
    }
    levels
}

/// Widens a char range to whole tokens: a start inside a token moves to its start, an end
/// inside a token to its end; whitespace at either side is dropped.
pub fn snap_to_tokens(tokens: &[Token], start: usize, end: usize) -> (usize, usize) {
    let first = tokens.partition_point(|t| t.end <= start);
    let last = tokens.partition_point(|t| t.start < end);
    if first >= last {
        return (start, start);
    }
    (tokens[first].start, tokens[last - 1].end)
}

impl DocumentView {
    /// Where a char of the current document was drawn last frame (for tests that use the mouse).
    /// The middle of a relation suggestion's arc as drawn last frame (for tests).
    pub fn ghost_relation_point(&self, index: usize) -> Option<Pos2> {
        self.ghost_relation_points
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, p)| *p)
    }

    pub fn char_rect(&self, c: usize) -> Option<Rect> {
        self.range_geometry(self.last_origin, c..c + 1)
            .rects
            .first()
            .copied()
    }

    /// The cached tokens of the current document (for tests and the inspector).
    pub fn tokens(&self) -> &[Token] {
        self.layout.as_ref().map_or(&[], |l| &l.tokens)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snapping_widens_to_whole_tokens() {
        let text = "Prime Minister Nikol Pashinyan met";
        let toks = tokenize(text);
        assert_eq!(snap_to_tokens(&toks, 17, 24), (15, 30)); // "kol Pash" -> "Nikol Pashinyan"
        assert_eq!(snap_to_tokens(&toks, 14, 21), (15, 20)); // leading space dropped
        assert_eq!(snap_to_tokens(&toks, 14, 15), (14, 14)); // only whitespace -> nothing
    }
}
