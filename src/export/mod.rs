//! Exporting a project (or a selection of it) to other tools' formats, one module per format.
//! `export` is the single entry point for the CLI and the GUI's Export dialog: it selects the
//! documents and types, renders the format in memory and writes it atomically (a file through
//! `store::write_atomically`; a folder is written beside the target and renamed into place).

pub mod brat;
pub mod conll;
pub mod csv;
pub mod graphml;
pub mod html;
pub mod jsonl;
pub mod label_studio;
pub mod spacy;
pub mod webanno;

use crate::model::{DocumentId, DocumentStatus, Project};
use crate::store;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use thiserror::Error;

/// The formats of an export (also the command line's `export --format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Ron,
    Json,
    Brat,
    Conll,
    Jsonl,
    Csv,
    Graphml,
    Html,
    /// INCEpTION/WebAnno TSV 3.3.
    Webanno,
    /// Label Studio JSON (tasks with annotations: labels and relations).
    LabelStudio,
    /// spaCy's JSON training format (`spacy convert FILE.json OUT --converter json`).
    Spacy,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 11] = [
        ExportFormat::Ron,
        ExportFormat::Json,
        ExportFormat::Brat,
        ExportFormat::Conll,
        ExportFormat::Jsonl,
        ExportFormat::Csv,
        ExportFormat::Graphml,
        ExportFormat::Html,
        ExportFormat::Webanno,
        ExportFormat::LabelStudio,
        ExportFormat::Spacy,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Ron => "ron",
            ExportFormat::Json => "json",
            ExportFormat::Brat => "brat",
            ExportFormat::Conll => "conll",
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Csv => "csv",
            ExportFormat::Graphml => "graphml",
            ExportFormat::Html => "html",
            ExportFormat::Webanno => "webanno",
            ExportFormat::LabelStudio => "label-studio",
            ExportFormat::Spacy => "spacy",
        }
    }

    /// The file extension of a one-file output (the folder formats have none).
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::LabelStudio | ExportFormat::Spacy => "json",
            other => other.name(),
        }
    }

    /// Whether the output is a folder of files rather than one file.
    pub fn is_folder(self) -> bool {
        matches!(
            self,
            ExportFormat::Brat | ExportFormat::Csv | ExportFormat::Webanno
        )
    }
}

/// Which of doccano's two JSONL shapes an export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum JsonlShape {
    /// `"label": [[start, end, "TYPE"]]`: what a sequence-labelling project imports.
    #[default]
    Seq,
    /// `"entities"` and `"relations"`: what a project with relations imports.
    Relation,
}

impl JsonlShape {
    pub fn name(self) -> &'static str {
        match self {
            JsonlShape::Seq => "seq",
            JsonlShape::Relation => "relation",
        }
    }
}

/// How CoNLL marks the first token of a mention.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum TagScheme {
    /// `B-` only where a mention directly follows another of the same type.
    Iob1,
    /// `B-` on the first token of every mention.
    #[default]
    Iob2,
    /// `B-` first, `I-` inside, `E-` last, `S-` for a mention of one token.
    Bioes,
    /// BIOES with `L-` for last and `U-` for a unit (one-token) mention.
    Bilou,
}

/// What separates the columns of a CoNLL line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Separator {
    /// One space, as CoNLL-2003 and conlleval.
    #[default]
    Space,
    /// A tab, as doccano's CoNLL import wants.
    Tab,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportOptions {
    /// Overwrite an existing output.
    pub force: bool,
    pub scheme: TagScheme,
    /// CoNLL column separator.
    pub separator: Separator,
    /// Only these documents (ids like "12" or "D12", or exact titles); empty means all.
    pub documents: Vec<String>,
    /// Only spans of these entity types (and relations between them); empty means all.
    pub types: Vec<String>,
    /// doccano JSONL shape.
    pub jsonl_shape: JsonlShape,
}

/// What an export wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExportReport {
    pub path: PathBuf,
    pub documents: usize,
    pub spans: usize,
    pub relations: usize,
    /// What could not be expressed in the format (for stderr or the status bar).
    pub notices: Vec<String>,
}

