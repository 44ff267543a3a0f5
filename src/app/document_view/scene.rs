//! The annotated layout of a document, brat style: where every row of text, type label and
//! relation arc goes. Each row gets a band above it tall enough for its stacked labels and
//! its arc lanes (`crate::arcs` decides the stacking), so labels never cover words or each
//! other and arcs run in the gap between lines. Built once per document, width, font size,
//! project revision and set of suggestions shown; painting and hit testing only read it.
//! Coordinates are relative to the text column's top left.

use super::*;
use crate::app::theme::type_label;
use crate::arcs::{self, ArcEnd, Extent};
use crate::model::ArcDrawing;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

/// Room between stacked labels, and between arcs in one lane.
const GAP: f32 = 3.0;
/// How far past the text column an arc that continues on another row runs.
const EDGE: f32 = 10.0;

/// What a scene was built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct SceneKey {
    doc: DocumentId,
    revision: u64,
    /// A fingerprint of the suggestions shown (they come and go without a revision).
    suggestions: u64,
}

impl SceneKey {
    pub(super) fn new(
        doc: DocumentId,
        revision: u64,
        ghosts: &[Suggestion],
        ghost_relations: &[RelationSuggestion],
    ) -> SceneKey {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        for g in ghosts {
            (g.start, g.end, g.entity_type.as_str()).hash(&mut h);
        }
        for r in ghost_relations {
            (
                r.relation_type.as_str(),
                r.source.start,
                r.source.end,
                r.source.entity_type.as_str(),
                r.target.start,
                r.target.end,
                r.target.entity_type.as_str(),
            )
                .hash(&mut h);
        }
        SceneKey {
            doc,
            revision,
            suggestions: h.finish(),
        }
    }
}

/// One row of text.
pub(super) struct RowBox {
    pub chars: Range<usize>,
    /// The paragraph (index in the layout) and the row within its galley.
    pub para: usize,
    pub row: usize,
    /// x of the galley row.
    pub x: f32,
    /// Top of the band above the row (labels and arcs) and bottom of the row (underlines).
    pub top: f32,
    pub bottom: f32,
    /// The words: from the first glyph to the last, font height.
    pub ink: Rect,
}

pub(super) struct SpanBox {
    pub id: SpanId,
    pub rects: Vec<Rect>,
    /// For a discontinuous span, where one fragment ends and the next starts (drawn joined).
    pub joins: Vec<[Pos2; 2]>,
    pub label: Rect,
    pub text: String,
    pub color: Color32,
    /// Nesting level (underlines of nested spans go lower).
    pub level: u8,
    pub bounds: Rect,
}

pub(super) struct GhostBox {
    /// Index in the view's `ghosts`.
    pub index: usize,
    pub rects: Vec<Rect>,
    pub label: Rect,
    pub text: String,
    pub color: Color32,
    pub bounds: Rect,
}

/// One piece of a relation arc (one per row it covers).
pub(super) struct ArcBox {
    pub target: Target,
    /// The line: up from one label, along its lane, down to the other (or to an edge).
    pub path: Vec<Pos2>,
    pub label: Rect,
    pub text: String,
    pub drawing: ArcDrawing,
    /// Where the arrow points (the target's label), when this piece reaches it.
    pub arrow: Option<Pos2>,
    /// A piece on a row the arc only passes across (drawn lighter).
    pub passing: bool,
    pub bounds: Rect,
}

/// An arc piece as drawn, in screen coordinates (for tests and hit testing).
#[derive(Debug, Clone, PartialEq)]
pub struct DrawnArc {
    /// The relation, or None for a relation suggestion.
    pub relation: Option<RelationId>,
    /// The relation suggestion's index in `ghost_relations`.
    pub ghost: Option<usize>,
    pub label_text: String,
    pub label: Rect,
    pub path: Vec<Pos2>,
    /// The colour and dashes of its relation type (brat's visual.conf).
    pub drawing: ArcDrawing,
}

impl ArcBox {
    pub(super) fn drawn(&self, offset: Vec2) -> DrawnArc {
        DrawnArc {
            relation: match self.target {
                Target::Relation(id) => Some(id),
                _ => None,
            },
            ghost: match self.target {
                Target::GhostRelation(i) => Some(i),
                _ => None,
            },
            label_text: self.text.clone(),
            label: self.label.translate(offset),
            path: self.path.iter().map(|p| *p + offset).collect(),
            drawing: self.drawing,
        }
    }

