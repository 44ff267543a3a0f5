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
    let mut char_pos = 0;
    ctx.fonts_mut(|fonts| {
        for line in doc.text.split('\n') {
            let len = line.chars().count();
            let chars = char_pos..char_pos + len;
            char_pos += len + 1;
            if line.trim().is_empty() {
                paragraphs.push(Paragraph {
                    chars,
                    galley: None,
                    row_starts: Vec::new(),
                });
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
            paragraphs.push(Paragraph {
                chars,
                galley: Some(galley),
                row_starts,
            });
        }
    });
    Layout {
        doc: doc.id,
        width,
        font_size,
        dark,
        paragraphs,
        tokens: tokenize(&doc.text),
    }
}

/// Nesting levels: a span nested in (or overlapping) an earlier one gets the next free level
/// (its underline goes lower).
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
    /// Screen rectangles (one per row) of a char range.
    pub(super) fn range_rects(&self, origin: Pos2, chars: Range<usize>) -> Vec<Rect> {
        match (&self.layout, &self.scene) {
            (Some(layout), Some(scene)) => scene
                .range_rects(layout, chars)
                .into_iter()
                .map(|r| r.translate(origin.to_vec2()))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The char boundary nearest a screen position: the row is the one whose band (the
    /// labels and arcs above it included) holds the position.
    pub(super) fn char_at(&self, origin: Pos2, pos: Pos2) -> Option<usize> {
        let (layout, scene) = (self.layout.as_ref()?, self.scene.as_ref()?);
        let y = pos.y - origin.y;
        let index = scene
            .rows
            .partition_point(|r| r.bottom < y)
            .min(scene.rows.len().checked_sub(1)?);
        let row = &scene.rows[index];
        let placed = scene.galley_row(layout, row)?;
        let column = placed.char_at(pos.x - origin.x - row.x);
        Some(row.chars.start + column.0.min(row.chars.len()))
    }
}
