//! Everything the user can ask the app to do, and the one table that gives each command its
//! menu text, tooltip and keyboard shortcut, so menus and shortcuts never disagree.

use crate::model::DocumentId;
use crate::session::Op;
use crate::suggest::{RelationSuggestion, Suggestion};
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

/// The command table. Shortcuts with more modifiers come first so Ctrl+Shift+S is not
/// taken as Ctrl+S.
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
];

pub fn spec(command: MenuCommand) -> &'static CommandSpec {
    COMMANDS
        .iter()
        .find(|c| c.command == command)
        .unwrap_or(&COMMANDS[0])
}

impl MenuCommand {
    pub fn to_app_command(self) -> AppCommand {
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
        }
    }
}

/// Commands whose shortcut was pressed this frame (consumed so widgets don't see them).
pub fn pressed_shortcuts(ctx: &egui::Context) -> Vec<AppCommand> {
    ctx.input_mut(|i| {
        COMMANDS
            .iter()
            .filter_map(|c| {
                let s = c.shortcut?;
                i.consume_shortcut(&s).then(|| c.command.to_app_command())
            })
            .collect()
    })
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

/// Keys of the annotation view, listed in the help window (they are handled by the view).
pub const VIEW_KEYS: &[(&str, &str)] = &[
    (
        "1 – 9",
        "Tag the selected text with the type on that key, or retype the selected span",
    ),
    (
        "Drag over text",
        "Select text (snaps to whole words; hold Alt for exact characters)",
    ),
    (
        "Click a span",
        "Select it (its type label is a drag handle for relations)",
    ),
    (
        "R",
        "Start a relation from the selected span; then click the target span",
    ),
    (
        "Drag a type label onto a span",
        "Create a relation between the two spans",
    ),
    (
        "Delete",
        "Delete the selected span (with its relations) or relation",
    ),
    ("Esc", "Clear the selection or cancel the relation"),
    ("Up / Down", "Previous / next document"),
];