    /// How far `pos` (relative) is from the line, or 0 on the label.
    pub(super) fn distance(&self, pos: Pos2) -> f32 {
        if self.label.expand(2.0).contains(pos) {
            return 0.0;
        }
        self.path
            .windows(2)
            .map(|w| segment_distance(pos, w[0], w[1]))
            .fold(f32::INFINITY, f32::min)
    }
}

fn segment_distance(p: Pos2, a: Pos2, b: Pos2) -> f32 {
    let ab = b - a;
    let t = if ab.length_sq() > 0.0 {
        ((p - a).dot(ab) / ab.length_sq()).clamp(0.0, 1.0)
    } else {
        0.0
    };
    p.distance(a + ab * t)
}

/// A paragraph with its rows moved to their places.
pub(super) struct PlacedParagraph {
    pub top: f32,
    pub height: f32,
    pub galley: Option<Arc<Galley>>,
}

pub(super) struct Scene {
    pub key: SceneKey,
    pub paragraphs: Vec<PlacedParagraph>,
    pub rows: Vec<RowBox>,
    pub spans: Vec<SpanBox>,
    pub ghosts: Vec<GhostBox>,
    pub arcs: Vec<ArcBox>,
    pub height: f32,
    pub label_font: FontId,
}

impl Scene {
    /// The row holding a char (the next row's start belongs to the next row).
    pub(super) fn row_of(&self, c: usize) -> Option<usize> {
        let i = self.rows.partition_point(|r| r.chars.end <= c);
        (i < self.rows.len()).then_some(i)
    }

    pub(super) fn galley_row<'a>(
        &self,
        layout: &'a Layout,
        row: &RowBox,
    ) -> Option<&'a egui::epaint::text::PlacedRow> {
        layout
            .paragraphs
            .get(row.para)?
            .galley
            .as_ref()?
            .rows
            .get(row.row)
    }

    /// The rectangles (one per row) of a char range.
    pub(super) fn range_rects(&self, layout: &Layout, chars: Range<usize>) -> Vec<Rect> {
        row_pieces(&self.rows, layout, chars)
            .into_iter()
            .map(|(i, x0, x1)| {
                let ink = self.rows[i].ink;
                Rect::from_x_y_ranges(x0..=x1, ink.y_range())
            })
            .collect()
    }
}

/// The rows a char range covers and its x extent on each (before rows have their y).
fn row_pieces(rows: &[RowBox], layout: &Layout, chars: Range<usize>) -> Vec<(usize, f32, f32)> {
    let mut out = Vec::new();
    let first = rows.partition_point(|r| r.chars.end <= chars.start);
    for (i, r) in rows.iter().enumerate().skip(first) {
        if r.chars.start >= chars.end {
            break;
        }
        let (a, b) = (chars.start.max(r.chars.start), chars.end.min(r.chars.end));
        let Some(row) = layout
            .paragraphs
            .get(r.para)
            .and_then(|p| p.galley.as_ref())
            .and_then(|g| g.rows.get(r.row))
        else {
            continue;
        };
        let (Some(g0), Some(g1)) = (
            row.glyphs.get(a.wrapping_sub(r.chars.start)),
            b.checked_sub(r.chars.start + 1)
                .and_then(|k| row.glyphs.get(k)),
        ) else {
            continue;
        };
        if a < b {
            out.push((i, r.x + g0.pos.x, r.x + g1.pos.x + g1.advance_width));
        }
    }
    out
}

/// Who owns a type label: a span or a suggestion (ghost).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Owner {
    Span(usize),
    Ghost(usize),
}

/// A type label before it has its height.
struct LabelSlot {
    row: usize,
    extent: Extent,
    level: usize,
}

/// An arc before it has its lanes.
struct ArcPlan {
    target: Target,
    /// The relation type's own colour and dashes (brat's visual.conf).
    drawing: ArcDrawing,
    text: String,
    width: f32,
    ends: [Owner; 2],
}

fn arc_drawing(project: &Project, relation_type: &str) -> ArcDrawing {
    project
        .schema
        .relation_type(relation_type)
        .map(|t| t.arc_drawing())
        .unwrap_or_default()
}

