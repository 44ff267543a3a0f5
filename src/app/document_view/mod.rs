//! The centre panel: the article as readable wrapped text with spans highlighted in their
//! type's colour, type labels above them, relation arcs between them (like brat), and the
//! mouse and keyboard interaction that tags text.
//!
//! Only visible paragraphs are painted; paragraph layouts are cached per document, width and
//! font size (the text never changes), and span nesting levels per project revision.

mod input;
mod layout;
mod paint;
mod popup;

pub use layout::snap_to_tokens;
use layout::{build_layout, nesting_levels};
use paint::{relation_label, short};

use super::commands::{self, AppCommand};
use super::theme::type_color;
use super::widgets::tag_menu_ui;
use crate::model::{Document, DocumentId, Project, RelationId, SpanId};
use crate::session::Op;
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
    /// True when, as the frame began, another widget (a text field, a button reached with
    /// Tab) had the keyboard: the document's keys then do nothing, so Enter in the Find box
    /// never accepts a suggestion. Set by the app every frame.
    pub keys_blocked: bool,
    /// Which project the scroll positions belong to (documents of two projects share ids):
    /// each document of each project keeps its own scroll position.
    pub scroll_scope: u64,
    /// Where the text column was drawn last frame (the visible part).
    pub text_column: Option<Rect>,
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
        self.focused_ghost = None;
    }

    /// The id of the text canvas: it takes the keyboard focus when clicked.
    pub fn canvas_id() -> egui::Id {
        egui::Id::unique("document_canvas")
    }

    /// True when the keyboard belongs to the document: the canvas has focus, or nothing has.
    pub fn owns_keyboard(ctx: &egui::Context) -> bool {
        ctx.memory(|m| m.focused())
            .is_none_or(|f| f == DocumentView::canvas_id())
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
            .id_salt(("document", self.scroll_scope, doc.id.0))
            .auto_shrink([false, false]);
        if let Some(y) = scroll_target {
            area = area.vertical_scroll_offset((y - 80.0).max(0.0));
        }
        area.show_viewport(ui, |ui, viewport| {
            let (rect, _) = ui.allocate_exact_size(
                Vec2::new(ui.available_width(), total_height),
                Sense::hover(),
            );
            let response = ui.interact(rect, DocumentView::canvas_id(), Sense::click_and_drag());
            if response.clicked() || response.drag_started() {
                response.request_focus();
            }
            if response.has_focus() {
                // Tab and the arrows step through the text instead of moving the focus.
                ui.memory_mut(|m| {
                    m.set_focus_lock_filter(
                        DocumentView::canvas_id(),
                        egui::EventFilter {
                            tab: true,
                            horizontal_arrows: true,
                            vertical_arrows: true,
                            escape: true,
                        },
                    )
                });
            }
            let left = rect.left() + ((rect.width() - width) / 2.0).max(20.0);
            let origin = Pos2::new(left, rect.top() + font_size * 1.5);
            let visible = viewport.translate(rect.min.to_vec2());
            self.text_column = Some(Rect::from_x_y_ranges(
                left..=left + width,
                visible.top()..=visible.bottom(),
            ));
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
