//! Everything the user can ask the app to do, and the one table that gives each command its
//! menu text, tooltip and keyboard shortcut, so menus and shortcuts never disagree.

use crate::model::DocumentId;
use crate::session::Op;
use crate::suggest::{RelationSuggestion, Suggestion};
use crate::text::{Edge, Unit};
use egui::{Key, KeyboardShortcut, Modifiers};
use std::path::PathBuf;

/// A deferred action: panels push these while drawing; the app runs them after drawing.
#[derive(Debug, Clone)]
pub enum AppCommand {
    NewProject,
    OpenProject,
    OpenRecent(PathBuf),
    Save,
    SaveAs,
    ImportDocuments,
    /// Import these paths (dropped on the window, or typed).
    ImportPaths(Vec<PathBuf>),
    Export,
    Quit,
    Undo,
    Redo,
    Find,
    ShowShortcuts,
    ShowAbout,
    ShowSchemaEditor,
    /// Show the curation view (analysts' versions side by side, merge conflicts).
    ShowCuration,
    /// Add a version to curate from: a project file, or a git revision of the open project.
    AddCurationVersion(String),
    /// List the git branches and commits of the open project to pick versions from.
    ListCurationRevisions,
    RemoveCurationVersion(usize),
    ToggleDocuments,
    ToggleInspector,
    ToggleTheme,
    ZoomIn,
    ZoomOut,
    PreviousDocument,
    NextDocument,
    SelectDocument(DocumentId),
    /// Open a document, scroll to a char range and select it (the span there, if one matches).
    JumpTo {
        doc: DocumentId,
        start: usize,
        end: usize,
    },
    /// Move one boundary of the selected span by a word or a character (to the right when
    /// `forward`).
    MoveSpanEdge {
        edge: Edge,
        unit: Unit,
        forward: bool,
    },
    /// An annotation operation: the core plans it into one undoable transaction.
    Op(Op),
}

/// Accept entity suggestions (several at once go through the core's overlap resolver).
pub fn accept(entities: Vec<Suggestion>) -> AppCommand {
    AppCommand::Op(Op::Accept {
        entities,
        relations: Vec::new(),
    })
}

/// Reject entity suggestions (remembered, so re-running the engines does not bring them back).
pub fn reject(entities: Vec<Suggestion>) -> AppCommand {
    AppCommand::Op(Op::Reject {
        entities,
        relations: Vec::new(),
    })
}

/// Accept relation suggestions; their ends become spans first when needed.
pub fn accept_relations(relations: Vec<RelationSuggestion>) -> AppCommand {
    AppCommand::Op(Op::Accept {
        entities: Vec::new(),
        relations,
    })
}

pub fn reject_relations(relations: Vec<RelationSuggestion>) -> AppCommand {
    AppCommand::Op(Op::Reject {
        entities: Vec::new(),
        relations,
    })
}

/// The commands that appear in menus, with their shortcut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MenuCommand {
    New,
    Open,
    Save,
    SaveAs,
    Import,
    Export,
    Quit,
    Undo,
    Redo,
    Find,
    SchemaEditor,
    Curation,
    ToggleDocuments,
    ToggleInspector,
    ToggleTheme,
    ZoomIn,
    ZoomOut,
    Shortcuts,
    About,
    SpanEndRightWord,
    SpanEndLeftWord,
    SpanStartLeftWord,
    SpanStartRightWord,
    SpanEndRightChar,
    SpanEndLeftChar,
    SpanStartLeftChar,
    SpanStartRightChar,
}

pub struct CommandSpec {
    pub command: MenuCommand,
    pub label: &'static str,
    pub tooltip: &'static str,
    pub shortcut: Option<KeyboardShortcut>,
}

const fn ctrl(key: Key) -> Option<KeyboardShortcut> {
    Some(KeyboardShortcut::new(Modifiers::COMMAND, key))
}

const fn ctrl_shift(key: Key) -> Option<KeyboardShortcut> {
    Some(KeyboardShortcut::new(
        Modifiers::COMMAND.plus(Modifiers::SHIFT),
        key,
    ))
}