impl ExportReport {
    pub fn summary(&self) -> String {
        use crate::text::count;
        format!(
            "wrote {} ({}, {}, {})",
            self.path.display(),
            count(self.documents, "document", "documents"),
            count(self.spans, "span", "spans"),
            count(self.relations, "relation", "relations")
        )
    }
}

#[derive(Debug, Error)]
pub enum ExportError {
    #[error("{0}: already exists; nothing was overwritten (allow overwriting to replace it)")]
    Exists(PathBuf),
    #[error("no document matches '{0}' (use an id like 12 or D12, or an exact title)")]
    UnknownDocument(String),
    #[error("unknown entity type '{0}' (the schema has {1})")]
    UnknownType(String, String),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot serialise the project: {0}")]
    Serialize(String),
    #[error("{out}: is {what} of the project {project}; choose another place to export to")]
    Protected {
        out: PathBuf,
        what: &'static str,
        project: PathBuf,
    },
    #[error(
        "{0}: is a folder that is not an earlier {1} export (it has files and no {MARKER} marker); refusing to replace it, even when overwriting is allowed"
    )]
    NotAnExport(PathBuf, &'static str),
    #[error("{out}: the folder {parent} does not exist; create it first")]
    MissingParent { out: PathBuf, parent: PathBuf },
}

/// Written into every folder export: a later export of the same format may replace the
/// folder; any other non-empty folder is never replaced.
pub const MARKER: &str = ".marginalia-export";

/// Staging and old folders older than this are leftovers of a killed export.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(600);

/// Refuses an output that would overwrite the project at `project_path` or one of the files
/// kept beside it (backup, recovery, lock, temporary files), or a folder holding any of them.
/// Paths are compared canonicalised (symlinks resolved), so no spelling of the project's path
/// gets past. Call it before `export` whenever the project has a file.
pub fn guard_output(project_path: &Path, out: &Path) -> Result<(), ExportError> {
    let Ok(project) = std::fs::canonicalize(project_path) else {
        return Ok(());
    };
    let Some(out_real) = resolve(out) else {
        return Ok(());
    };
    let protected = [
        (project.clone(), "the file"),
        (store::backup_path(&project), "the backup file"),
        (store::recovery_path(&project), "the recovery file"),
        (store::lock_path(&project), "the lock file"),
    ];
    let refuse = |what| ExportError::Protected {
        out: out.to_path_buf(),
        what,
        project: project_path.to_path_buf(),
    };
    for (path, what) in &protected {
        if out_real == *path {
            return Err(refuse(what));
        }
    }
    if let Some(name) = out_real.file_name().and_then(|n| n.to_str())
        && let Some(project_name) = project.file_name().and_then(|n| n.to_str())
        && name.starts_with(&format!(".{project_name}."))
        && out_real.parent() == project.parent()
    {
        return Err(refuse("a temporary file"));
    }
    if project.starts_with(&out_real) {
        return Err(refuse("a folder holding the file"));
    }
    Ok(())
}

/// `path` canonicalised, or (when it does not exist yet) its canonical folder joined with its
/// name; `None` when not even the folder exists.
fn resolve(path: &Path) -> Option<PathBuf> {
    if let Ok(real) = std::fs::canonicalize(path) {
        return Some(real);
    }
    let name = path.file_name()?;
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    Some(std::fs::canonicalize(parent).ok()?.join(name))
}

/// The folder an output lands in, which must exist.
fn output_parent(out: &Path) -> Result<PathBuf, ExportError> {
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(ExportError::MissingParent {
            out: out.to_path_buf(),
            parent,
        });
    }
    Ok(parent)
}

/// Removes the `.marginalia-export-*` and `.marginalia-old-*` folders that killed exports left
/// in `parent` (only those untouched for `STALE_AFTER`, so a running export keeps its own).
/// Best effort: what cannot be removed stays.
fn remove_stale_staging(parent: &Path) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        if !(name.starts_with(".marginalia-export-") || name.starts_with(".marginalia-old-")) {
            continue;
        }
        let Ok(meta) = entry.metadata() else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|m| m.elapsed().ok())
            .is_some_and(|age| age >= STALE_AFTER);
        if meta.is_dir()
            && old
            && let Err(e) = std::fs::remove_dir_all(entry.path())
        {
            crate::diag::warn(format!("{}: not removed: {e}", entry.path().display()));
        }
    }
}

