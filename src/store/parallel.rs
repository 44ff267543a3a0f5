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
            let mut doc = parse_document(text)?;
            // Parsed strings and lists grow by doubling; the slack would stay for the whole
            // session (up to half the memory of a large project).
            doc.text.shrink_to_fit();
            doc.spans.shrink_to_fit();
            doc.relations.shrink_to_fit();
            Some(doc)
        })
        .collect()
}

/// A document this large (one with very many annotations) is parsed in pieces: its span and
/// relation lists in chunks of about `CHUNK_BYTES`, in parallel, and the rest on its own.
const SPLIT_BYTES: usize = 1 << 20;
const CHUNK_BYTES: usize = 128 << 10;

fn parse_document(text: &str) -> Option<Document> {
    if text.len() >= SPLIT_BYTES
        && let Some(doc) = parse_in_pieces(text)
    {
        return Some(doc);
    }
    super::ron_options().from_str(text).ok()
}

/// `None` when the document does not look as expected (the caller parses it whole).
fn parse_in_pieces(text: &str) -> Option<Document> {
    let [span_list, relation_list] = annotation_lists(text.as_bytes())?;
    // The document without its lists' contents: `spans: [], relations: []`.
    let mut cuts = [span_list.contents.clone(), relation_list.contents.clone()];
    cuts.sort_by_key(|r| r.start);
    let mut skeleton = String::with_capacity(text.len() - cuts[0].len() - cuts[1].len());
    skeleton.push_str(&text[..cuts[0].start]);
    skeleton.push_str(&text[cuts[0].end..cuts[1].start]);
    skeleton.push_str(&text[cuts[1].end..]);
    let (mut doc, (spans, relations)) = rayon::join(
        || super::ron_options().from_str::<Document>(&skeleton).ok(),
        || {
            rayon::join(
                || parse_chunks(text, &span_list.elements),
                || parse_chunks(text, &relation_list.elements),
            )
        },
    );
    let doc_ref = doc.as_mut()?;
    doc_ref.spans = spans?;
    doc_ref.relations = relations?;
    doc
}

/// Parses list elements (ranges of `text`) in chunks, in parallel, keeping their order.
fn parse_chunks<T: serde::de::DeserializeOwned + Send>(
    text: &str,
    elements: &[Range<usize>],
) -> Option<Vec<T>> {
    let mut chunks: Vec<Range<usize>> = Vec::new();
    for e in elements {
        match chunks.last_mut() {
            Some(last) if last.end - last.start < CHUNK_BYTES => last.end = e.end,
            _ => chunks.push(e.clone()),
        }
    }
    let parsed: Vec<Vec<T>> = chunks
        .par_iter()
        .map(|r| {
            let list = format!("[{}]", &text[r.clone()]);
            super::ron_options().from_str::<Vec<T>>(&list).ok()
        })
        .collect::<Option<_>>()?;
    let mut out = Vec::with_capacity(elements.len());
    for part in parsed {
        out.extend(part);
    }
    Some(out)
}

/// A list field of a document: where its contents are, and its elements.
#[derive(Default)]
struct ListField {
    contents: Range<usize>,
    elements: Vec<Range<usize>>,
}

/// Finds the `spans` and `relations` lists of one document (`Document( ... )`) with the same
/// lexing as the splitter (strings, chars, brackets); `None` when one is missing, appears
/// twice, or something unexpected shows up.
fn annotation_lists(bytes: &[u8]) -> Option<[ListField; 2]> {
    const NAMES: [&[u8]; 2] = [b"spans", b"relations"];
    let mut lists: [Option<ListField>; 2] = [None, None];
    let mut open: Option<(usize, ListField)> = None;
    let mut depth = 0usize;
    let mut element_start = 0;
    let mut at = 0;
    while at < bytes.len() {
        let byte = bytes[at];
        match byte {
            b'"' => {
                if at > 0 && is_ident(bytes[at - 1]) {
                    return None;
                }
                at = string_end(bytes, at + 1, b'"')?;
            }
            b'\'' => at = string_end(bytes, at + 1, b'\'')?,
            b'/' | b'#' => return None,
            b'(' | b'{' => depth += 1,
            b'[' => {
                depth += 1;
                if depth == 2 && open.is_none() {
                    let before = &bytes[..at];
                    if let Some(k) = NAMES.iter().position(|n| names_field(before, n)) {
                        let field = ListField {
                            contents: at + 1..at + 1,
                            elements: Vec::new(),
                        };
                        open = Some((k, field));
                        element_start = at + 1;
                    }
                }
            }
            b')' | b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                if depth == 1
                    && let Some((k, mut field)) = open.take()
                {
                    let last = trim(bytes, element_start..at);
                    if !last.is_empty() {
                        field.elements.push(last);
                    }
                    field.contents.end = at;
                    if lists[k].replace(field).is_some() {
                        return None;
                    }
                }
            }
            b',' if depth == 2 && open.is_some() => {
                let element = trim(bytes, element_start..at);
                if element.is_empty() {
                    return None;
                }
                if let Some((_, field)) = open.as_mut() {
                    field.elements.push(element);
                }
                element_start = at + 1;
            }
            _ => {}
        }
        at += 1;
    }
    let [spans, relations] = lists;
    Some([spans?, relations?])
}