const fn with(modifiers: Modifiers, key: Key) -> Option<KeyboardShortcut> {
    Some(KeyboardShortcut::new(modifiers, key))
}

const SHIFT: Modifiers = Modifiers::SHIFT;
const CTRL_SHIFT: Modifiers = Modifiers::COMMAND.plus(Modifiers::SHIFT);
const ALT_SHIFT: Modifiers = Modifiers::ALT.plus(Modifiers::SHIFT);
const CTRL_ALT_SHIFT: Modifiers = CTRL_SHIFT.plus(Modifiers::ALT);

/// The command table, in the order menus and the shortcut list show it (keys are matched
/// most modifiers first, see `by_specificity`).
pub const COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        command: MenuCommand::SaveAs,
        label: "Save As…",
        tooltip: "Save the project under a new name",
        shortcut: ctrl_shift(Key::S),
    },
    CommandSpec {
        command: MenuCommand::New,
        label: "New",
        tooltip: "Start an empty project with the default schema",
        shortcut: ctrl(Key::N),
    },
    CommandSpec {
        command: MenuCommand::Open,
        label: "Open…",
        tooltip: "Open a project file (.ron)",
        shortcut: ctrl(Key::O),
    },
    CommandSpec {
        command: MenuCommand::Save,
        label: "Save",
        tooltip: "Save the project (atomically; the previous version stays as .bak)",
        shortcut: ctrl(Key::S),
    },
    CommandSpec {
        command: MenuCommand::Import,
        label: "Import Documents…",
        tooltip: "Add text, Markdown or HTML files or folders to the project",
        shortcut: ctrl(Key::I),
    },
    CommandSpec {
        command: MenuCommand::Export,
        label: "Export…",
        tooltip: "Write the project in another format",
        shortcut: ctrl(Key::E),
    },
    CommandSpec {
        command: MenuCommand::Quit,
        label: "Quit",
        tooltip: "Close Marginalia",
        shortcut: ctrl(Key::Q),
    },
    CommandSpec {
        command: MenuCommand::Undo,
        label: "Undo",
        tooltip: "Undo the last change",
        shortcut: ctrl(Key::Z),
    },
    CommandSpec {
        command: MenuCommand::Redo,
        label: "Redo",
        tooltip: "Redo the last undone change",
        shortcut: ctrl(Key::Y),
    },
    CommandSpec {
        command: MenuCommand::Find,
        label: "Find…",
        tooltip: "Search the whole project",
        shortcut: ctrl(Key::F),
    },
    CommandSpec {
        command: MenuCommand::SchemaEditor,
        label: "Schema Editor",
        tooltip: "Edit entity and relation types",
        shortcut: None,
    },
    CommandSpec {
        command: MenuCommand::Curation,
        label: "Curation",
        tooltip: "Compare analysts' versions side by side and settle merge conflicts",
        shortcut: None,
    },
    CommandSpec {
        command: MenuCommand::ToggleDocuments,
        label: "Documents Panel",
        tooltip: "Show or hide the document list",
        shortcut: None,
    },
    CommandSpec {
        command: MenuCommand::ToggleInspector,
        label: "Inspector Panel",
        tooltip: "Show or hide the inspector",
        shortcut: None,
    },
    CommandSpec {
        command: MenuCommand::ToggleTheme,
        label: "Dark Theme",
        tooltip: "Switch between light and dark theme",
        shortcut: None,
    },
    CommandSpec {
        command: MenuCommand::ZoomIn,
        label: "Larger Text",
        tooltip: "Increase the document font size",
        shortcut: ctrl(Key::Plus),
    },
    CommandSpec {
        command: MenuCommand::ZoomOut,
        label: "Smaller Text",
        tooltip: "Decrease the document font size",
        shortcut: ctrl(Key::Minus),
    },
    CommandSpec {
        command: MenuCommand::Shortcuts,
        label: "Keyboard Shortcuts",
        tooltip: "List every shortcut",
        shortcut: Some(KeyboardShortcut::new(Modifiers::NONE, Key::F1)),
    },
    CommandSpec {
        command: MenuCommand::About,
        label: "About Marginalia",
        tooltip: "Version and licence",
        shortcut: None,
    },
    // Span boundaries: Shift+arrows move the end, Ctrl+Shift+arrows the start, by a word;
    // with Alt too, by a character (as Alt means characters when dragging).
    CommandSpec {
        command: MenuCommand::SpanEndLeftWord,
        label: "Span End One Word Left",
        tooltip: "Shrink the selected span by its last word",
        shortcut: with(SHIFT, Key::ArrowLeft),
    },
    CommandSpec {
        command: MenuCommand::SpanEndRightWord,
        label: "Span End One Word Right",
        tooltip: "Extend the selected span by the word after it",
        shortcut: with(SHIFT, Key::ArrowRight),
    },
    CommandSpec {
        command: MenuCommand::SpanStartLeftWord,
        label: "Span Start One Word Left",
        tooltip: "Extend the selected span by the word before it",
        shortcut: with(CTRL_SHIFT, Key::ArrowLeft),
    },
    CommandSpec {
        command: MenuCommand::SpanStartRightWord,
        label: "Span Start One Word Right",
        tooltip: "Shrink the selected span by its first word",
        shortcut: with(CTRL_SHIFT, Key::ArrowRight),
    },
    CommandSpec {
        command: MenuCommand::SpanEndLeftChar,
        label: "Span End One Character Left",
        tooltip: "Shrink the selected span by its last character",
        shortcut: with(ALT_SHIFT, Key::ArrowLeft),
    },
    CommandSpec {
        command: MenuCommand::SpanEndRightChar,
        label: "Span End One Character Right",
        tooltip: "Extend the selected span by the character after it",
        shortcut: with(ALT_SHIFT, Key::ArrowRight),
    },
    CommandSpec {
        command: MenuCommand::SpanStartLeftChar,
        label: "Span Start One Character Left",
        tooltip: "Extend the selected span by the character before it",
        shortcut: with(CTRL_ALT_SHIFT, Key::ArrowLeft),
    },
    CommandSpec {
        command: MenuCommand::SpanStartRightChar,
        label: "Span Start One Character Right",
        tooltip: "Shrink the selected span by its first character",
        shortcut: with(CTRL_ALT_SHIFT, Key::ArrowRight),
    },
];