/// Whether a folder export of `format` may replace `out`: it is missing, empty, or an earlier
/// export of the same format (its marker says so).
fn check_replaceable(out: &Path, format: ExportFormat) -> Result<(), ExportError> {
    let Ok(meta) = std::fs::symlink_metadata(out) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Err(ExportError::Io {
            path: out.to_path_buf(),
            source: std::io::Error::other(format!(
                "is not a folder; the {} export writes a folder",
                format.name()
            )),
        });
    }
    let marker = std::fs::read_to_string(out.join(MARKER)).ok();
    if marker.is_some_and(|m| m.trim() == marker_text(format).trim()) {
        return Ok(());
    }
    let empty = std::fs::read_dir(out)
        .map_err(|source| ExportError::Io {
            path: out.to_path_buf(),
            source,
        })?
        .next()
        .is_none();
    if empty {
        Ok(())
    } else {
        Err(ExportError::NotAnExport(out.to_path_buf(), format.name()))
    }
}

fn marker_text(format: ExportFormat) -> String {
    format!("marginalia export: {}\n", format.name())
}

/// A rendered export, before it is written.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    File(Vec<u8>),
    /// File names (no folders) and contents.
    Folder(Vec<(String, Vec<u8>)>),
}

/// Exports `project` in `format` to `out` (a file, or a folder for brat and csv).
pub fn export(
    project: &Project,
    format: ExportFormat,
    options: &ExportOptions,
    out: &Path,
) -> Result<ExportReport, ExportError> {
    let parent = output_parent(out)?;
    if format.is_folder() {
        remove_stale_staging(&parent);
        check_replaceable(out, format)?;
    }
    if std::fs::symlink_metadata(out).is_ok() && !options.force {
        return Err(ExportError::Exists(out.to_path_buf()));
    }
    let selected = select(project, options)?;
    let mut notices = Vec::new();
    let mut output = render(&selected, format, options, &mut notices)?;
    if let Output::Folder(files) = &mut output {
        files.push((MARKER.to_string(), marker_text(format).into_bytes()));
    }
    write_output(out, output)?;
    Ok(ExportReport {
        path: out.to_path_buf(),
        documents: selected.documents.len(),
        spans: selected.span_count(),
        relations: selected.relation_count(),
        notices,
    })
}

/// The project as JSON: its serde form, with every document's `metadata` object complete
/// (`date`, `author`, `source`, `url`, `language`, `extra`; `null` when unknown), which the
/// RON file leaves out when empty.
fn project_json(project: &Project) -> Result<serde_json::Value, ExportError> {
    let mut value =
        serde_json::to_value(project).map_err(|e| ExportError::Serialize(e.to_string()))?;
    if let Some(docs) = value
        .get_mut("documents")
        .and_then(serde_json::Value::as_array_mut)
    {
        for (json, doc) in docs.iter_mut().zip(&project.documents) {
            if let Some(obj) = json.as_object_mut() {
                obj.insert("metadata".to_string(), doc.metadata.to_json());
            }
        }
    }
    Ok(value)
}

