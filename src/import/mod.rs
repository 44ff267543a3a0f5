//! Turning files into documents: plain text, Markdown and HTML (and, in their own modules,
//! annotated formats). An import is computed completely before anything is applied, and it
//! is applied as one `Transaction`: it either lands whole or not at all.

pub mod annotated;
pub mod brat;
pub mod conll;
mod decode;
mod email;
pub(crate) mod fields;
mod html;
pub mod jsonl;
pub mod label_studio;
mod markdown;
mod office;
mod pdf;
mod quiet;
mod table;
pub mod webanno;

pub use decode::{MAX_FILE_BYTES, decode_text};

use crate::edit::{Edit, Transaction};
pub(crate) use crate::model::is_iso_date;
use crate::model::{Document, DocumentMetadata, Project};
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Read {
        path: PathBuf,
        source: crate::store::ReadError,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: the file is empty")]
    Empty { path: PathBuf },
    #[error(
        "{path}: this looks like a binary file, not text (found a NUL byte at offset {offset})"
    )]
    Binary { path: PathBuf, offset: usize },
    #[error(
        "{path}:{line}: invalid UTF-8 (byte offset {offset}); save the file as UTF-8 or UTF-16 with a byte-order mark"
    )]
    InvalidUtf8 {
        path: PathBuf,
        line: usize,
        offset: usize,
    },
    #[error("{path}:{line}: invalid UTF-16 (an unpaired surrogate or an odd number of bytes)")]
    InvalidUtf16 { path: PathBuf, line: usize },
    #[error("{path}: the file is {size} bytes; the limit for one document is {limit} bytes")]
    TooLarge {
        path: PathBuf,
        size: u64,
        limit: u64,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error(
        "{path}: no readable documents here (looked for .txt, .md, .html, .eml, .mbox, .csv, .tsv, .xlsx, .docx, .odt, .pdf files)"
    )]
    NoDocuments { path: PathBuf },
    /// A table none of whose columns is the text: the window asks which one is
    /// (`ImportOptions::columns`), the command line names it with `--columns text=NAME`.
    #[error(
        "{path}:1: no text column: name one text, body or content, or say which it is with --columns text=NAME (the columns are: {})",
        .columns.join(", ")
    )]
    NoTextColumn { path: PathBuf, columns: Vec<String> },
    #[error("{path}:{line}: {message}")]
    Malformed {
        path: PathBuf,
        line: usize,
        message: String,
    },
    #[error("{0}")]
    Model(#[from] crate::model::ModelError),
}

/// How to read the files of an import (also the command line's `import --format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ImportFormat {
    /// Decide per file from its extension.
    #[default]
    Auto,
    Text,
    Markdown,
    Html,
    /// brat standoff: `.txt`/`.ann` pairs (and `annotation.conf`).
    Brat,
    /// CoNLL-2003 style IOB1/IOB2 token-per-line files.
    Conll,
    /// doccano JSONL.
    Jsonl,
    /// E-mail: `.eml` (one message) or `.mbox` (one document per message).
    Email,
    /// CSV or TSV with a header row: one document per row, columns mapped by name.
    Table,
    /// One document per non-empty line of a text file.
    Lines,
    /// Word `.docx`.
    Docx,
    /// OpenDocument text `.odt`.
    Odt,
    /// PDF with a text layer.
    Pdf,
    /// Excel `.xlsx` (or `.ods`) with a header row: like `Table`.
    Xlsx,
    /// Label Studio JSON export (tasks with `data.text` and annotation results).
    LabelStudio,
    /// INCEpTION/WebAnno TSV 3 (`.tsv` starting with `#FORMAT=WebAnno TSV 3`).
    Webanno,
}

pub use table::{Column, ColumnMap};

/// How to read what the files do not say themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Which column of a table (CSV, TSV, spreadsheet) gives the text, title, date, ...
    pub columns: ColumnMap,
}

/// A document read from a file, before it gets ids in a project.
#[derive(Debug, Clone, PartialEq)]
pub struct ReadDocument {
    pub title: String,
    pub source: PathBuf,
    pub text: String,
    /// Date, author, publisher, url, language and more, as far as the file tells.
    pub metadata: DocumentMetadata,
}