pub fn spec(command: MenuCommand) -> &'static CommandSpec {
    COMMANDS
        .iter()
        .find(|c| c.command == command)
        .unwrap_or(&COMMANDS[0])
}

/// The span-boundary commands, in the order the Edit menu lists them.
pub const SPAN_EDGE_COMMANDS: [MenuCommand; 8] = [
    MenuCommand::SpanStartLeftWord,
    MenuCommand::SpanStartRightWord,
    MenuCommand::SpanEndLeftWord,
    MenuCommand::SpanEndRightWord,
    MenuCommand::SpanStartLeftChar,
    MenuCommand::SpanStartRightChar,
    MenuCommand::SpanEndLeftChar,
    MenuCommand::SpanEndRightChar,
];

impl MenuCommand {
    /// The boundary a span command moves: which end, by how much, rightwards or not.
    pub fn span_edge(self) -> Option<(Edge, Unit, bool)> {
        match self.to_app_command() {
            AppCommand::MoveSpanEdge {
                edge,
                unit,
                forward,
            } => Some((edge, unit, forward)),
            _ => None,
        }
    }

    pub fn to_app_command(self) -> AppCommand {
        let move_edge = |edge, unit, forward| AppCommand::MoveSpanEdge {
            edge,
            unit,
            forward,
        };
        match self {
            MenuCommand::New => AppCommand::NewProject,
            MenuCommand::Open => AppCommand::OpenProject,
            MenuCommand::Save => AppCommand::Save,
            MenuCommand::SaveAs => AppCommand::SaveAs,
            MenuCommand::Import => AppCommand::ImportDocuments,
            MenuCommand::Export => AppCommand::Export,
            MenuCommand::Quit => AppCommand::Quit,
            MenuCommand::Undo => AppCommand::Undo,
            MenuCommand::Redo => AppCommand::Redo,
            MenuCommand::Find => AppCommand::Find,
            MenuCommand::SchemaEditor => AppCommand::ShowSchemaEditor,
            MenuCommand::Curation => AppCommand::ShowCuration,
            MenuCommand::ToggleDocuments => AppCommand::ToggleDocuments,
            MenuCommand::ToggleInspector => AppCommand::ToggleInspector,
            MenuCommand::ToggleTheme => AppCommand::ToggleTheme,
            MenuCommand::ZoomIn => AppCommand::ZoomIn,
            MenuCommand::ZoomOut => AppCommand::ZoomOut,
            MenuCommand::Shortcuts => AppCommand::ShowShortcuts,
            MenuCommand::About => AppCommand::ShowAbout,
            MenuCommand::SpanEndRightWord => move_edge(Edge::End, Unit::Word, true),
            MenuCommand::SpanEndLeftWord => move_edge(Edge::End, Unit::Word, false),
            MenuCommand::SpanStartLeftWord => move_edge(Edge::Start, Unit::Word, false),
            MenuCommand::SpanStartRightWord => move_edge(Edge::Start, Unit::Word, true),
            MenuCommand::SpanEndRightChar => move_edge(Edge::End, Unit::Char, true),
            MenuCommand::SpanEndLeftChar => move_edge(Edge::End, Unit::Char, false),
            MenuCommand::SpanStartLeftChar => move_edge(Edge::Start, Unit::Char, false),
            MenuCommand::SpanStartRightChar => move_edge(Edge::Start, Unit::Char, true),
        }
    }
}