pub(super) fn build_scene(
    ctx: &egui::Context,
    layout: &Layout,
    project: &Project,
    doc: &Document,
    ghosts: &[Suggestion],
    ghost_relations: &[RelationSuggestion],
    key: SceneKey,
) -> Scene {
    let font_size = layout.font_size;
    let label_font = FontId::proportional((font_size * LABEL_FONT_FACTOR).round());
    let label_h = (ctx.fonts_mut(|f| f.row_height(&label_font)) + 3.0).round();
    let lane_h = label_h + 4.0;
    let mut widths: HashMap<String, f32> = HashMap::new();
    let mut measure = |text: &str| -> f32 {
        if let Some(w) = widths.get(text) {
            return *w;
        }
        let w = ctx.fonts_mut(|f| {
            f.layout_no_wrap(text.to_string(), label_font.clone(), Color32::BLACK)
                .size()
                .x
        }) + 8.0;
        widths.insert(text.to_string(), w);
        w
    };

    // Rows in reading order, not yet placed vertically.
    let mut rows = Vec::new();
    for (para, p) in layout.paragraphs.iter().enumerate() {
        let Some(g) = &p.galley else { continue };
        for (row, placed) in g.rows.iter().enumerate() {
            let start = p.chars.start + p.row_starts[row];
            rows.push(RowBox {
                chars: start..start + placed.glyphs.len(),
                para,
                row,
                x: placed.pos.x,
                top: 0.0,
                bottom: 0.0,
                ink: Rect::NOTHING,
            });
        }
    }

    // Type labels: one above the first row of each span and each suggestion shown.
    let column = Extent::new(0.0, layout.width);
    let mut slots: Vec<LabelSlot> = Vec::new();
    let mut owners: HashMap<Owner, usize> = HashMap::new();
    let mut label_slot = |owner: Owner, row: usize, x0: f32, x1: f32, w: f32| {
        let left = ((x0 + x1) / 2.0 - w / 2.0)
            .min(column.right - w)
            .max(column.left);
        owners.insert(owner, slots.len());
        slots.push(LabelSlot {
            row,
            extent: Extent::new(left, left + w),
            level: 0,
        });
    };
    let nesting = nesting_levels(doc);
    // A label many arcs meet is widened so their ends stay apart.
    let mut arc_ends: HashMap<SpanId, usize> = HashMap::new();
    for r in &doc.relations {
        *arc_ends.entry(r.source).or_default() += 1;
        *arc_ends.entry(r.target).or_default() += 1;
    }
    let mut span_parts = Vec::with_capacity(doc.spans.len());
    let mut join_at: Vec<(usize, usize)> = Vec::new();
    for (i, span) in doc.spans.iter().enumerate() {
        // A discontinuous span has the row pieces of each fragment; `join_at` remembers
        // where a fragment's pieces start.
        let mut parts = Vec::new();
        for (a, b) in span.pieces() {
            if !parts.is_empty() {
                join_at.push((i, parts.len()));
            }
            parts.extend(row_pieces(&rows, layout, a..b));
        }
        if let Some(&(row, x0, x1)) = parts.first() {
            let ends = arc_ends.get(&span.id).copied().unwrap_or(0);
            let text = type_label(&project.schema, &span.entity_type);
            let w = measure(text).max(10.0 * (ends as f32 + 1.0));
            label_slot(Owner::Span(i), row, x0, x1, w);
        }
        span_parts.push(parts);
    }
    // A suggestion over an accepted span is stale or contradicts it: it stays in the list,
    // but the text shows the span alone.
    let mut max_end = Vec::with_capacity(doc.spans.len() + 1);
    max_end.push(0);
    for s in &doc.spans {
        let last = max_end.last().copied().unwrap_or(0);
        max_end.push(last.max(s.end));
    }
    let mut ghost_parts = Vec::new();
    for (i, g) in ghosts.iter().enumerate() {
        let before = doc.spans.partition_point(|s| s.start < g.end);
        if max_end[before] > g.start || g.start >= g.end {
            continue;
        }
        let parts = row_pieces(&rows, layout, g.start..g.end);
        if let Some(&(row, x0, x1)) = parts.first() {
            label_slot(
                Owner::Ghost(i),
                row,
                x0,
                x1,
                measure(&format!("{}?", type_label(&project.schema, &g.entity_type))),
            );
            ghost_parts.push((i, parts));
        }
    }
    let mut label_levels = vec![0usize; rows.len()];
    let mut by_row: Vec<Vec<usize>> = vec![Vec::new(); rows.len()];
    for (i, s) in slots.iter().enumerate() {
        by_row[s.row].push(i);
    }
    for (row, items) in by_row.iter().enumerate() {
        let extents: Vec<Extent> = items.iter().map(|&i| slots[i].extent).collect();
        let (levels, count) = arcs::stack(&extents, GAP);
        for (&i, level) in items.iter().zip(levels) {
            slots[i].level = level;
        }
        label_levels[row] = count;
    }

    // Arcs: relations between spans, relation suggestions between spans or suggestions.
    let span_index: HashMap<SpanId, usize> = doc
        .spans
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id, i))
        .collect();
    let mut plans = Vec::new();
    for rel in &doc.relations {
        let (Some(&a), Some(&b)) = (span_index.get(&rel.source), span_index.get(&rel.target))
        else {
            continue;
        };
        let ends = [Owner::Span(a), Owner::Span(b)];
        if ends.iter().all(|o| owners.contains_key(o)) {
            let text = relation_label(project, &rel.relation_type).to_string();
            plans.push(ArcPlan {
                target: Target::Relation(rel.id),
                drawing: arc_drawing(project, &rel.relation_type),
                width: measure(&text),
                text,
                ends,
            });
        }
    }
    let find_end = |end: &SpanRef| -> Option<Owner> {
        doc.spans
            .iter()
            .position(|s| {
                s.start == end.start && s.end == end.end && s.entity_type == end.entity_type
            })
            .map(Owner::Span)
            .or_else(|| {
                ghosts
                    .iter()
                    .position(|g| {
                        g.start == end.start && g.end == end.end && g.entity_type == end.entity_type
                    })
                    .map(Owner::Ghost)
            })
            .filter(|o| owners.contains_key(o))
    };
    for (index, r) in ghost_relations.iter().enumerate() {
        let (Some(a), Some(b)) = (find_end(&r.source), find_end(&r.target)) else {
            continue;
        };
        let text = format!("{}?", relation_label(project, &r.relation_type));
        plans.push(ArcPlan {
            target: Target::GhostRelation(index),
            drawing: arc_drawing(project, &r.relation_type),
            width: measure(&text),
            text,
            ends: [a, b],
        });
    }

    // Where each arc meets its labels: spread over the label in the order the arcs go.
    let mut meeting: HashMap<usize, Vec<(usize, usize, f32)>> = HashMap::new(); // slot -> (plan, end, toward)
    for (p, plan) in plans.iter().enumerate() {
        for end in 0..2 {
            let (here, there) = (
                &slots[owners[&plan.ends[end]]],
                &slots[owners[&plan.ends[1 - end]]],
            );
            let toward = match here.row.cmp(&there.row) {
                std::cmp::Ordering::Less => f32::INFINITY,
                std::cmp::Ordering::Greater => f32::NEG_INFINITY,
                std::cmp::Ordering::Equal => (there.extent.left + there.extent.right) / 2.0,
            };
            meeting
                .entry(owners[&plan.ends[end]])
                .or_default()
                .push((p, end, toward));
        }
    }
    let mut end_x = vec![[0.0f32; 2]; plans.len()];
    for (slot, ends) in &meeting {
        let e = slots[*slot].extent;
        let inner = if e.width() > 8.0 {
            Extent::new(e.left + 3.0, e.right - 3.0)
        } else {
            e
        };
        let toward: Vec<f32> = ends.iter().map(|(_, _, t)| *t).collect();
        for ((p, end, _), x) in ends.iter().zip(arcs::spread(inner, &toward)) {
            end_x[*p][*end] = x;
        }
    }

    // One piece per row an arc covers; lanes per row.
    let mut pieces = Vec::new(); // (plan, piece)
    for (p, plan) in plans.iter().enumerate() {
        let [a, b] = plan.ends.map(|o| slots[owners[&o]].row);
        for piece in arcs::split(
            ArcEnd {
                row: a,
                x: end_x[p][0],
            },
            ArcEnd {
                row: b,
                x: end_x[p][1],
            },
            column.left - EDGE,
            column.right + EDGE,
        ) {
            pieces.push((p, piece));
        }
    }
    let mut row_pieces_of: Vec<Vec<usize>> = vec![Vec::new(); rows.len()];
    for (k, (_, piece)) in pieces.iter().enumerate() {
        row_pieces_of[piece.row].push(k);
    }
    let mut lane_of = vec![0usize; pieces.len()];
    let mut center_of = vec![0.0f32; pieces.len()];
    let mut lane_counts = vec![0usize; rows.len()];
    for (row, items) in row_pieces_of.iter().enumerate() {
        if items.is_empty() {
            continue;
        }
        let input: Vec<_> = items
            .iter()
            .map(|&k| (pieces[k].1, plans[pieces[k].0].width))
            .collect();
        let laid = arcs::lay_out_row(&input, GAP);
        for (j, &k) in items.iter().enumerate() {
            lane_of[k] = laid.lanes[j];
            center_of[k] = laid.label_centers[j];
        }
        lane_counts[row] = laid.lane_count;
    }

    // Rows placed top to bottom, each below the band its labels and lanes need.
    let mut underline_depth = vec![0u8; rows.len()];
    for (i, parts) in span_parts.iter().enumerate() {
        for (row, _, _) in parts {
            underline_depth[*row] = underline_depth[*row].max(nesting[i]);
        }
    }
    let min_gap = (font_size * 0.35).round();
    let mut paragraphs = Vec::with_capacity(layout.paragraphs.len());
    let mut y = 0.0f32;
    let mut next_row = 0;
    for p in &layout.paragraphs {
        let Some(g) = &p.galley else {
            paragraphs.push(PlacedParagraph {
                top: y,
                height: 0.0,
                galley: None,
            });
            y += (font_size * 0.5).round();
            continue;
        };
        let top = y;
        let mut galley = (**g).clone();
        for placed in galley.rows.iter_mut() {
            let r = &mut rows[next_row];
            let font_height = placed.glyphs.first().map_or(font_size, |g| g.font_height);
            let leading = (placed.size.y - font_height) / 2.0;
            let lanes = lane_counts[next_row];
            let band = min_gap
                + if lanes > 0 { 7.0 } else { 4.0 }
                + label_levels[next_row] as f32 * (label_h + 2.0)
                + if lanes > 0 {
                    lanes as f32 * lane_h + 4.0
                } else {
                    0.0
                };
            let line_top = (y + (band - leading).max(0.0)).round();
            r.top = y;
            let ink_top = line_top + leading;
            let (x0, x1) = match (placed.glyphs.first(), placed.glyphs.last()) {
                (Some(a), Some(b)) => (r.x + a.pos.x, r.x + b.pos.x + b.advance_width),
                _ => (r.x, r.x),
            };
            r.ink = Rect::from_x_y_ranges(x0..=x1, ink_top..=ink_top + font_height);
            r.bottom = line_top + placed.size.y + 5.0 + 4.0 * underline_depth[next_row] as f32;
            placed.pos.y = line_top - top;
            y = r.bottom;
            next_row += 1;
        }
        galley.rect.max.y = y - top;
        galley.mesh_bounds = galley.mesh_bounds.union(galley.rect);
        paragraphs.push(PlacedParagraph {
            top,
            height: y - top,
            galley: Some(Arc::new(galley)),
        });
    }

    // Now everything has its height.
    let label_rect = |slot: &LabelSlot| -> Rect {
        let bottom = rows[slot.row].ink.top() - 4.0 - slot.level as f32 * (label_h + 2.0);
        Rect::from_x_y_ranges(
            slot.extent.left..=slot.extent.right,
            bottom - label_h..=bottom,
        )
    };
    let to_rects = |parts: &[(usize, f32, f32)]| -> Vec<Rect> {
        parts
            .iter()
            .map(|(row, x0, x1)| Rect::from_x_y_ranges(*x0..=*x1, rows[*row].ink.y_range()))
            .collect()
    };
    let bounds_of = |rects: &[Rect], label: Rect| rects.iter().fold(label, |b, r| b.union(*r));
    let spans: Vec<SpanBox> = doc
        .spans
        .iter()
        .enumerate()
        .filter_map(|(i, span)| {
            let label = label_rect(&slots[*owners.get(&Owner::Span(i))?]);
            let rects = to_rects(&span_parts[i]);
            let joins = join_at
                .iter()
                .filter(|(s, k)| *s == i && *k > 0 && *k < rects.len())
                .map(|&(_, k)| [rects[k - 1].right_center(), rects[k].left_center()])
                .collect();
            Some(SpanBox {
                id: span.id,
                joins,
                bounds: bounds_of(&rects, label).expand(6.0 + 4.0 * nesting[i] as f32),
                rects,
                label,
                text: type_label(&project.schema, &span.entity_type).to_string(),
                color: type_color(&project.schema, &span.entity_type),
                level: nesting[i],
            })
        })
        .collect();
    let ghost_boxes: Vec<GhostBox> = ghost_parts
        .iter()
        .filter_map(|(i, parts)| {
            let g = ghosts.get(*i)?;
            let label = label_rect(&slots[*owners.get(&Owner::Ghost(*i))?]);
            let rects = to_rects(parts);
            Some(GhostBox {
                index: *i,
                bounds: bounds_of(&rects, label).expand(4.0),
                rects,
                label,
                text: format!("{}?", type_label(&project.schema, &g.entity_type)),
                color: type_color(&project.schema, &g.entity_type),
            })
        })
        .collect();
    let labels_top =
        |row: usize| rows[row].ink.top() - 4.0 - label_levels[row] as f32 * (label_h + 2.0);
    let mut arc_boxes = Vec::with_capacity(pieces.len());
    for (k, (p, piece)) in pieces.iter().enumerate() {
        let plan = &plans[*p];
        let lane_y = (labels_top(piece.row) - 4.0 - (lane_of[k] as f32 + 0.5) * lane_h).round();
        // The label top each end comes down to; end 0 is the source, 1 the target. The
        // left leg belongs to the end that comes first in reading order (as in `split`).
        let foot = |end: usize| label_rect(&slots[owners[&plan.ends[end]]]).top();
        let at = |end: usize| (slots[owners[&plan.ends[end]]].row, end_x[*p][end]);
        let first = if at(0) <= at(1) { 0 } else { 1 };
        let left_foot = piece.kind.left_leg().then(|| foot(first));
        let right_foot = piece.kind.right_leg().then(|| foot(1 - first));
        let path = arc_path(piece.extent, lane_y, left_foot, right_foot);
        let reaches_target =
            (piece.kind.left_leg() && first == 1) || (piece.kind.right_leg() && first == 0);
        let arrow = reaches_target.then(|| Pos2::new(end_x[*p][1], foot(1)));
        let label = Rect::from_center_size(
            Pos2::new(center_of[k], lane_y),
            Vec2::new(plan.width, label_h),
        );
        let bounds = path
            .iter()
            .fold(label, |b, p| b.union(Rect::from_min_max(*p, *p)))
            .expand(6.0);
        arc_boxes.push(ArcBox {
            target: plan.target,
            path,
            label,
            text: plan.text.clone(),
            drawing: plan.drawing,
            arrow,
            passing: piece.kind == arcs::PieceKind::Middle,
            bounds,
        });
    }

    Scene {
        key,
        paragraphs,
        rows,
        spans,
        ghosts: ghost_boxes,
        arcs: arc_boxes,
        height: y,
        label_font,
    }
}