/// Renders a (selected) project in memory.
pub fn render(
    project: &Project,
    format: ExportFormat,
    options: &ExportOptions,
    notices: &mut Vec<String>,
) -> Result<Output, ExportError> {
    let ser = |e: &dyn std::fmt::Display| ExportError::Serialize(e.to_string());
    Ok(match format {
        ExportFormat::Ron => Output::File(
            store::to_ron_string(project)
                .map_err(|e| ser(&e))?
                .into_bytes(),
        ),
        ExportFormat::Json => {
            Output::File(serde_json::to_vec_pretty(&project_json(project)?).map_err(|e| ser(&e))?)
        }
        ExportFormat::Brat => Output::Folder(brat::render(project, notices)),
        ExportFormat::Conll => Output::File(
            conll::render(project, options.scheme, options.separator, notices).into_bytes(),
        ),
        ExportFormat::Webanno => Output::Folder(webanno::render(project, notices)),
        ExportFormat::Jsonl => {
            Output::File(jsonl::render(project, options.jsonl_shape, notices).into_bytes())
        }
        ExportFormat::LabelStudio => Output::File(
            serde_json::to_vec_pretty(&label_studio::render(project, notices))
                .map_err(|e| ser(&e))?,
        ),
        ExportFormat::Spacy => Output::File(
            serde_json::to_vec_pretty(&spacy::render(project, notices)).map_err(|e| ser(&e))?,
        ),
        ExportFormat::Csv => Output::Folder(csv::render(project).map_err(|e| ser(&e))?),
        ExportFormat::Graphml => Output::File(graphml::render(project).into_bytes()),
        ExportFormat::Html => Output::File(html::render(project).into_bytes()),
    })
}

/// What an exchange format can carry besides spans with their offsets and types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Holds {
    pub relations: bool,
    pub span_notes: bool,
    pub relation_notes: bool,
    /// Spans' links to entity records, with the records' aliases and notes.
    pub links: bool,
    pub titles: bool,
    pub statuses: bool,
    pub metadata: bool,
}

impl Holds {
    pub(crate) const ALL: Holds = Holds {
        relations: true,
        span_notes: true,
        relation_notes: true,
        links: true,
        titles: true,
        statuses: true,
        metadata: true,
    };
    /// Spans, and the document's title, status and metadata.
    pub(crate) const DOCUMENT_FIELDS: Holds = Holds {
        relations: false,
        span_notes: false,
        relation_notes: false,
        links: false,
        ..Holds::ALL
    };
}

/// The notice for what `format` cannot hold of `project`, with counts ("doccano JSONL (seq
/// shape) cannot hold: 2 relations, 1 span note"), or `None` when it holds all of it.
pub(crate) fn cannot_hold(format: &str, project: &Project, holds: Holds) -> Option<String> {
    use crate::text::count;
    let docs = &project.documents;
    let sum = |f: &dyn Fn(&crate::model::Document) -> usize| docs.iter().map(|d| f(d)).sum();
    let mut lost = Vec::new();
    let mut say = |held: bool, n: usize, one: &str, many: &str| {
        if !held && n > 0 {
            lost.push(count(n, one, many));
        }
    };
    say(
        holds.relations,
        sum(&|d| d.relations.len()),
        "relation",
        "relations",
    );
    say(
        holds.span_notes,
        sum(&|d| d.spans.iter().filter(|s| !s.note.is_empty()).count()),
        "span note",
        "span notes",
    );
    say(
        holds.relation_notes && holds.relations,
        sum(&|d| d.relations.iter().filter(|r| !r.note.is_empty()).count()),
        "relation note",
        "relation notes",
    );
    let linked: HashSet<_> = docs
        .iter()
        .flat_map(|d| d.spans.iter().filter_map(|s| s.entity))
        .collect();
    say(
        holds.links,
        sum(&|d| d.spans.iter().filter(|s| s.entity.is_some()).count()),
        "entity link",
        "entity links",
    );
    let entities = project.entities.iter().filter(|e| linked.contains(&e.id));
    let (aliases, notes) = entities.fold((0, 0), |(a, n), e| {
        (a + e.aliases.len(), n + usize::from(!e.note.is_empty()))
    });
    say(holds.links, aliases, "entity alias", "entity aliases");
    say(holds.links, notes, "entity note", "entity notes");
    say(
        holds.titles,
        docs.len(),
        "document title",
        "document titles",
    );
    say(
        holds.statuses,
        docs.iter()
            .filter(|d| d.status != DocumentStatus::New)
            .count(),
        "document status",
        "document statuses",
    );
    say(
        holds.metadata,
        docs.iter().filter(|d| !d.metadata.is_empty()).count(),
        "document's metadata",
        "documents' metadata",
    );
    (!lost.is_empty()).then(|| format!("{format} cannot hold: {}", lost.join(", ")))
}

