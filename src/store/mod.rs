//! The `.ron` project file: load (with clear errors and format migrations) and atomic save.

mod atomic;
mod lock;
mod parallel;
mod read;
mod recovery;

pub use atomic::write_atomically;
pub use lock::{ProjectLock, lock_path};
pub use read::{MAX_PROJECT_BYTES, ReadError, read_regular_file};
pub use recovery::{FileStamp, newer_recovery, recovery_path, remove_recovery, write_recovery};

use crate::model::{
    FORMAT_VERSION, ModelError, Project, RelationDecision, SpanRef, SuggestionDecision,
};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    Parse {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    #[error(
        "{path}: the file is not UTF-8 text (invalid byte at offset {offset}); is it really a Marginalia project?"
    )]
    NotText { path: PathBuf, offset: usize },
    #[error(
        "{path}: written by a newer Marginalia (format_version {found}; this build reads up to {supported}); update Marginalia to open it"
    )]
    NewerVersion {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("{path}: the file is empty, so it holds no project (`marginalia new` makes one)")]
    Empty { path: PathBuf },
    #[error("{path}: format_version {found} is not a Marginalia project version")]
    UnknownVersion { path: PathBuf, found: u32 },
    #[error("{path}: {source}")]
    Invalid { path: PathBuf, source: ModelError },
    #[error("{path}: {source}")]
    Read { path: PathBuf, source: ReadError },
    #[error("{} is open in another Marginalia{}", path.display(), holder(*pid, host.as_deref()))]
    Locked {
        path: PathBuf,
        pid: Option<u32>,
        host: Option<String>,
    },
    #[error("{path}: cannot lock the project (lock file {lock}): {source}")]
    Lock {
        path: PathBuf,
        lock: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} changed since it was read; nothing saved")]
    Changed { path: PathBuf },
    #[error("{path} already exists; nothing saved")]
    AlreadyExists { path: PathBuf },
    #[error(
        "{path}: next_id {next_id} leaves no room for new ids (a project needs next_id below {limit}); the file is damaged or hand-made"
    )]
    IdsExhausted {
        path: PathBuf,
        next_id: u64,
        limit: u64,
    },
    #[error(
        "{path}: document {doc} ({title:?}): content_hash {stored} does not match its text (SHA-256 {actual}); the text was changed after import or the file is damaged"
    )]
    ContentHash {
        path: PathBuf,
        doc: crate::model::DocumentId,
        title: String,
        stored: String,
        actual: String,
    },
}

/// Room a loaded project must leave for new ids: `next_id` at most `u64::MAX - ID_HEADROOM`,
/// so that edits can go on for any realistic time (one id per annotation) instead of
/// failing with `ModelError::IdsExhausted` after a few.
pub const ID_HEADROOM: u64 = 1 << 32;

/// " (pid N)" or " (pid N on HOST)", for `StoreError::Locked`.
fn holder(pid: Option<u32>, host: Option<&str>) -> String {
    match (pid, host) {
        (Some(pid), Some(host)) if !host.is_empty() => format!(" (pid {pid} on {host})"),
        (Some(pid), _) => format!(" (pid {pid})"),
        _ => String::new(),
    }
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads a project file. Nothing is changed on disk, whatever the outcome.
pub fn load(path: &Path) -> Result<Project, StoreError> {
    load_tracked(path).map(|(project, _)| project)
}

/// What a project file was when it was read: compared again before a save, so that a save
/// never replaces a file somebody else wrote meanwhile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnDisk {
    /// SHA-256 of the bytes read; `None` for a project that has no file yet.
    hash: Option<[u8; 32]>,
}

impl OnDisk {
    /// A project that has no file yet (`marginalia new`): saving refuses to replace a file
    /// that appeared meanwhile.
    pub fn absent() -> OnDisk {
        OnDisk { hash: None }
    }

    fn of(bytes: &[u8]) -> OnDisk {
        OnDisk {
            hash: Some(Sha256::digest(bytes).into()),
        }
    }
}

/// Like `load`, and also what the file was, for `save_tracked`.
pub fn load_tracked(path: &Path) -> Result<(Project, OnDisk), StoreError> {
    let bytes = read_regular_file(path, MAX_PROJECT_BYTES).map_err(|source| match source {
        ReadError::Io(source) => StoreError::Io {
            path: path.to_path_buf(),
            source,
        },
        source => StoreError::Read {
            path: path.to_path_buf(),
            source,
        },
    })?;
    let on_disk = OnDisk::of(&bytes);
    Ok((parse_bytes(&bytes, path)?, on_disk))
}

/// A UTF-8 byte order mark some editors put at the start of a text file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

