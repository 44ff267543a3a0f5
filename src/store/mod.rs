//! The `.ron` project file: load (with clear errors and format migrations) and atomic save.

mod atomic;
mod parallel;
mod recovery;

pub use atomic::write_atomically;
pub use recovery::{FileStamp, newer_recovery, recovery_path, remove_recovery, write_recovery};

use crate::model::{
    FORMAT_VERSION, ModelError, Project, RelationDecision, SpanRef, SuggestionDecision,
};
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
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads a project file. Nothing is changed on disk, whatever the outcome.
pub fn load(path: &Path) -> Result<Project, StoreError> {
    let file = std::fs::File::open(path).map_err(io_error(path))?;
    if let Some(project) =
        parallel::read_project(std::io::BufReader::new(file)).map_err(io_error(path))?
    {
        return finish(project, path);
    }
    // Not a file the fast path knows (or a broken one): the plain parser, for the exact error.
    let bytes = std::fs::read(path).map_err(io_error(path))?;
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
    Ok(project)
}

/// Brings a project read from an older format version up to `FORMAT_VERSION`.
/// Each format change adds one step here, keyed by the version it upgrades from.
fn migrate(project: &mut Project) {
    if project.format_version < 2 {
        migrate_relation_decisions(project);
    }
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
    let text = to_ron_string(project).map_err(|e| StoreError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    write_atomically(path, text.as_bytes(), true).map_err(io_error(path))
}

/// The backup kept beside a project file.
pub fn backup_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".bak");
    path.with_file_name(name)
}

#[cfg(test)]
mod tests;
