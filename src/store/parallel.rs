//! Reading and writing the documents of a project file in parallel.
//!
//! A project file is one RON value, and RON's parser is the whole cost of opening a large
//! project. The documents list is most of the file, and each document is an independent
//! value, so the reader cuts the list into its elements with a small lexer (strings, chars and
//! brackets only; no parsing) while the file streams in, and hands batches of elements to
//! rayon. Only a batch or two of source text is in memory at a time, never the whole file.
//!
//! This is a fast path for the files Marginalia writes. Anything it does not expect (a
//! comment, a raw string, an attribute, an older format version, no `documents` list, any
//! parse error) makes it give up and the caller parses the whole file the plain way, which
//! also gives the exact error message and position.

use crate::model::{Document, FORMAT_VERSION, Project};
use rayon::prelude::*;
use std::io::Read;
use std::ops::Range;
use std::sync::Arc;

/// Source bytes per parallel batch: big enough to amortise the hand-over, small enough that
/// a few in flight cost little memory.
const BATCH_BYTES: usize = 1 << 20;
/// Bytes read from the file at a time.
const READ_BYTES: usize = 1 << 20;

/// Parses a project from `reader`; `Ok(None)` when the fast path does not apply (the caller
/// then parses the whole file). Validation is left to the caller.
pub(super) fn read_project(reader: impl Read + Send) -> std::io::Result<Option<Project>> {
    let mut splitter = Splitter::new(reader);
    let mut batches: Vec<(usize, Option<Vec<Document>>)> = (&mut splitter)
        .par_bridge()
        .map(|batch| (batch.index, parse_batch(&batch)))
        .collect();
    if let Some(e) = splitter.io_error.take() {
        return Err(e);
    }
    if splitter.gave_up || splitter.phase != Phase::Tail {
        return Ok(None);
    }
    let mut skeleton = std::mem::take(&mut splitter.head);
    skeleton.extend_from_slice(b"[]");
    skeleton.extend_from_slice(&splitter.buf);
    let Ok(skeleton) = std::str::from_utf8(&skeleton) else {
        return Ok(None);
    };
    if super::probe_format_version(skeleton) != Some(FORMAT_VERSION) {
        return Ok(None);
    }
    let Ok(mut project) = super::ron_options().from_str::<Project>(skeleton) else {
        return Ok(None);
    };
    batches.sort_unstable_by_key(|(index, _)| *index);
    let mut documents = Vec::with_capacity(splitter.elements);
    for (_, parsed) in batches {
        let Some(parsed) = parsed else {
            return Ok(None);
        };
        documents.extend(parsed.into_iter().map(Arc::new));
    }
    project.documents = documents;
    Ok(Some(project))
}

fn parse_batch(batch: &Batch) -> Option<Vec<Document>> {
    batch
        .elements
        .iter()
        .map(|range| {
            let text = std::str::from_utf8(&batch.bytes[range.clone()]).ok()?;
            let mut doc: Document = super::ron_options().from_str(text).ok()?;
            // Parsed strings and lists grow by doubling; the slack would stay for the whole
            // session (up to half the memory of a large project).
            doc.text.shrink_to_fit();
            doc.spans.shrink_to_fit();
            doc.relations.shrink_to_fit();
            Some(doc)
        })
        .collect()
}

/// Consecutive elements of the documents list, with their ranges in `bytes`.
struct Batch {
    index: usize,
    bytes: Vec<u8>,
    elements: Vec<Range<usize>>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    /// Before the documents list: kept whole in `head`.
    Head,
    /// Inside the documents list.
    Documents,
    /// After it: the rest of the file is kept in `buf`.
    Tail,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Lexeme {
    Code,
    Str,
    StrEscape,
    Char,
    CharEscape,
}

/// Streams a project file and yields batches of document elements.
struct Splitter<R> {
    reader: R,
    phase: Phase,
    lexeme: Lexeme,
    depth: usize,
    /// The code byte before the current one (to spot raw strings `r"..."`).
    previous: u8,
    /// Unhandled bytes; in the tail phase, the tail.
    buf: Vec<u8>,
    /// How far `buf` has been lexed.
    scanned: usize,
    /// Where the current element of the documents list starts in `buf`.
    element_start: usize,
    /// Complete elements in `buf` not yet handed out.
    pending: Vec<Range<usize>>,
    pending_bytes: usize,
    /// The file up to the documents list's `[` (exclusive).
    head: Vec<u8>,
    batches: usize,
    elements: usize,
    eof: bool,
    gave_up: bool,
    io_error: Option<std::io::Error>,
}

impl<R: Read> Splitter<R> {
    fn new(reader: R) -> Splitter<R> {
        Splitter {
            reader,
            phase: Phase::Head,
            lexeme: Lexeme::Code,
            depth: 0,
            previous: b' ',
            buf: Vec::with_capacity(2 * READ_BYTES),
            scanned: 0,
            element_start: 0,
            pending: Vec::new(),
            pending_bytes: 0,
            head: Vec::new(),
            batches: 0,
            elements: 0,
            eof: false,
            gave_up: false,
            io_error: None,
        }
    }