fn parse_bytes(bytes: &[u8], path: &Path) -> Result<Project, StoreError> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    if let Some(project) = parallel::read_project(bytes).map_err(io_error(path))? {
        return finish(project, path);
    }
    // Not a file the fast path knows (or a broken one): the plain parser, for the exact error.
    let bytes = bytes.to_vec();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(StoreError::Empty {
            path: path.to_path_buf(),
        });
    }
    let text = String::from_utf8(bytes).map_err(|e| StoreError::NotText {
        path: path.to_path_buf(),
        offset: e.utf8_error().valid_up_to(),
    })?;
    parse_whole(&text, path)
}

/// Parses project text; `path` only names the source in errors.
pub fn from_ron_str(text: &str, path: &Path) -> Result<Project, StoreError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match parallel::read_project(text.as_bytes()) {
        Ok(Some(project)) => finish(project, path),
        _ => parse_whole(text, path),
    }
}

/// Parses the whole text as one RON value: any format version, exact error positions.
fn parse_whole(text: &str, path: &Path) -> Result<Project, StoreError> {
    if let Some(found) = probe_format_version(text) {
        if found > FORMAT_VERSION {
            return Err(StoreError::NewerVersion {
                path: path.to_path_buf(),
                found,
                supported: FORMAT_VERSION,
            });
        }
        if found == 0 {
            return Err(StoreError::UnknownVersion {
                path: path.to_path_buf(),
                found,
            });
        }
    }
    let mut project: Project = ron_options()
        .from_str(text)
        .map_err(|e| StoreError::Parse {
            path: path.to_path_buf(),
            line: e.span.start.line,
            column: e.span.start.col,
            message: e.code.to_string(),
        })?;
    migrate(&mut project);
    finish(project, path)
}

/// Puts a freshly parsed project in order and checks it.
fn finish(mut project: Project, path: &Path) -> Result<Project, StoreError> {
    project.normalize_order();
    project.validate().map_err(|source| StoreError::Invalid {
        path: path.to_path_buf(),
        source,
    })?;
    let limit = u64::MAX - ID_HEADROOM;
    if project.next_id > limit {
        return Err(StoreError::IdsExhausted {
            path: path.to_path_buf(),
            next_id: project.next_id,
            limit,
        });
    }
    check_content_hashes(&mut project, path)?;
    Ok(project)
}

/// Verifies every stored `content_hash` against its document's text (in parallel: it reads
/// all the text once) and fills in the ones left empty (hand-made or older files).
fn check_content_hashes(project: &mut Project, path: &Path) -> Result<(), StoreError> {
    use rayon::prelude::*;
    let hashes: Vec<Option<String>> = project
        .documents
        .par_iter()
        .map(|doc| {
            let actual = crate::model::content_hash(&doc.text);
            if doc.content_hash.is_empty() {
                Ok(Some(actual))
            } else if doc.content_hash.eq_ignore_ascii_case(&actual) {
                Ok(None)
            } else {
                Err(StoreError::ContentHash {
                    path: path.to_path_buf(),
                    doc: doc.id,
                    title: doc.title.clone(),
                    stored: doc.content_hash.clone(),
                    actual,
                })
            }
        })
        .collect::<Result<_, _>>()?;
    for (doc, hash) in project.documents.iter_mut().zip(hashes) {
        if let Some(hash) = hash {
            std::sync::Arc::make_mut(doc).content_hash = hash;
        }
    }
    Ok(())
}

/// Brings a project read from an older format version up to `FORMAT_VERSION`.
/// Each format change adds one step here, keyed by the version it upgrades from.
fn migrate(project: &mut Project) {
    if project.format_version < 2 {
        migrate_relation_decisions(project);
    }
    // Version 3 (author id blocks, `made` stamps) only adds fields: every id keeps its
    // value and stays on the shared counter (`next_id`), annotations made before it have
    // no `made`.
    project.format_version = FORMAT_VERSION;
}

/// Version 1 stored a rejected relation suggestion as an entity decision whose type was the
/// key `relation:TYPE S..E SOURCE_TYPE -> TARGET_TYPE` (offsets: the target's). Version 2
/// gives them their own typed list. A key that does not parse stays where it was: it can
/// never match an entity type, so it does no harm, and nothing is lost.
fn migrate_relation_decisions(project: &mut Project) {
    let (relations, entities): (Vec<_>, Vec<_>) = std::mem::take(&mut project.decisions)
        .into_iter()
        .map(|d| match parse_v1_relation_key(&d) {
            Some(r) => Ok(r),
            None => Err(d),
        })
        .partition(Result::is_ok);
    project.decisions = entities.into_iter().filter_map(Result::err).collect();
    project
        .relation_decisions
        .extend(relations.into_iter().filter_map(Result::ok));
    project.relation_decisions.sort();
    project.relation_decisions.dedup();
}

