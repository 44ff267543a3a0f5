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
mod scene;

pub use layout::snap_to_tokens;
use layout::{build_layout, nesting_levels};
use paint::{relation_label, short};
pub use scene::DrawnArc;
use scene::{Scene, SceneKey, build_scene};

use super::commands::{self, AppCommand};
use super::theme::type_color;
use super::widgets::tag_menu_ui;
use crate::model::{Document, DocumentId, Project, RelationId, SpanId};
use crate::session::Op;
use crate::suggest::{RelationSuggestion, SpanRef, Suggestion};
use crate::text::{Edge, Token, Unit, tokenize};
use egui::epaint::Galley;
use egui::text::{LayoutJob, TextFormat};
use egui::{Color32, CornerRadius, FontId, Key, Pos2, Rect, Sense, Stroke, StrokeKind, Ui, Vec2};
use std::ops::Range;
use std::sync::Arc;

/// The widest the text column gets, for comfortable reading.
const MAX_TEXT_WIDTH: f32 = 780.0;
/// Height of a line of text as a multiple of the font size; the band above each line for
/// labels and arcs grows with what that line carries.
const LINE_HEIGHT_FACTOR: f32 = 1.4;
const LABEL_FONT_FACTOR: f32 = 0.62;

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
    Text {
        anchor: usize,
    },
    Relation {
        source: SpanId,
        from: Pos2,
    },
    /// Moving one end of a span; `to` is the range it would have now.
    Edge {
        span: SpanId,
        edge: Edge,
        to: Option<(usize, usize)>,
    },
}

struct Paragraph {
    chars: Range<usize>,
    /// None for an empty line (drawn as paragraph spacing).
    galley: Option<Arc<Galley>>,
    /// Char offset (within the paragraph) where each row starts.
    row_starts: Vec<usize>,
}

/// The text laid out in wrapped rows at their natural spacing (cached per document, width,
/// font size and theme: the text never changes). The scene places the rows apart.
struct Layout {
    doc: DocumentId,
    width: f32,
    font_size: f32,
    dark: bool,
    paragraphs: Vec<Paragraph>,
    tokens: Vec<Token>,
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
    /// A drag handle at one end of the selected span.
    Handle(Edge),
}

#[derive(Default)]
pub struct DocumentView {
    pub selection: Selection,
    /// Set after R: the next span clicked becomes the relation's target.
    pub relation_source: Option<SpanId>,
    popup: Option<Popup>,
    drag: Option<Drag>,
    layout: Option<Layout>,
    /// Where every row, label and arc goes (per revision and suggestions shown).
    scene: Option<Scene>,
    /// Scroll so this char offset is visible on the next frame.
    pub scroll_to: Option<usize>,
    targets: Vec<(Rect, Target)>,
    /// Arcs drawn last frame (indexes into the scene's arcs), hit by distance to their line.
    visible_arcs: Vec<usize>,
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

    /// The operation that moves one boundary of the selected span a word or a char (the
    /// keyboard's span resizing), or why it cannot.
    pub fn move_edge_op(
        &self,
        doc: &Document,
        edge: Edge,
        unit: Unit,
        forward: bool,
    ) -> Result<Op, &'static str> {
        let Selection::Span(id) = self.selection else {
            return Err("Select a span first");
        };
        let span = doc.span(id).ok_or("Select a span first")?;
        let tokens = match &self.layout {
            Some(l) if l.doc == doc.id => std::borrow::Cow::Borrowed(&l.tokens[..]),
            _ => std::borrow::Cow::Owned(tokenize(&doc.text)),
        };
        let (start, end) = crate::text::move_edge(
            &tokens,
            doc.char_len(),
            (span.start, span.end),
            edge,
            unit,
            forward,
        )
        .ok_or(match (edge, forward) {
            (Edge::End, true) | (Edge::Start, false) => {
                "The span already reaches the end of the text"
            }
            _ => "A span keeps at least one character",
        })?;
        Ok(Op::ResizeSpan {
            doc: doc.id,
            span: id,
            start,
            end,
        })
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
        self.ensure_scene(ui.ctx(), project, doc);
        self.handle_keys(ui, project, doc, commands);

        let Some(scene) = self.scene.as_ref() else {
            return;
        };
        let total_height = scene.height + font_size * 4.0;
        let scroll_target = self
            .scroll_to
            .take()
            .and_then(|c| scene.row_of(c).map(|r| scene.rows[r].top));
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
            let origin = Pos2::new(left, rect.top() + font_size * 0.5);
            let visible = viewport.translate(rect.min.to_vec2());
            self.text_column = Some(Rect::from_x_y_ranges(
                left..=left + width,
                visible.top()..=visible.bottom(),
            ));
            self.last_origin = origin;
            self.paint(ui, origin, visible);
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
            self.scene = None;
        }
    }

    /// Rebuilds the scene when the project, the layout or the suggestions shown changed.
    fn ensure_scene(&mut self, ctx: &egui::Context, project: &Project, doc: &Document) {
        let Some(layout) = &self.layout else {
            return;
        };
        let key = SceneKey::new(
            doc.id,
            project.revision,
            &self.ghosts,
            &self.ghost_relations,
        );
        if self.scene.as_ref().is_some_and(|s| s.key == key) {
            return;
        }
        self.scene = Some(build_scene(
            ctx,
            layout,
            project,
            doc,
            &self.ghosts,
            &self.ghost_relations,
            key,
        ));
    }
}