    /// Appends the next piece of the file to `buf`; false at the end or on an error.
    fn fill(&mut self) -> bool {
        match (&mut self.reader)
            .take(READ_BYTES as u64)
            .read_to_end(&mut self.buf)
        {
            Ok(0) => {
                self.eof = true;
                false
            }
            Ok(_) => true,
            Err(e) => {
                self.io_error = Some(e);
                false
            }
        }
    }

    /// Lexes `buf[scanned..]` until a batch is ready, the list ends or the bytes run out.
    fn scan(&mut self) {
        while self.scanned < self.buf.len() && self.phase != Phase::Tail && !self.gave_up {
            let at = self.scanned;
            let byte = self.buf[at];
            match self.lexeme {
                Lexeme::Str => {
                    // Document text is most of the file: jump to the next quote or escape.
                    match memchr::memchr2(b'"', b'\\', &self.buf[at..]) {
                        Some(k) => {
                            self.lexeme = if self.buf[at + k] == b'"' {
                                Lexeme::Code
                            } else {
                                Lexeme::StrEscape
                            };
                            self.scanned = at + k + 1;
                        }
                        None => self.scanned = self.buf.len(),
                    }
                    continue;
                }
                Lexeme::StrEscape => self.lexeme = Lexeme::Str,
                Lexeme::Char => match byte {
                    b'\\' => self.lexeme = Lexeme::CharEscape,
                    b'\'' => self.lexeme = Lexeme::Code,
                    _ => {}
                },
                Lexeme::CharEscape => self.lexeme = Lexeme::Char,
                Lexeme::Code => {
                    self.code_byte(at, byte);
                    self.previous = byte;
                }
            }
            self.scanned = at + 1;
            if self.pending_bytes >= BATCH_BYTES {
                return;
            }
        }
    }

    fn code_byte(&mut self, at: usize, byte: u8) {
        match byte {
            b'"' => {
                // `r"..."` is a raw string (no escapes): not written by us. A quote right
                // after an identifier is invalid anyway.
                if is_ident(self.previous) {
                    self.gave_up = true;
                }
                self.lexeme = Lexeme::Str;
            }
            b'\'' => self.lexeme = Lexeme::Char,
            // Comments, raw strings and identifiers, attributes: not written by us.
            b'/' | b'#' => self.gave_up = true,
            b'(' | b'{' => self.depth += 1,
            b'[' => {
                self.depth += 1;
                if self.phase == Phase::Head
                    && self.depth == 2
                    && names_documents_field(&self.buf[..at])
                {
                    self.head = self.buf[..at].to_vec();
                    self.phase = Phase::Documents;
                    self.element_start = at + 1;
                }
            }
            b')' | b'}' | b']' => {
                if self.depth == 0 {
                    self.gave_up = true;
                    return;
                }
                self.depth -= 1;
                if self.phase == Phase::Documents && self.depth == 1 {
                    // `]` of the documents list (a `)` here would be a syntax error).
                    if byte != b']' {
                        self.gave_up = true;
                        return;
                    }
                    self.end_element(at, true);
                    self.phase = Phase::Tail;
                }
            }
            b',' if self.phase == Phase::Documents && self.depth == 2 => {
                self.end_element(at, false);
            }
            _ => {}
        }
    }

    fn end_element(&mut self, at: usize, last: bool) {
        let range = trim(&self.buf, self.element_start..at);
        if range.is_empty() {
            // Only `[]` or a trailing comma may leave an empty element.
            if !last {
                self.gave_up = true;
            }
        } else {
            self.pending_bytes += range.len();
            self.pending.push(range);
        }
        self.element_start = at + 1;
    }

    /// Cuts the complete elements off the front of `buf` as a batch (after the list, this
    /// leaves just the tail in `buf`).
    fn take_batch(&mut self) -> Batch {
        let cut = self.element_start.min(self.scanned);
        let rest = self.buf[cut..].to_vec();
        let mut bytes = std::mem::replace(&mut self.buf, rest);
        bytes.truncate(cut);
        self.scanned -= cut;
        self.element_start -= cut;
        let batch = Batch {
            index: self.batches,
            bytes,
            elements: std::mem::take(&mut self.pending),
        };
        self.batches += 1;
        self.elements += batch.elements.len();
        self.pending_bytes = 0;
        batch
    }
}

impl<R: Read> Iterator for Splitter<R> {
    type Item = Batch;

