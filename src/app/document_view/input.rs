//! Turning the pointer and keys into selections and core operations.

use super::*;

impl DocumentView {
    /// The innermost clickable thing under the pointer: the selected span's end handles,
    /// then type labels, then arcs (their line within a few points, or their label), then the
    /// smallest span.
    pub(super) fn target_at(&self, pos: Pos2, doc: &Document) -> Option<Target> {
        let hits: Vec<Target> = self
            .targets
            .iter()
            .filter(|(r, _)| r.contains(pos))
            .map(|(_, t)| *t)
            .collect();
        for wanted in [
            |t: &Target| matches!(t, Target::Handle(_)),
            |t: &Target| matches!(t, Target::SpanLabel(_)),
        ] {
            if let Some(t) = hits.iter().find(|t| wanted(t)) {
                return Some(*t);
            }
        }
        if let Some(t) = self.arc_at(pos) {
            return Some(t);
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

    /// The arc whose line or label is nearest `pos`, within `ARC_HIT` points.
    pub(super) fn arc_at(&self, pos: Pos2) -> Option<Target> {
        let scene = self.scene.as_ref()?;
        let p = pos - self.last_origin.to_vec2();
        self.visible_arcs
            .iter()
            .filter_map(|&i| scene.arcs.get(i))
            .filter(|a| a.bounds.contains(p))
            .map(|a| (a.target, a.distance(p)))
            .filter(|(_, d)| *d <= paint::ARC_HIT)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(t, _)| t)
    }

    pub(super) fn interact(
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
                Some(Target::Handle(edge)) => match self.selection {
                    Selection::Span(span) => Some(Drag::Edge {
                        span,
                        edge,
                        to: None,
                    }),
                    _ => None,
                },
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
        if response.dragged()
            && let (Some(Drag::Edge { span, edge, .. }), Some(pos)) =
                (self.drag, response.interact_pointer_pos())
        {
            let to = self.char_at(origin, pos).and_then(|c| {
                let s = doc.span(span)?;
                let (start, end) = match edge {
                    Edge::Start => (c.min(s.end.saturating_sub(1)), s.end),
                    Edge::End => (s.start, c.max(s.start + 1)),
                };
                // Whole words unless Alt is held, as when selecting text.
                let (start, end) = if alt {
                    (start, end)
                } else {
                    let tokens = self.tokens();
                    match edge {
                        Edge::Start => (snap_to_tokens(tokens, start, end).0, end),
                        Edge::End => (start, snap_to_tokens(tokens, start, end).1),
                    }
                };
                (start < end).then_some((start, end))
            });
            self.drag = Some(Drag::Edge { span, edge, to });
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
                (Some(Drag::Edge { span, to, .. }), _) => {
                    if let (Some((start, end)), Some(s)) = (to, doc.span(span))
                        && (start, end) != (s.start, s.end)
                    {
                        commands.push(AppCommand::Op(Op::ResizeSpan {
                            doc: doc.id,
                            span,
                            start,
                            end,
                        }));
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
                Some(Target::Handle(_)) => {}
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
                        commands.push(commands::accept(vec![g.clone()]));
                    }
                }
                Some(Target::GhostRelation(index)) => {
                    if let Some(r) = self.ghost_relations.get(index) {
                        commands.push(commands::accept_relations(vec![r.clone()]));
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
            commands.push(commands::reject_relations(vec![r.clone()]));
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
        match response
            .hover_pos()
            .and_then(|pos| self.target_at(pos, doc))
        {
            Some(Target::Relation(id)) if self.drag.is_none() => {
                if let Some(r) = doc.relation(id) {
                    let end = |s| doc.span(s).map_or("?", |s| doc.span_text(s));
                    let text = format!(
                        "“{}” {} “{}”\nClick selects it; Delete removes it",
                        short(end(r.source)),
                        relation_label(project, &r.relation_type),
                        short(end(r.target))
                    );
                    response.clone().on_hover_text_at_pointer(text);
                }
            }
            Some(Target::Handle(_)) if self.drag.is_none() => {
                response.clone().on_hover_text_at_pointer(
                    "Drag to move this end of the span (whole words; hold Alt for characters)",
                );
            }
            _ => {}
        }
        // Hovering a suggestion focuses it (so Enter and x act on the one under the pointer)
        // and shows why it was made.
        if let Some(pos) = response.hover_pos()
            && let Some(Target::Ghost(index)) = self.target_at(pos, doc)
            && let Some(g) = self.ghosts.get(index)
        {
            self.focused_ghost = Some(index);
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

    pub(super) fn handle_keys(
        &mut self,
        ui: &Ui,
        project: &Project,
        doc: &Document,
        commands: &mut Vec<AppCommand>,
    ) {
        if self.keys_blocked || !DocumentView::owns_keyboard(ui.ctx()) {
            return;
        }
        self.step_keys(ui, doc);
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
                    commands.push(AppCommand::Op(Op::Tag {
                        doc: doc.id,
                        start,
                        end,
                        entity_type: ty.id.clone(),
                    }));
                    self.popup = None;
                }
                Selection::Span(span) => commands.push(AppCommand::Op(Op::Retype {
                    doc: doc.id,
                    span,
                    entity_type: ty.id.clone(),
                })),
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
            let rejects = reject
                || (delete && matches!(self.selection, Selection::None | Selection::Range { .. }));
            if enter {
                commands.push(commands::accept(vec![g.clone()]));
            } else if rejects {
                commands.push(commands::reject(vec![g]));
            }
            if enter || rejects {
                // A stale selection must not be tagged by the next digit.
                if let Selection::Range { .. } = self.selection {
                    self.selection = Selection::None;
                }
            }
        }
        if delete {
            match self.selection {
                Selection::Span(span) => {
                    commands.push(AppCommand::Op(Op::DeleteSpan { doc: doc.id, span }));
                    self.selection = Selection::None;
                }
                Selection::Relation(relation) => {
                    commands.push(AppCommand::Op(Op::DeleteRelation {
                        doc: doc.id,
                        relation,
                    }));
                    self.selection = Selection::None;
                }
                _ => {}
            }
        }
        if escape {
            // Esc always clears everything in progress.
            self.popup = None;
            self.selection = Selection::None;
            self.relation_source = None;
            self.focused_ghost = None;
            self.drag = None;
        }
        if relate && let Selection::Span(span) = self.selection {
            self.relation_source = Some(span);
        }
    }

    /// Tab / Shift+Tab (or Alt+Right / Alt+Left) move to the next / previous span or
    /// suggestion in reading order: a span is selected, a suggestion focused.
    fn step_keys(&mut self, ui: &Ui, doc: &Document) {
        let (forward, backward) = ui.input_mut(|i| {
            let back = i.consume_key(egui::Modifiers::SHIFT, Key::Tab)
                || i.consume_key(egui::Modifiers::ALT, Key::ArrowLeft);
            let fwd = i.consume_key(egui::Modifiers::NONE, Key::Tab)
                || i.consume_key(egui::Modifiers::ALT, Key::ArrowRight);
            (fwd, back)
        });
        if !forward && !backward {
            return;
        }
        // Every stop in reading order: (start, end, what); suggestions hidden under a span
        // are skipped.
        let shown: Vec<usize> = self
            .scene
            .as_ref()
            .map_or(Vec::new(), |s| s.ghosts.iter().map(|g| g.index).collect());
        let mut stops: Vec<(usize, usize, Stop)> = doc
            .spans
            .iter()
            .map(|s| (s.start, s.end, Stop::Span(s.id)))
            .chain(shown.iter().filter_map(|&i| {
                let g = self.ghosts.get(i)?;
                Some((g.start, g.end, Stop::Ghost(i)))
            }))
            .collect();
        stops.sort_by_key(|(start, end, _)| (*start, *end));
        let here = match (self.selection, self.focused_ghost) {
            (Selection::Span(id), _) => stops.iter().position(|(_, _, s)| *s == Stop::Span(id)),
            (_, Some(i)) => stops.iter().position(|(_, _, s)| *s == Stop::Ghost(i)),
            _ => None,
        };
        let next = match (here, forward) {
            (None, true) => Some(0),
            (None, false) => stops.len().checked_sub(1),
            (Some(i), true) => (i + 1 < stops.len()).then_some(i + 1),
            (Some(i), false) => i.checked_sub(1),
        };
        let Some((start, _, stop)) = next.and_then(|i| stops.get(i)).copied() else {
            return;
        };
        match stop {
            Stop::Span(id) => {
                self.selection = Selection::Span(id);
                self.focused_ghost = None;
            }
            Stop::Ghost(i) => {
                self.selection = Selection::None;
                self.focused_ghost = Some(i);
            }
        }
        self.scroll_to = Some(start);
    }
}

/// A place Tab can stop at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stop {
    Span(SpanId),
    Ghost(usize),
}