/// The part of the project the options ask for: chosen documents (in project order) and
/// spans of the chosen types, with only the relations whose both ends remain.
/// A document named by its id (12 or D12) or its exact title.
fn find_document(project: &Project, wanted: &str) -> Option<DocumentId> {
    let wanted = wanted.trim();
    let by_id = wanted
        .strip_prefix(['D', 'd'])
        .unwrap_or(wanted)
        .parse::<u64>()
        .ok()
        .and_then(|n| project.document(DocumentId(n)));
    by_id
        .or_else(|| {
            project
                .documents
                .iter()
                .find(|d| d.title == wanted)
                .map(|v| &**v)
        })
        .map(|d| d.id)
}

pub fn select(project: &Project, options: &ExportOptions) -> Result<Project, ExportError> {
    let mut selected = project.clone();
    if !options.documents.is_empty() {
        let mut keep: HashSet<DocumentId> = HashSet::new();
        for wanted in &options.documents {
            // A whole value first (a title may hold a comma), then its comma-separated parts.
            if let Some(d) = find_document(project, wanted) {
                keep.insert(d);
                continue;
            }
            for part in wanted.split(',') {
                match find_document(project, part) {
                    Some(d) => keep.insert(d),
                    None => return Err(ExportError::UnknownDocument(part.trim().to_string())),
                };
            }
        }
        selected.documents.retain(|d| keep.contains(&d.id));
    }
    if !options.types.is_empty() {
        let types: HashSet<&str> = options.types.iter().map(|t| t.trim()).collect();
        for t in &types {
            if project.schema.entity_type(t).is_none() {
                let known: Vec<&str> = project
                    .schema
                    .entity_types
                    .iter()
                    .map(|t| t.id.as_str())
                    .collect();
                return Err(ExportError::UnknownType(t.to_string(), known.join(", ")));
            }
        }
        for doc in selected.documents.iter_mut().map(Arc::make_mut) {
            doc.spans.retain(|s| types.contains(s.entity_type.as_str()));
            let ids: HashSet<_> = doc.spans.iter().map(|s| s.id).collect();
            doc.relations
                .retain(|r| ids.contains(&r.source) && ids.contains(&r.target));
        }
        selected
            .decisions
            .retain(|d| types.contains(d.entity_type.as_str()));
        selected.relation_decisions.retain(|d| {
            types.contains(d.source.entity_type.as_str())
                && types.contains(d.target.entity_type.as_str())
        });
    }
    if !options.documents.is_empty() || !options.types.is_empty() {
        restrict_to_selection(&mut selected, &options.types);
    }
    Ok(selected)
}

/// After a filter: keeps only the entities that a kept span mentions (and, with `--types`,
/// whose own type is chosen; spans linked to another entity are written unlinked), and only
/// the decisions about kept documents, so that every list an export writes follows the
/// filters.
fn restrict_to_selection(selected: &mut Project, types: &[String]) {
    let type_ok = |ty: &str| types.is_empty() || types.iter().any(|t| t.trim() == ty);
    let kept_type: HashSet<crate::model::EntityId> = selected
        .entities
        .iter()
        .filter(|e| type_ok(&e.entity_type))
        .map(|e| e.id)
        .collect();
    let mut mentioned = HashSet::new();
    for doc in &mut selected.documents {
        let drops_link = doc
            .spans
            .iter()
            .any(|s| s.entity.is_some_and(|e| !kept_type.contains(&e)));
        if drops_link {
            for s in &mut Arc::make_mut(doc).spans {
                if s.entity.is_some_and(|e| !kept_type.contains(&e)) {
                    s.entity = None;
                }
            }
        }
        mentioned.extend(doc.spans.iter().filter_map(|s| s.entity));
    }
    selected.entities.retain(|e| mentioned.contains(&e.id));
    let docs: HashSet<DocumentId> = selected.documents.iter().map(|d| d.id).collect();
    selected.decisions.retain(|d| docs.contains(&d.document));
    selected
        .relation_decisions
        .retain(|d| docs.contains(&d.document));
}