impl ReadDocument {
    /// A document of `path` titled `title` when the file gives a non-empty one, else by its
    /// first line (or the file name when that is long).
    pub fn new(
        title: Option<String>,
        path: &Path,
        text: String,
        metadata: DocumentMetadata,
    ) -> ReadDocument {
        let title = title
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| title_from_text(&text, path));
        ReadDocument {
            title,
            source: path.to_path_buf(),
            text,
            metadata,
        }
    }
}

/// What an import did, for the CLI and the status bar.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ImportReport {
    pub added: usize,
    /// Files whose text the project already had (or that appeared twice in this import).
    pub skipped_duplicates: Vec<PathBuf>,
    pub notices: Vec<String>,
}

impl ImportReport {
    pub fn summary(&self) -> String {
        let mut s = format!(
            "imported {}",
            crate::text::count(self.added, "document", "documents")
        );
        if !self.skipped_duplicates.is_empty() {
            s.push_str(&format!(
                ", skipped {} already in the project",
                self.skipped_duplicates.len()
            ));
        }
        s
    }
}

const TEXT_EXTENSIONS: &[&str] = &["txt", "text"];
const MARKDOWN_EXTENSIONS: &[&str] = &["md", "markdown"];
const HTML_EXTENSIONS: &[&str] = &["html", "htm", "xhtml"];

fn extension(path: &Path) -> String {
    path.extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase()
}

fn format_of(path: &Path, requested: ImportFormat) -> Option<ImportFormat> {
    if requested != ImportFormat::Auto {
        return Some(requested);
    }
    let ext = extension(path);
    if TEXT_EXTENSIONS.contains(&ext.as_str()) {
        Some(ImportFormat::Text)
    } else if MARKDOWN_EXTENSIONS.contains(&ext.as_str()) {
        Some(ImportFormat::Markdown)
    } else if HTML_EXTENSIONS.contains(&ext.as_str()) {
        Some(ImportFormat::Html)
    } else if email::EML_EXTENSIONS.contains(&ext.as_str())
        || email::MBOX_EXTENSIONS.contains(&ext.as_str())
    {
        Some(ImportFormat::Email)
    } else if table::EXTENSIONS.contains(&ext.as_str()) {
        Some(ImportFormat::Table)
    } else if ext == "docx" {
        Some(ImportFormat::Docx)
    } else if ext == "odt" {
        Some(ImportFormat::Odt)
    } else if pdf::EXTENSIONS.contains(&ext.as_str()) {
        Some(ImportFormat::Pdf)
    } else if table::SPREADSHEET_EXTENSIONS.contains(&ext.as_str()) {
        Some(ImportFormat::Xlsx)
    } else {
        None
    }
}

/// Lists the files an import of `paths` reads: files as given, folders recursively (sorted,
/// hidden entries skipped, only files of known document types).
pub fn collect_files(
    paths: &[PathBuf],
    format: ImportFormat,
) -> Result<Vec<(PathBuf, ImportFormat)>, ImportError> {
    let mut out = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| ImportError::Io {
            path: path.clone(),
            source,
        })?;
        if meta.is_dir() {
            let before = out.len();
            walk(path, format, &mut out)?;
            if out.len() == before {
                return Err(ImportError::NoDocuments { path: path.clone() });
            }
        } else {
            // A file named explicitly is read as text when its type is unknown.
            let f = format_of(path, format).unwrap_or(ImportFormat::Text);
            out.push((path.clone(), f));
        }
    }
    Ok(out)
}

fn walk(
    dir: &Path,
    format: ImportFormat,
    out: &mut Vec<(PathBuf, ImportFormat)>,
) -> Result<(), ImportError> {
    walk_files(dir, &mut |_| {}, &mut |path| {
        if let Some(f) = format_of(&path, ImportFormat::Auto) {
            let f = if format == ImportFormat::Auto {
                f
            } else {
                format
            };
            out.push((path, f));
        }
    })
}

