//! Laying the text out: paragraphs as wrapped galleys (cached per document, width and font
//! size), span nesting levels, and the geometry of char ranges on screen.

use super::*;

pub(super) fn build_layout(
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
pub(super) fn nesting_levels(doc: &Document) -> Vec<u8> {
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
    pub(super) fn level(&self, index: usize) -> u8 {
        self.levels
            .as_ref()
            .and_then(|l| l.levels.get(index).copied())
            .unwrap_or(0)
    }

    /// Paragraphs intersecting the char range.
    pub(super) fn paragraphs_for(&self, chars: Range<usize>) -> &[Paragraph] {
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
    pub(super) fn range_geometry(&self, origin: Pos2, chars: Range<usize>) -> SpanGeometry {
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

    pub(super) fn char_at(&self, origin: Pos2, pos: Pos2) -> Option<usize> {
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
}