/// Commands whose shortcut was pressed this frame (consumed so widgets don't see them).
/// The span-boundary keys belong to the document: while a text field has the keyboard they
/// are left to it (Shift+arrows select text there).
pub fn pressed_shortcuts(ctx: &egui::Context) -> Vec<AppCommand> {
    let document_keys = super::DocumentView::owns_keyboard(ctx);
    ctx.input_mut(|i| {
        by_specificity()
            .into_iter()
            .filter(|(c, _)| document_keys || c.span_edge().is_none())
            .filter(|(_, s)| i.consume_shortcut(s))
            .map(|(c, _)| c.to_app_command())
            .collect()
    })
}

/// The shortcuts, those with more modifiers first: a shortcut matches with extra Shift or
/// Alt held, so Ctrl+S must not be tried before Ctrl+Shift+S.
fn by_specificity() -> Vec<(MenuCommand, KeyboardShortcut)> {
    let mut keys: Vec<(MenuCommand, KeyboardShortcut)> = COMMANDS
        .iter()
        .filter_map(|c| Some((c.command, c.shortcut?)))
        .collect();
    keys.sort_by_key(|(_, s)| {
        let m = s.modifiers;
        std::cmp::Reverse(
            usize::from(m.alt) + usize::from(m.shift) + usize::from(m.command || m.ctrl),
        )
    });
    keys
}

/// A menu entry for a command: label, shortcut text and tooltip from the table.
pub fn menu_item(ui: &mut egui::Ui, command: MenuCommand, commands: &mut Vec<AppCommand>) {
    menu_item_enabled(ui, command, true, commands);
}

pub fn menu_item_enabled(
    ui: &mut egui::Ui,
    command: MenuCommand,
    enabled: bool,
    commands: &mut Vec<AppCommand>,
) {
    let spec = spec(command);
    let mut button = egui::Button::new(spec.label);
    if let Some(s) = spec.shortcut {
        button = button.shortcut_text(ui.ctx().format_shortcut(&s));
    }
    if ui
        .add_enabled(enabled, button)
        .on_hover_text(spec.tooltip)
        .clicked()
    {
        commands.push(command.to_app_command());
        ui.close();
    }
}