/// Reads one file as its documents (several for a mailbox or a table); what the file holds
/// that is not imported is said in `notices`.
pub fn read_documents(
    path: &Path,
    format: ImportFormat,
    options: &ImportOptions,
    notices: &mut Vec<String>,
) -> Result<Vec<ReadDocument>, ImportError> {
    match format {
        ImportFormat::Email
        | ImportFormat::Docx
        | ImportFormat::Odt
        | ImportFormat::Pdf
        | ImportFormat::Xlsx => {
            documents_from_bytes(&decode::read_bytes(path)?, path, format, options, notices)
        }
        ImportFormat::Table => {
            table::read_table(decode::read_text_file(path)?, path, &options.columns)
        }
        ImportFormat::Lines => table::read_lines(decode::read_text_file(path)?, path),
        _ => Ok(vec![read_document(path, format)?]),
    }
}

/// Reads the documents in a file's bytes (already read, or an e-mail attachment); `path`
/// names the source in errors and titles. The fuzz targets enter here.
pub fn documents_from_bytes(
    bytes: &[u8],
    path: &Path,
    format: ImportFormat,
    options: &ImportOptions,
    notices: &mut Vec<String>,
) -> Result<Vec<ReadDocument>, ImportError> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge {
            path: path.to_path_buf(),
            size: bytes.len() as u64,
            limit: MAX_FILE_BYTES,
        });
    }
    if bytes.is_empty() {
        return Err(ImportError::Empty {
            path: path.to_path_buf(),
        });
    }
    match format {
        ImportFormat::Email => email::read_bytes(bytes, path, notices),
        ImportFormat::Docx => office::read_docx(bytes, path).map(|d| vec![d]),
        ImportFormat::Odt => office::read_odt(bytes, path).map(|d| vec![d]),
        ImportFormat::Pdf => pdf::read(bytes, path).map(|d| vec![d]),
        ImportFormat::Xlsx => table::read_spreadsheet(bytes, path, &options.columns, notices),
        ImportFormat::Table => table::read_table(decode_text(bytes, path)?, path, &options.columns),
        ImportFormat::Lines => table::read_lines(decode_text(bytes, path)?, path),
        _ => Ok(vec![document_from_text(
            decode_text(bytes, path)?,
            path,
            format,
        )?]),
    }
}

/// Reads one file as a document.
pub fn read_document(path: &Path, format: ImportFormat) -> Result<ReadDocument, ImportError> {
    document_from_text(decode::read_text_file(path)?, path, format)
}

