//! Who is editing: the author's name (stamped on what they make) and their id block (where
//! their new ids come from, so that copies of a project edited by different people never
//! hand out the same id). Resolved once, where a project is opened for editing (the window,
//! a CLI command), and handed to the core as a value: planning never reads settings, the
//! environment or the clock.

use crate::edit::Transaction;
use crate::model::{FIRST_BLOCK, IdBlockChoice, LAST_BLOCK, Made, Project, block_number};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub name: String,
    /// The author's id block (see `model::ids`).
    pub id_block: u32,
}

/// The user's settings file (`author.ron` in Marginalia's configuration folder), read by
/// the window and the command line alike. Both fields are optional:
/// `(name: "Ani Hakobyan", id_block: 2733920211)`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UserSettings {
    pub name: Option<String>,
    pub id_block: Option<u32>,
}

impl UserSettings {
    /// The settings in `path`; `None` when there is no such file. A file that does not
    /// parse is reported (a warning) and ignored, so a typo never stops anybody's work.
    pub fn read(path: &Path) -> Option<UserSettings> {
        let text = std::fs::read_to_string(path).ok()?;
        let options = ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
        match options.from_str::<UserSettings>(&text) {
            Ok(settings) => Some(settings),
            Err(e) => {
                crate::diag::warn(format!(
                    "{}:{}:{}: {}; the author settings are ignored",
                    path.display(),
                    e.span.start.line,
                    e.span.start.col,
                    e.code
                ));
                None
            }
        }
    }
}

impl Author {
    /// An author with a block derived from the name alone (tests, tools).
    pub fn named(name: &str) -> Author {
        Author {
            name: name.to_string(),
            id_block: block_number(seed(&[name])),
        }
    }

    /// The author for a project at `project` (or a project not saved yet): the settings
    /// file's name, else `git config user.name` when the project is in a git work tree, else
    /// the OS user name; the settings file's id block, else one derived from the name, the
    /// OS user and the machine, so two people (or one person on two machines) get different
    /// blocks without asking anyone.
    pub fn resolve(project: Option<&Path>) -> Author {
        let settings = settings_path()
            .and_then(|path| UserSettings::read(&path))
            .unwrap_or_default();
        let user = os_user();
        let name = settings
            .name
            .filter(|n| !n.trim().is_empty())
            .or_else(|| project.and_then(git_user_name))
            .unwrap_or_else(|| user.clone());
        let host = host_name();
        let id_block = settings
            .id_block
            .map(|b| {
                if (FIRST_BLOCK..=LAST_BLOCK).contains(&b) {
                    b
                } else {
                    block_number(u64::from(b))
                }
            })
            .unwrap_or_else(|| block_number(seed(&[&name, &user, &host])));
        Author { name, id_block }
    }

    /// Makes `project` hand out new ids from this author's block.
    pub fn bind(&self, project: &mut Project) {
        project.id_block = IdBlockChoice(Some(self.id_block));
    }

    pub fn made(&self, at: SystemTime) -> Made {
        Made::new(&self.name, at)
    }

    /// Stamps what `tx` makes with this author and `at` (objects already stamped keep theirs).
    pub fn stamp(&self, tx: &mut Transaction, at: SystemTime) {
        tx.stamp(&self.made(at));
    }
}

/// A 64-bit seed for a block number, from strings.
fn seed(parts: &[&str]) -> u64 {
    let mut hash = Sha256::new();
    for p in parts {
        hash.update(p.as_bytes());
        hash.update([0]);
    }
    let digest = hash.finalize();
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    u64::from_le_bytes(bytes)
}

/// `author.ron` in `$MARGINALIA_CONFIG`, else `$XDG_CONFIG_HOME/marginalia`, else
/// `~/.config/marginalia` (`%APPDATA%\marginalia` on Windows).
pub fn settings_path() -> Option<PathBuf> {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let dir = env("MARGINALIA_CONFIG")
        .or_else(|| env("XDG_CONFIG_HOME").map(|d| d.join("marginalia")))
        .or_else(|| env("APPDATA").map(|d| d.join("marginalia")))
        .or_else(|| env("HOME").map(|d| d.join(".config").join("marginalia")))?;
    Some(dir.join("author.ron"))
}

/// `git config user.name` in the folder of `project`, when that folder is in a git work tree.
fn git_user_name(project: &Path) -> Option<String> {
    let dir = match project.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let git = |args: &[&str]| {
        Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .and_then(|o| String::from_utf8(o.stdout).ok())
            .map(|s| s.trim().to_string())
    };
    if git(&["rev-parse", "--is-inside-work-tree"]).as_deref() != Some("true") {
        return None;
    }
    git(&["config", "user.name"]).filter(|n| !n.is_empty())
}

fn os_user() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.is_empty()))
        .unwrap_or_else(|| "analyst".to_string())
}

fn host_name() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .or_else(|| std::env::var("COMPUTERNAME").ok())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::Edit;
    use crate::model::{Span, SpanId};
    use std::time::{Duration, UNIX_EPOCH};

    #[test]
    fn stamping_fills_only_what_has_no_author_yet() {
        let alice = Author::named("alice");
        let at = UNIX_EPOCH + Duration::from_secs(1_709_285_400);
        let mut old = Span::new(SpanId(2), 0, 3, "PER");
        old.made = Some(Made::new("bob", UNIX_EPOCH));
        let mut tx = Transaction::new("t");
        tx.push(Edit::AddSpan {
            doc: crate::model::DocumentId(1),
            span: Span::new(SpanId(1), 0, 3, "ORG"),
        });
        tx.push(Edit::AddSpan {
            doc: crate::model::DocumentId(1),
            span: old,
        });
        alice.stamp(&mut tx, at);
        let made: Vec<_> = tx
            .edits
            .iter()
            .map(|e| match e {
                Edit::AddSpan { span, .. } => span.made.clone().unwrap(),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(made[0].by, "alice");
        assert_eq!(made[0].at, "2024-03-01T09:30:00Z");
        assert_eq!(made[0].date(), "2024-03-01");
        assert_eq!(made[1].by, "bob");
        assert_eq!(made[1].at, "1970-01-01T00:00:00Z");
    }

    #[test]
    fn settings_are_read_without_some_and_a_bad_file_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("author.ron");
        std::fs::write(&path, "(name: \"Ani\", id_block: 3000000000)").unwrap();
        let s = UserSettings::read(&path).unwrap();
        assert_eq!(s.name.as_deref(), Some("Ani"));
        assert_eq!(s.id_block, Some(3_000_000_000));
        std::fs::write(&path, "(nme: \"Ani\")").unwrap();
        assert_eq!(UserSettings::read(&path), None);
        assert_eq!(UserSettings::read(&dir.path().join("none.ron")), None);
    }

    #[test]
    fn different_names_get_different_blocks_and_the_same_name_the_same() {
        assert_eq!(Author::named("alice"), Author::named("alice"));
        assert_ne!(
            Author::named("alice").id_block,
            Author::named("bob").id_block
        );
    }
}