    fn next(&mut self) -> Option<Batch> {
        loop {
            if self.gave_up || self.io_error.is_some() {
                return None;
            }
            self.scan();
            if self.pending_bytes >= BATCH_BYTES || self.phase == Phase::Tail {
                let batch = self.take_batch();
                if !batch.elements.is_empty() {
                    return Some(batch);
                }
            }
            if self.eof {
                if self.phase == Phase::Tail {
                    return None;
                }
                // The file ended inside the head or the list: let the plain parser explain.
                self.gave_up = true;
                return None;
            }
            if self.phase == Phase::Tail {
                // Read the whole tail (entities and decisions) into `buf`.
                while self.fill() {}
                continue;
            }
            self.fill();
        }
    }
}

fn is_ident(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

/// Whether `before` ends with `documents:` (then whitespace), preceded by `(` or `,`: the
/// field of the top-level struct, not a word inside some value.
fn names_documents_field(before: &[u8]) -> bool {
    let rest = trim_end(before);
    let Some(rest) = rest.strip_suffix(b":") else {
        return false;
    };
    let Some(rest) = trim_end(rest).strip_suffix(b"documents") else {
        return false;
    };
    matches!(trim_end(rest).last(), Some(b'(' | b','))
}

fn trim_end(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(0, |i| i + 1);
    &bytes[..end]
}

fn trim(bytes: &[u8], range: Range<usize>) -> Range<usize> {
    let slice = &bytes[range.clone()];
    let start = slice
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(slice.len());
    let end = slice
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |i| i + 1);
    range.start + start..range.start + end
}

/// The project as pretty RON, documents serialized in parallel. Byte for byte what one
/// `ron::to_string_pretty` of the whole project gives (see the tests).
pub(super) fn to_ron_string(project: &Project) -> Result<String, ron::Error> {
    let skeleton = Project {
        format_version: project.format_version,
        name: project.name.clone(),
        next_id: project.next_id,
        id_blocks: project.id_blocks.clone(),
        schema: project.schema.clone(),
        documents: Vec::new(),
        entities: project.entities.clone(),
        decisions: project.decisions.clone(),
        relation_decisions: project.relation_decisions.clone(),
        conflicts: project.conflicts.clone(),
        revision: project.revision,
        id_block: project.id_block,
    };
    let outline = ron::Options::default().to_string_pretty(&skeleton, super::pretty_config(4))?;
    const EMPTY_LIST: &str = "\n  documents: [],\n";
    let Some(at) = outline.find(EMPTY_LIST) else {
        return ron::Options::default().to_string_pretty(project, super::pretty_config(4));
    };
    // A document inside the project is two levels deep: two levels less of depth limit, and
    // four more spaces before every line (real newlines only separate lines of structure:
    // strings escape theirs).
    let documents: Vec<String> = project
        .documents
        .par_iter()
        .map(|d| {
            let text = ron::Options::default().to_string_pretty(d, super::pretty_config(2))?;
            let mut indented = String::with_capacity(text.len() + 4 * text.len() / 32);
            for line in text.split('\n') {
                indented.push_str("    ");
                indented.push_str(line);
                indented.push('\n');
            }
            indented.pop();
            indented.push_str(",\n");
            Ok(indented)
        })
        .collect::<Result<_, ron::Error>>()?;
    let size = outline.len() + documents.iter().map(String::len).sum::<usize>() + 32;
    let mut out = String::with_capacity(size);
    out.push_str(&outline[..at]);
    if documents.is_empty() {
        out.push_str(EMPTY_LIST);
    } else {
        out.push_str("\n  documents: [\n");
        for doc in &documents {
            out.push_str(doc);
        }
        out.push_str("  ],\n");
    }
    out.push_str(&outline[at + EMPTY_LIST.len()..]);
    Ok(out)
}

#[cfg(test)]
mod metadata_tests {
    use crate::model::{Document, DocumentMetadata, Project};
    use std::path::Path;

    fn project(metadata: DocumentMetadata) -> Project {
        let mut p = Project::new("m");
        let id = p.new_document_id();
        let mut d = Document::new(id, "Talks", "talks.eml", "Talks resumed.\n".into());
        d.metadata = metadata;
        p.documents.push(d.into());
        p
    }

    #[test]
    fn metadata_round_trips_through_the_parallel_reader_and_writer() {
        let mut metadata = DocumentMetadata {
            date: Some("2024-03-01T09:30:00+04:00".into()),
            author: Some("Ani \"AH\" Hakobyan".into()),
            url: Some("https://example.org/talks".into()),
            language: Some("en".into()),
            ..DocumentMetadata::default()
        };
        metadata
            .extra
            .insert("to".into(), "desk@example.org".into());
        let p = project(metadata);
        let text = super::to_ron_string(&p).unwrap();
        assert!(text.contains("metadata: DocumentMetadata("), "{text}");
        let fast = super::read_project(text.as_bytes())
            .unwrap()
            .expect("fast path");
        assert_eq!(fast.documents, p.documents);
        let loaded = crate::store::from_ron_str(&text, Path::new("m.ron")).unwrap();
        assert_eq!(loaded.documents, p.documents);
    }

    #[test]
    fn empty_metadata_is_not_written_and_old_files_load() {
        let p = project(DocumentMetadata::default());
        let text = super::to_ron_string(&p).unwrap();
        assert!(!text.contains("metadata"), "{text}");
        let loaded = crate::store::from_ron_str(&text, Path::new("m.ron")).unwrap();
        assert!(loaded.documents[0].metadata.is_empty());
    }
}