/// What the view drew last frame, in screen coordinates (for tests, and for the app to
/// place things next to the text).
impl DocumentView {
    /// The middle of a relation suggestion's arc as drawn last frame.
    pub fn ghost_relation_point(&self, index: usize) -> Option<Pos2> {
        self.drawn_arcs()
            .into_iter()
            .find(|a| a.ghost == Some(index))
            .map(|a| a.label.center())
    }

    /// Where a char of the current document was drawn last frame.
    pub fn char_rect(&self, c: usize) -> Option<Rect> {
        self.range_rects(self.last_origin, c..c + 1)
            .first()
            .copied()
    }

    /// Every relation arc piece (and relation suggestion) of the document: its line, its
    /// label, laid out as they are drawn (screen coordinates of the last frame).
    pub fn drawn_arcs(&self) -> Vec<DrawnArc> {
        let Some(scene) = &self.scene else {
            return Vec::new();
        };
        let offset = self.last_origin.to_vec2();
        scene.arcs.iter().map(|a| a.drawn(offset)).collect()
    }

    /// The text of each span's type label as drawn last frame.
    pub fn span_label_texts(&self) -> Vec<(SpanId, String)> {
        self.scene.as_ref().map_or(Vec::new(), |s| {
            s.spans.iter().map(|b| (b.id, b.text.clone())).collect()
        })
    }

    /// The rectangle of each span's type label (screen coordinates of the last frame).
    pub fn span_label_rects(&self) -> Vec<(SpanId, Rect)> {
        let offset = self.last_origin.to_vec2();
        self.scene.as_ref().map_or(Vec::new(), |s| {
            s.spans
                .iter()
                .map(|b| (b.id, b.label.translate(offset)))
                .collect()
        })
    }

    /// The rectangles of a span's text, one per row (screen coordinates of the last frame).
    pub fn span_rects(&self, id: SpanId) -> Vec<Rect> {
        let offset = self.last_origin.to_vec2();
        self.scene.as_ref().map_or(Vec::new(), |s| {
            s.spans
                .iter()
                .filter(|b| b.id == id)
                .flat_map(|b| b.rects.iter().map(move |r| r.translate(offset)))
                .collect()
        })
    }

    /// The text of every row (its glyphs' extent; screen coordinates of the last frame).
    pub fn text_rects(&self) -> Vec<Rect> {
        let offset = self.last_origin.to_vec2();
        self.scene.as_ref().map_or(Vec::new(), |s| {
            s.rows.iter().map(|r| r.ink.translate(offset)).collect()
        })
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

    fn suggestion(doc: DocumentId, start: usize, end: usize, ty: &str) -> Suggestion {
        Suggestion {
            document: doc,
            start,
            end,
            entity_type: ty.into(),
            score: 0.9,
            engine: "test".into(),
            explanation: String::new(),
        }
    }

    /// A suggestion under an accepted span (stale, or contradicting it) is not drawn over it.
    #[test]
    fn suggestions_over_spans_are_not_drawn() {
        let mut project = Project::new("t");
        let id = project.new_document_id();
        let mut doc = Document::new(id, "t", "", "Armenia and Azerbaijan met in Baku.".into());
        let span = project.new_span_id();
        doc.spans.push(crate::model::Span::new(span, 0, 7, "GPE"));
        project.documents.push(doc.into());
        let mut view = DocumentView {
            ghosts: vec![
                suggestion(id, 0, 7, "ORG"),   // the span's own text, another type
                suggestion(id, 0, 11, "ORG"),  // overlaps it
                suggestion(id, 29, 33, "GPE"), // Baku: free text
            ],
            ..Default::default()
        };
        let ctx = egui::Context::default();
        let input = egui::RawInput {
            screen_rect: Some(Rect::from_min_size(Pos2::ZERO, Vec2::new(900.0, 600.0))),
            ..Default::default()
        };
        let _output = ctx.run_ui(input, |ui| {
            egui::CentralPanel::default().show(ui, |ui| {
                view.ui(ui, &project, &project.documents[0], 17.0, &mut Vec::new());
            });
        });
        let shown: Vec<usize> = view
            .scene
            .as_ref()
            .map_or(Vec::new(), |s| s.ghosts.iter().map(|g| g.index).collect());
        assert_eq!(shown, vec![2]);
        assert_eq!(view.span_label_rects().len(), 1);
    }
}