/// A file name that stays inside the output folder: no separators, no "..", not hidden.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('.')
        && !name.contains(['/', '\\', '\0', ':'])
        && name != ".."
}

/// Writes an output atomically: a file through `write_atomically`; a folder complete in a
/// temporary folder beside the target, then renamed over it.
pub fn write_output(out: &Path, output: Output) -> Result<(), ExportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ExportError::Io { path, source }
    };
    match output {
        Output::File(bytes) => {
            // "newdir/" names a folder, existing or not: say so rather than "Not a directory".
            let names_a_folder = out.as_os_str().to_string_lossy().ends_with(['/', '\\']);
            if out.is_dir() || names_a_folder {
                return Err(ExportError::Io {
                    path: out.to_path_buf(),
                    source: std::io::Error::other(
                        "names a folder; this format writes one file (give a file name)",
                    ),
                });
            }
            store::write_atomically(out, &bytes, false).map_err(io(out))
        }
        Output::Folder(files) => {
            let parent = match out.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            let mut builder = tempfile::Builder::new();
            builder.prefix(".marginalia-export-");
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                // Masked by the umask, like any new folder (not the private 0700).
                builder.permissions(std::fs::Permissions::from_mode(0o777));
            }
            let staging = builder.tempdir_in(&parent).map_err(io(&parent))?;
            for (name, bytes) in &files {
                if !safe_name(name) && name != MARKER {
                    return Err(ExportError::Io {
                        path: staging.path().join(name),
                        source: std::io::Error::other("refusing an unsafe file name"),
                    });
                }
                let path = staging.path().join(name);
                std::fs::write(&path, bytes).map_err(io(&path))?;
            }
            let staged = staging.keep();
            let result = replace_with(out, &staged, &parent);
            if result.is_err()
                && let Err(e) = std::fs::remove_dir_all(&staged)
            {
                crate::diag::warn(format!("{}: not removed: {e}", staged.display()));
            }
            result
        }
    }
}

/// Moves `staged` to `out`, replacing whatever is there; the old output is removed only
/// once the new one is in place.
fn replace_with(out: &Path, staged: &Path, parent: &Path) -> Result<(), ExportError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ExportError::Io { path, source }
    };
    if std::fs::symlink_metadata(out).is_err() {
        return std::fs::rename(staged, out).map_err(io(out));
    }
    let old = tempfile::Builder::new()
        .prefix(".marginalia-old-")
        .tempdir_in(parent)
        .map_err(io(parent))?
        .keep();
    std::fs::remove_dir(&old).map_err(io(&old))?;
    std::fs::rename(out, &old).map_err(io(out))?;
    if let Err(e) = std::fs::rename(staged, out) {
        if let Err(back) = std::fs::rename(&old, out) {
            return Err(ExportError::Io {
                path: out.to_path_buf(),
                source: std::io::Error::other(format!(
                    "{e}; the previous output is kept as {} ({back})",
                    old.display()
                )),
            });
        }
        return Err(io(out)(e));
    }
    let removed = if old.is_dir() {
        std::fs::remove_dir_all(&old)
    } else {
        std::fs::remove_file(&old)
    };
    removed.map_err(io(&old))
}