fn parse_v1_relation_key(d: &SuggestionDecision) -> Option<RelationDecision> {
    let key = d.entity_type.strip_prefix("relation:")?;
    let (relation_type, rest) = key.split_once(' ')?;
    let (offsets, rest) = rest.split_once(' ')?;
    let (start, end) = offsets.split_once("..")?;
    let (source_type, target_type) = rest.rsplit_once(" -> ")?;
    Some(RelationDecision {
        document: d.document,
        relation_type: relation_type.to_string(),
        source: SpanRef::new(start.parse().ok()?, end.parse().ok()?, source_type),
        target: SpanRef::new(d.start, d.end, target_type),
        verdict: d.verdict,
        made: d.made.clone(),
    })
}

/// Finds `format_version: N` near the start without parsing the whole file, so a newer file
/// gets a clear message instead of a parse error about a field it does not know.
fn probe_format_version(text: &str) -> Option<u32> {
    let head = &text[..text.floor_char_boundary(4096)];
    let at = head.find("format_version")?;
    let rest = head[at + "format_version".len()..].trim_start();
    let rest = rest.strip_prefix(':')?.trim_start();
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

fn ron_options() -> ron::Options {
    // A hand-made file nested thousands deep must fail cleanly, not overflow the stack.
    ron::Options::default().with_recursion_limit(64)
}

/// The project as pretty RON: stable field order, one span or relation per line, so a
/// project diffs well in git.
pub fn to_ron_string(project: &Project) -> Result<String, ron::Error> {
    parallel::to_ron_string(project)
}

/// How project files are laid out; `depth_limit` counts from the value serialized (a whole
/// project: 4, so that spans and relations are one line each).
fn pretty_config(depth_limit: usize) -> ron::ser::PrettyConfig {
    ron::ser::PrettyConfig::new()
        .depth_limit(depth_limit)
        .struct_names(true)
        .indentor("  ".to_string())
}

/// Saves atomically: a crash at any moment leaves either the old or the new file, whole.
/// The previous version is kept beside it as `NAME.ron.bak`.
pub fn save(project: &Project, path: &Path) -> Result<(), StoreError> {
    save_replacing(project, path).map(|_| ())
}

/// Saves like `save` and says what the file holds now (for the next `save_tracked`).
pub fn save_replacing(project: &Project, path: &Path) -> Result<OnDisk, StoreError> {
    let text = to_ron_string(project).map_err(|e| StoreError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    write_atomically(path, text.as_bytes(), true).map_err(io_error(path))?;
    Ok(OnDisk::of(text.as_bytes()))
}

/// What `save_tracked` did besides saving.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    /// What the file is now (for the next `save_tracked`).
    pub on_disk: OnDisk,
    /// A recovery file newer than the project was found and kept, still newer than the
    /// saved project, so that the window offers it on the next open.
    pub kept_recovery: Option<PathBuf>,
}

/// Saves like `save`, but only if the file on disk is still the one `on_disk` describes (the
/// one that was read, or none for a new project): otherwise "p.ron changed since it was read;
/// nothing saved". Hold a `ProjectLock` from before the load until after this, so that no
/// cooperating writer can slip in between the check and the rename.
pub fn save_tracked(project: &Project, path: &Path, on_disk: &OnDisk) -> Result<Saved, StoreError> {
    match &on_disk.hash {
        None => {
            if std::fs::symlink_metadata(path).is_ok() {
                return Err(StoreError::AlreadyExists {
                    path: path.to_path_buf(),
                });
            }
        }
        Some(hash) => {
            let now =
                read_regular_file(path, MAX_PROJECT_BYTES).map_err(|_| StoreError::Changed {
                    path: path.to_path_buf(),
                })?;
            let now: [u8; 32] = Sha256::digest(&now).into();
            if now != *hash {
                return Err(StoreError::Changed {
                    path: path.to_path_buf(),
                });
            }
        }
    }
    let recovery = newer_recovery(path);
    let text = to_ron_string(project).map_err(|e| StoreError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    write_atomically(path, text.as_bytes(), true).map_err(io_error(path))?;
    let kept_recovery = match recovery {
        Some(recovery) => {
            recovery::keep_newer(&recovery, path)?;
            Some(recovery)
        }
        None => None,
    };
    Ok(Saved {
        on_disk: OnDisk::of(text.as_bytes()),
        kept_recovery,
    })
}

/// The backup kept beside a project file.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests;