/// The menus and their commands, in menu order: the help window lists shortcuts in this order.
pub const MENUS: &[(&str, &[MenuCommand])] = &[
    (
        "File",
        &[
            MenuCommand::New,
            MenuCommand::Open,
            MenuCommand::Save,
            MenuCommand::SaveAs,
            MenuCommand::Import,
            MenuCommand::Export,
            MenuCommand::Quit,
        ],
    ),
    (
        "Edit",
        &[MenuCommand::Undo, MenuCommand::Redo, MenuCommand::Find],
    ),
    // The Edit menu's submenu.
    ("Span Boundaries", &SPAN_EDGE_COMMANDS),
    (
        "View",
        &[
            MenuCommand::ToggleDocuments,
            MenuCommand::ToggleInspector,
            MenuCommand::ToggleTheme,
            MenuCommand::ZoomIn,
            MenuCommand::ZoomOut,
            MenuCommand::SchemaEditor,
            MenuCommand::Curation,
        ],
    ),
    ("Help", &[MenuCommand::Shortcuts, MenuCommand::About]),
];

/// Keys of the document view (handled by the view, not the command table), by topic, listed
/// in the help window after the menus' shortcuts.
pub const VIEW_KEYS: &[(&str, &[(&str, &str)])] = &[
    (
        "Annotating",
        &[
            (
                "Drag over text",
                "Select text (snaps to whole words; hold Alt for exact characters)",
            ),
            (
                "1 – 9",
                "Tag the selected text with the type on that key, or retype the selected span",
            ),
            (
                "Click a span",
                "Select it (its type label is a drag handle for relations)",
            ),
            (
                "R, then click a span",
                "Relate the selected span to the clicked one",
            ),
            (
                "Drag a type label onto a span",
                "Create a relation between the two spans",
            ),
            (
                "Delete / Backspace",
                "Delete the selected span (with its relations) or relation",
            ),
            (
                "Drag an end of the selected span",
                "Move that boundary (snaps to whole words; hold Alt for exact characters)",
            ),
            ("Click an arc or its label", "Select the relation"),
        ],
    ),
    (
        "Suggestions",
        &[
            ("Hover a dashed box", "Focus that suggestion"),
            ("Enter, or click it", "Accept the focused suggestion"),
            ("x or Backspace", "Reject the focused suggestion"),
            (
                "Click / right-click a dashed arc",
                "Accept (with its ends) / reject a suggested relation",
            ),
        ],
    ),
    (
        "Moving around",
        &[
            (
                "Tab / Shift+Tab",
                "Next / previous span or suggestion, in reading order",
            ),
            ("Alt+Right / Alt+Left", "The same as Tab / Shift+Tab"),
            ("Up / Down", "Previous / next document"),
            (
                "Esc",
                "Clear the selection, the focused suggestion, or a relation in progress",
            ),
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    /// A shortcut matches with extra Shift or Alt held, so one tried earlier must never take
    /// a later one's keys (Ctrl+S before Ctrl+Shift+S would make Save As unreachable).
    #[test]
    fn no_shortcut_is_taken_by_an_earlier_one() {
        let keys = by_specificity();
        for (i, (later, l)) in keys.iter().enumerate() {
            for (earlier, e) in &keys[..i] {
                let taken =
                    e.logical_key == l.logical_key && l.modifiers.matches_logically(e.modifiers);
                assert!(!taken, "{earlier:?} takes the keys of {later:?}");
            }
        }
        assert!(keys.len() > 10);
    }

    #[test]
    fn every_span_command_moves_an_edge() {
        for c in SPAN_EDGE_COMMANDS {
            assert!(c.span_edge().is_some(), "{c:?}");
            assert!(spec(c).shortcut.is_some(), "{c:?} has no key");
        }
        assert_eq!(MenuCommand::Save.span_edge(), None);
    }

    #[test]
    fn every_command_is_in_one_menu_once() {
        for c in COMMANDS {
            let n = MENUS
                .iter()
                .flat_map(|(_, items)| items.iter())
                .filter(|m| **m == c.command)
                .count();
            assert_eq!(n, 1, "{} in the menus", c.label);
        }
    }
}