/// The line of one arc piece: up from the left label (or in from the left edge), along the
/// lane with rounded corners, down to the right label (or out at the right edge).
fn arc_path(extent: Extent, lane_y: f32, left: Option<f32>, right: Option<f32>) -> Vec<Pos2> {
    let radius = 5.0f32.min(extent.width() / 2.0).max(0.0);
    let mut path = Vec::with_capacity(12);
    let corner = |from: Pos2, via: Pos2, to: Pos2, path: &mut Vec<Pos2>| {
        for i in 0..=4 {
            let t = i as f32 / 4.0;
            let u = 1.0 - t;
            path.push(Pos2::new(
                u * u * from.x + 2.0 * u * t * via.x + t * t * to.x,
                u * u * from.y + 2.0 * u * t * via.y + t * t * to.y,
            ));
        }
    };
    match left {
        Some(foot) => {
            path.push(Pos2::new(extent.left, foot));
            corner(
                Pos2::new(extent.left, lane_y + radius),
                Pos2::new(extent.left, lane_y),
                Pos2::new(extent.left + radius, lane_y),
                &mut path,
            );
        }
        None => path.push(Pos2::new(extent.left, lane_y)),
    }
    match right {
        Some(foot) => {
            corner(
                Pos2::new(extent.right - radius, lane_y),
                Pos2::new(extent.right, lane_y),
                Pos2::new(extent.right, lane_y + radius),
                &mut path,
            );
            path.push(Pos2::new(extent.right, foot));
        }
        None => path.push(Pos2::new(extent.right, lane_y)),
    }
    path
}