/// The position of the closing `quote` of a string or char starting at `from` (escapes
/// skipped).
fn string_end(bytes: &[u8], mut from: usize, quote: u8) -> Option<usize> {
    loop {
        let k = memchr::memchr2(quote, b'\\', &bytes[from..])?;
        if bytes[from + k] == quote {
            return Some(from + k);
        }
        from += k + 2;
        if from > bytes.len() {
            return None;
        }
    }
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
    names_field(before, b"documents")
}

/// Whether `before` ends with `NAME:` (then whitespace), preceded by `(` or `,`.
fn names_field(before: &[u8], name: &[u8]) -> bool {
    let rest = trim_end(before);
    let Some(rest) = rest.strip_suffix(b":") else {
        return false;
    };
    let Some(rest) = trim_end(rest).strip_suffix(name) else {
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
        schema: project.schema.clone(),
        documents: Vec::new(),
        entities: project.entities.clone(),
        decisions: project.decisions.clone(),
        relation_decisions: project.relation_decisions.clone(),
        conflicts: project.conflicts.clone(),
        revision: project.revision,
    };
    let outline = ron::Options::default().to_string_pretty(&skeleton, super::pretty_config(4))?;
    const EMPTY_LIST: &str = "\n  documents: [],\n";
    let Some(at) = outline.find(EMPTY_LIST) else {
        return ron::Options::default().to_string_pretty(project, super::pretty_config(4));
    };
    // A document inside the project is two levels deep: two levels less of depth limit, and
    // four more spaces before every line (real newlines only separate lines of structure:
    // strings escape theirs). Documents are written in parallel, a chunk of them into one
    // buffer sized beforehand, indented as they are written: no buffer regrows, and each
    // byte is copied once more, into the file's text.
    let chunk = project
        .documents
        .len()
        .div_ceil(rayon::current_num_threads() * 8)
        .max(1);
    let documents: Vec<String> = project
        .documents
        .par_chunks(chunk)
        .map(|docs| {
            let mut out = String::with_capacity(docs.iter().map(|d| estimated_size(d)).sum());
            for d in docs {
                out.push_str("    ");
                let mut indented = Indented(&mut out);
                ron::Options::default().to_writer_pretty(
                    &mut indented,
                    &**d,
                    super::pretty_config(2),
                )?;
                out.push_str(",\n");
            }
            Ok(out)
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

/// About how many bytes a document takes in the file (its text, a line per annotation).
fn estimated_size(d: &Document) -> usize {
    d.text.len() + d.text.len() / 16 + 100 * (d.spans.len() + d.relations.len()) + 1024
}

/// Writes into a string with four spaces after every newline.
struct Indented<'a>(&'a mut String);

impl std::fmt::Write for Indented<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        // Most pieces are a name, a number or one escaped char.
        if s.len() <= 16 && !s.as_bytes().contains(&b'\n') {
            self.0.push_str(s);
            return Ok(());
        }
        let mut from = 0;
        for at in memchr::memchr_iter(b'\n', s.as_bytes()) {
            self.0.push_str(&s[from..at]);
            self.0.push_str("\n    ");
            from = at + 1;
        }
        self.0.push_str(&s[from..]);
        Ok(())
    }

    // The serializer writes escaped strings a char at a time.
    fn write_char(&mut self, c: char) -> std::fmt::Result {
        if c == '\n' {
            self.0.push_str("\n    ");
        } else {
            self.0.push(c);
        }
        Ok(())
    }
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