/// Escapes text for XML and HTML, dropping the control characters XML 1.0 cannot hold.
pub(crate) fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' | '\t' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Text on one line (tab-separated formats): tabs and line breaks become spaces.
pub(crate) fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| {
            if matches!(c, '\t' | '\n' | '\r') {
                ' '
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, Span};

    fn project() -> Project {
        let mut p = Project::new("t");
        for (title, text) in [("One", "Armenia and Azerbaijan"), ("Two", "CSTO met")] {
            let id = p.new_document_id();
            let mut d = Document::new(id, title, "", text.to_string());
            let s = p.new_span_id();
            d.spans.push(Span::new(
                s,
                0,
                4,
                if title == "One" { "GPE" } else { "ORG" },
            ));
            p.documents.push(d.into());
        }
        p
    }

    #[test]
    fn selects_documents_by_id_or_title_and_types() {
        let p = project();
        let opts = |docs: &[&str], types: &[&str]| ExportOptions {
            documents: docs.iter().map(|s| s.to_string()).collect(),
            types: types.iter().map(|s| s.to_string()).collect(),
            ..ExportOptions::default()
        };
        let id = p.documents[1].id;
        let s = select(&p, &opts(&[&format!("D{}", id.0)], &[])).unwrap();
        assert_eq!(s.documents.len(), 1);
        assert_eq!(s.documents[0].title, "Two");
        let s = select(&p, &opts(&["One", &id.0.to_string()], &["ORG"])).unwrap();
        assert_eq!(s.documents.len(), 2);
        assert_eq!(s.span_count(), 1);
        let both = format!("One,{}", id.0);
        assert_eq!(select(&p, &opts(&[&both], &[])).unwrap().documents.len(), 2);
        assert!(matches!(
            select(&p, &opts(&["Three"], &[])),
            Err(ExportError::UnknownDocument(_))
        ));
        assert!(matches!(
            select(&p, &opts(&[], &["WEAPON"])),
            Err(ExportError::UnknownType(..))
        ));
    }

    #[test]
    fn a_title_with_a_comma_is_matched_whole() {
        let mut p = project();
        std::sync::Arc::make_mut(&mut p.documents[1]).title = "Talks, day two".into();
        let opts = ExportOptions {
            documents: vec!["Talks, day two".into()],
            ..ExportOptions::default()
        };
        let s = select(&p, &opts).unwrap();
        assert_eq!(s.documents.len(), 1);
        assert_eq!(s.documents[0].title, "Talks, day two");
    }

    #[test]
    fn folder_outputs_replace_atomically_and_refuse_unsafe_names() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("out");
        write_output(&out, Output::Folder(vec![("a.txt".into(), b"1".to_vec())])).unwrap();
        write_output(&out, Output::Folder(vec![("b.txt".into(), b"2".to_vec())])).unwrap();
        assert!(!out.join("a.txt").exists());
        assert_eq!(std::fs::read(out.join("b.txt")).unwrap(), b"2");
        for bad in ["../x", "a/b", "..", ".hidden", ""] {
            assert!(write_output(&out, Output::Folder(vec![(bad.into(), vec![])])).is_err());
        }
        // The failed writes left the previous output and nothing else.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        assert!(out.join("b.txt").exists());
    }

    #[test]
    fn refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("p.json");
        let p = project();
        let mut opts = ExportOptions::default();
        export(&p, ExportFormat::Json, &opts, &out).unwrap();
        assert!(matches!(
            export(&p, ExportFormat::Json, &opts, &out),
            Err(ExportError::Exists(_))
        ));
        opts.force = true;
        export(&p, ExportFormat::Json, &opts, &out).unwrap();
    }

    #[test]
    fn json_documents_always_have_a_complete_metadata_object() {
        let mut p = project();
        let doc = std::sync::Arc::make_mut(&mut p.documents[0]);
        doc.metadata.author = Some("Ani Hakobyan".into());
        doc.metadata.extra.insert("desk".into(), "Caucasus".into());
        let Output::File(bytes) = render(
            &p,
            ExportFormat::Json,
            &ExportOptions::default(),
            &mut Vec::new(),
        )
        .unwrap() else {
            panic!("a file")
        };
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let docs = v["documents"].as_array().unwrap();
        assert_eq!(docs[0]["metadata"]["author"], "Ani Hakobyan");
        assert_eq!(docs[0]["metadata"]["extra"]["desk"], "Caucasus");
        for d in docs {
            for key in ["date", "author", "source", "url", "language", "extra"] {
                assert!(d["metadata"].get(key).is_some(), "{key} in {d}");
            }
        }
        assert!(docs.last().unwrap()["metadata"]["date"].is_null());
    }

    #[test]
    fn xml_escaping_covers_markup_and_control_chars() {
        assert_eq!(escape_xml("a<b>&\"'\u{1}c"), "a&lt;b&gt;&amp;&quot;&#39;c");
    }
}