/// Makes a document of already decoded file text (see `decode_text`); `path` names the source
/// in errors and gives the fallback title.
pub fn document_from_text(
    text: String,
    path: &Path,
    format: ImportFormat,
) -> Result<ReadDocument, ImportError> {
    let (title, text, metadata) = match format {
        ImportFormat::Markdown => {
            let (title, text) = markdown::to_text(&text);
            (title, text, DocumentMetadata::default())
        }
        ImportFormat::Html => html::read(&text),
        _ => (None, text, DocumentMetadata::default()),
    };
    if text.trim().is_empty() {
        return Err(ImportError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(ReadDocument::new(title, path, text, metadata))
}

/// The first non-empty line if it is short enough to be a headline, else the file name.
fn title_from_text(text: &str, path: &Path) -> String {
    let first = text.lines().map(str::trim).find(|l| !l.is_empty());
    match first {
        Some(line) if line.chars().count() <= 150 => line.to_string(),
        _ => path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Untitled".to_string()),
    }
}

/// Reads every file under `paths` and builds the transaction that adds the new documents to
/// `project`. Reads everything first: one bad file fails the whole import and nothing applies.
/// New spans are linked to known entities by the one auto-link rule (`kb::link_new_spans`).
pub fn plan_import(
    project: &Project,
    paths: &[PathBuf],
    format: ImportFormat,
) -> Result<(Transaction, ImportReport), ImportError> {
    plan_import_with(project, paths, format, &ImportOptions::default())
}

/// `plan_import` with options for what the files do not say (a table's column mapping).
pub fn plan_import_with(
    project: &Project,
    paths: &[PathBuf],
    format: ImportFormat,
    options: &ImportOptions,
) -> Result<(Transaction, ImportReport), ImportError> {
    let mut annotated_import = annotated::AnnotatedImport::default();
    let mut any_annotated = false;
    let mut plain = Vec::new();
    let mut skipped = Vec::new();
    for path in paths {
        let annotated_format = annotated_format_of(path, format);
        if path.is_dir() {
            skipped.extend(skipped_in_folder(path, annotated_format));
        }
        let read = match annotated_format {
            Some(ImportFormat::Brat) => brat::read(std::slice::from_ref(path))?,
            Some(ImportFormat::Conll) => conll::read(std::slice::from_ref(path))?,
            Some(ImportFormat::Webanno) => webanno::read(std::slice::from_ref(path))?,
            Some(ImportFormat::Jsonl) => jsonl::read(std::slice::from_ref(path))?,
            Some(ImportFormat::LabelStudio) => label_studio::read(std::slice::from_ref(path))?,
            _ => {
                plain.push(path.clone());
                continue;
            }
        };
        any_annotated = true;
        annotated_import.extend(read);
    }
    let files = if plain.is_empty() {
        Vec::new()
    } else {
        collect_files(&plain, format)?
    };
    let mut read = Vec::with_capacity(files.len());
    let mut notices = skipped;
    for (path, f) in &files {
        read.extend(read_documents(path, *f, options, &mut notices)?);
    }
    if !any_annotated {
        let (tx, mut report) = documents_transaction(project, read);
        report.notices.splice(0..0, notices);
        return Ok((tx, report));
    }
    let (mut tx, mut report) = annotated_with_plain(project, annotated_import, read);
    report.notices.splice(0..0, notices);
    crate::kb::link_new_spans(project, &mut tx);
    Ok((tx, report))
}

/// What a folder import passes over, each said once: symbolic links (not followed, so an
/// import never leaves the folder it was given) and, in a folder read as annotations, the
/// document files of other kinds beside them.
fn skipped_in_folder(dir: &Path, annotated: Option<ImportFormat>) -> Vec<String> {
    let mut folders = Vec::new();
    let mut files = Vec::new();
    // An unreadable folder is reported by the import itself.
    walk_files(dir, &mut |d| folders.push(d.to_path_buf()), &mut |f| {
        files.push(f)
    })
    .ok();
    let mut notices = Vec::new();
    for folder in folders {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        let mut links: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
            .filter(|e| e.file_type().is_ok_and(|t| t.is_symlink()))
            .map(|e| e.path())
            .collect();
        links.sort();
        notices.extend(links.into_iter().map(|l| {
            format!(
                "{}: a symbolic link, not followed; skipped (import its target by name)",
                l.display()
            )
        }));
    }
    let Some(format) = annotated else {
        return notices;
    };
    let (own, name): (&[&str], &str) = match format {
        // brat pairs each .ann with its .txt.
        ImportFormat::Brat => (&["ann", "txt", "conf"], "brat"),
        ImportFormat::Conll => (conll::EXTENSIONS, "CoNLL"),
        ImportFormat::Webanno => (&["tsv"], "WebAnno TSV"),
        ImportFormat::LabelStudio => (label_studio::EXTENSIONS, "Label Studio"),
        _ => (jsonl::EXTENSIONS, "JSONL"),
    };
    for file in files {
        let ext = extension(&file);
        if own.contains(&ext.as_str()) || format_of(&file, ImportFormat::Auto).is_none() {
            continue;
        }
        notices.push(format!(
            "{}: skipped; this folder is read as {} annotations (import the file on its own)",
            file.display(),
            name
        ));
    }
    notices
}

/// Plain documents keep their place before the annotated ones of this import.
fn annotated_with_plain(
    project: &Project,
    mut annotated_import: annotated::AnnotatedImport,
    read: Vec<ReadDocument>,
) -> (Transaction, ImportReport) {
    let mut docs: Vec<annotated::AnnotatedDocument> = read
        .into_iter()
        .map(|doc| annotated::AnnotatedDocument::new("text", doc, Vec::new(), Vec::new()))
        .collect();
    docs.append(&mut annotated_import.documents);
    annotated_import.documents = docs;
    annotated::annotated_transaction(project, annotated_import)
}

/// The annotated format a path is read in, if any: as requested, or in automatic mode a
/// folder holding `.ann` files (brat), CoNLL files or JSONL files, or such a file itself.
fn annotated_format_of(path: &Path, requested: ImportFormat) -> Option<ImportFormat> {
    match requested {
        ImportFormat::Brat
        | ImportFormat::Conll
        | ImportFormat::Jsonl
        | ImportFormat::LabelStudio
        | ImportFormat::Webanno => return Some(requested),
        ImportFormat::Auto => {}
        _ => return None,
    }
    let by_extension = |ext: &str| {
        if ext == "ann" {
            Some(ImportFormat::Brat)
        } else if conll::EXTENSIONS.contains(&ext) {
            Some(ImportFormat::Conll)
        } else if jsonl::EXTENSIONS.contains(&ext) {
            Some(ImportFormat::Jsonl)
        } else if label_studio::EXTENSIONS.contains(&ext) {
            Some(ImportFormat::LabelStudio)
        } else {
            None
        }
    };
    if path.is_dir() {
        // `.json` is too common to make a folder Label Studio: that takes --format.
        let kinds: [(&[&str], ImportFormat); 3] = [
            (&["ann"], ImportFormat::Brat),
            (conll::EXTENSIONS, ImportFormat::Conll),
            (jsonl::EXTENSIONS, ImportFormat::Jsonl),
        ];
        kinds
            .into_iter()
            .find_map(|(exts, f)| {
                let mut found = Vec::new();
                // An unreadable folder is reported when the import reads it; here it only
                // means the format is not guessed from it.
                walk_extensions(path, exts, &mut found).ok();
                (!found.is_empty()).then_some(f)
            })
            .or_else(|| {
                let mut found = Vec::new();
                walk_extensions(path, &["tsv"], &mut found).ok();
                found
                    .iter()
                    .any(|f| webanno::sniff(f))
                    .then_some(ImportFormat::Webanno)
            })
    } else if extension(path) == "tsv" && webanno::sniff(path) {
        Some(ImportFormat::Webanno)
    } else {
        by_extension(&extension(path))
    }
}

/// Files under `dir` (recursively, in name order, hidden entries skipped) with one of `exts`.
pub(crate) fn walk_extensions(
    dir: &Path,
    exts: &[&str],
    out: &mut Vec<PathBuf>,
) -> Result<(), ImportError> {
    walk_files(dir, &mut |_| {}, &mut |path| {
        if exts.contains(&extension(&path).as_str()) {
            out.push(path);
        }
    })
}

/// Visits every file under `dir`, depth first with each folder's entries in name order,
/// skipping hidden entries; `on_dir` sees each folder (starting with `dir`) before its files.
pub(crate) fn walk_files(
    dir: &Path,
    on_dir: &mut dyn FnMut(&Path),
    on_file: &mut dyn FnMut(PathBuf),
) -> Result<(), ImportError> {
    let io = |source| ImportError::Io {
        path: dir.to_path_buf(),
        source,
    };
    on_dir(dir);
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .collect::<Result<_, _>>()
        .map_err(io)?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let ty = entry.file_type().map_err(io)?;
        if ty.is_dir() {
            walk_files(&path, on_dir, on_file)?;
        } else if ty.is_file() {
            on_file(path);
        }
    }
    Ok(())
}

/// Adds read documents as a transaction, skipping texts the project already has.
pub fn documents_transaction(
    project: &Project,
    read: Vec<ReadDocument>,
) -> (Transaction, ImportReport) {
    let mut ids = project.ids();
    let mut report = ImportReport::default();
    let mut seen: HashSet<String> = project
        .documents
        .iter()
        .map(|d| d.content_hash.clone())
        .collect();
    let mut tx = Transaction::new("Import documents");
    let mut index = project.documents.len();
    for doc in read {
        let id = ids.document();
        let source = doc
            .source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut document = Document::new(id, &doc.title, &source, doc.text);
        document.metadata = doc.metadata;
        if !seen.insert(document.content_hash.clone()) {
            report.notices.push(format!(
                "{}: already in the project, skipped",
                doc.source.display()
            ));
            report.skipped_duplicates.push(doc.source);
            continue;
        }
        tx.push(Edit::InsertDocument {
            index,
            document: std::sync::Arc::new(document),
        });
        index += 1;
        report.added += 1;
    }
    (tx, report)
}

#[cfg(test)]
mod tests;
