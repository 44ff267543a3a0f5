//! Office documents: Word `.docx` (Office Open XML) and OpenDocument `.odt`, read from their ZIP
//! archives with `zip` and `quick-xml`. Paragraphs and headings become paragraphs; a table
//! becomes one line per row with its cells separated by tabs; footnotes and endnotes are marked
//! `[1]` in the text and listed after it; the document properties (`docProps/core.xml`,
//! `meta.xml`) become metadata. Headers, footers, comments, tracked deletions, images and
//! formatting are not kept.

use super::{ImportError, ReadDocument, decode};
use crate::model::DocumentMetadata;
use quick_xml::events::{BytesStart, Event};
use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

fn bad(path: &Path, message: impl Into<String>) -> ImportError {
    ImportError::Invalid {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// The parts of an archive, read on demand with the size limit.
pub(super) struct Archive<'a> {
    zip: zip::ZipArchive<std::io::Cursor<&'a [u8]>>,
    path: &'a Path,
    kind: &'static str,
}

impl<'a> Archive<'a> {
    pub(super) fn open(
        bytes: &'a [u8],
        path: &'a Path,
        kind: &'static str,
    ) -> Result<Archive<'a>, ImportError> {
        let zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
            .map_err(|e| bad(path, format!("not {kind} file (not a ZIP archive: {e})")))?;
        Ok(Archive { zip, path, kind })
    }

    /// A part's text, `None` when the archive has no such part.
    pub(super) fn part(&mut self, name: &str) -> Result<Option<String>, ImportError> {
        let path = self.path;
        let mut file = match self.zip.by_name(name) {
            Ok(f) => f,
            Err(zip::result::ZipError::FileNotFound) => return Ok(None),
            Err(e) => return Err(bad(path, format!("{name}: {e}"))),
        };
        if file.size() > decode::MAX_FILE_BYTES {
            return Err(bad(
                path,
                format!(
                    "{name} unpacks to {} bytes; the limit is {}",
                    file.size(),
                    decode::MAX_FILE_BYTES
                ),
            ));
        }
        let mut bytes = Vec::new();
        (&mut file)
            .take(decode::MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| bad(path, format!("{name}: cannot unpack: {e}")))?;
        if bytes.len() as u64 > decode::MAX_FILE_BYTES {
            return Err(bad(path, format!("{name} unpacks past the size limit")));
        }
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| bad(path, format!("{name} is not UTF-8 XML (a damaged file?)")))
    }

    fn required(&mut self, name: &str) -> Result<String, ImportError> {
        let kind = self.kind;
        self.part(name)?.ok_or_else(|| {
            bad(
                self.path,
                format!("not {kind} file (no {name} in the archive)"),
            )
        })
    }
}

/// What an element means for the text, whichever format it comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Role {
    Paragraph { heading: u8, title: bool },
    Cell,
    Row,
    Table,
    Note,
}

/// Text being built, as a stack of open containers.
#[derive(Default)]
struct Body {
    blocks: Vec<String>,
    stack: Vec<(Role, Vec<String>)>,
    notes: Vec<String>,
    title: Option<String>,
    heading: Option<String>,
}

impl Body {
    fn open(&mut self, role: Role) {
        self.stack.push((role, vec![String::new()]));
    }

    fn in_paragraph(&self) -> bool {
        matches!(self.stack.last(), Some((Role::Paragraph { .. }, _)))
    }

    fn text(&mut self, t: &str) {
        if let Some((Role::Paragraph { .. }, parts)) = self.stack.last_mut()
            && let Some(s) = parts.last_mut()
        {
            s.push_str(t);
        }
    }

    /// Closes the innermost container of this role (ignoring a stray end tag).
    fn close(&mut self, role: fn(&Role) -> bool) {
        if !self.stack.last().is_some_and(|(r, _)| role(r)) {
            return;
        }
        let Some((role, parts)) = self.stack.pop() else {
            return;
        };
        let joined = match role {
            Role::Paragraph { .. } => parts.concat().trim().to_string(),
            Role::Cell => join_nonempty(&parts[1..], " "),
            Role::Row => join_nonempty(&parts[1..], "\t"),
            Role::Table => join_nonempty(&parts[1..], "\n"),
            Role::Note => {
                let note = join_nonempty(&parts[1..], " ");
                self.notes.push(note);
                return;
            }
        };
        if let Role::Paragraph { heading, title } = role
            && !joined.is_empty()
            && self.stack.is_empty()
        {
            if title && self.title.is_none() {
                self.title = Some(joined.clone());
            } else if heading == 1 && self.heading.is_none() {
                self.heading = Some(joined.clone());
            }
        }
        match self.stack.last_mut() {
            Some((_, parts)) => parts.push(joined),
            None if !joined.is_empty() => self.blocks.push(joined),
            None => {}
        }
    }

    fn finish(self, notes: &[String]) -> (Option<String>, String) {
        let mut text = self.blocks.join("\n\n");
        let notes: Vec<String> = notes
            .iter()
            .enumerate()
            .filter(|(_, n)| !n.is_empty())
            .map(|(i, n)| format!("[{}] {n}", i + 1))
            .collect();
        if !notes.is_empty() && !text.is_empty() {
            text.push_str("\n\n");
            text.push_str(&notes.join("\n"));
        }
        if !text.is_empty() {
            text.push('\n');
        }
        (self.title.or(self.heading), text)
    }
}

fn join_nonempty(parts: &[String], sep: &str) -> String {
    parts
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.unescape_value().ok().map(|v| v.into_owned()))
}

/// Runs `on` over every event of `xml`, with text and entity references already resolved to
/// `Text`; the error names the part and the byte.
fn walk_xml(
    xml: &str,
    part: &str,
    path: &Path,
    mut on: impl FnMut(Xml<'_>),
) -> Result<(), ImportError> {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        let event = reader.read_event().map_err(|e| {
            bad(
                path,
                format!(
                    "{part}: malformed XML at byte {}: {e}",
                    reader.error_position()
                ),
            )
        })?;
        match event {
            Event::Start(e) => on(Xml::Start(&e)),
            Event::Empty(e) => {
                on(Xml::Start(&e));
                on(Xml::End(e.local_name().as_ref()));
            }
            Event::End(e) => on(Xml::End(e.local_name().as_ref())),
            Event::Text(t) => {
                if let Ok(t) = t.decode() {
                    on(Xml::Text(&t));
                }
            }
            Event::CData(t) => {
                if let Ok(t) = t.decode() {
                    on(Xml::Text(&t));
                }
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c.to_string()),
                    _ => r.decode().ok().and_then(|n| {
                        quick_xml::escape::resolve_xml_entity(&n).map(str::to_string)
                    }),
                };
                if let Some(s) = resolved {
                    on(Xml::Text(&s));
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}

enum Xml<'a> {
    Start(&'a BytesStart<'a>),
    End(&'a [u8]),
    Text(&'a str),
}

fn local(e: &BytesStart) -> Vec<u8> {
    e.local_name().as_ref().to_vec()
}

/// Simple properties: the text of each element by its local name.
fn properties(xml: &str, part: &str, path: &Path) -> Result<BTreeMap<String, String>, ImportError> {
    let mut out = BTreeMap::new();
    let mut current: Option<String> = None;
    walk_xml(xml, part, path, |x| match x {
        Xml::Start(e) => current = Some(String::from_utf8_lossy(&local(e)).into_owned()),
        Xml::End(_) => current = None,
        Xml::Text(t) => {
            if let Some(name) = &current
                && !t.trim().is_empty()
            {
                out.entry(name.clone())
                    .or_insert_with(String::new)
                    .push_str(t);
            }
        }
    })?;
    Ok(out)
}

/// Metadata from Dublin Core style properties (both formats use these names).
fn metadata_of(props: &BTreeMap<String, String>) -> (Option<String>, DocumentMetadata) {
    let get = |k: &str| props.get(k).map(|v| v.trim()).filter(|v| !v.is_empty());
    let mut m = DocumentMetadata::default();
    DocumentMetadata::fill(&mut m.author, get("creator").or(get("initial-creator")));
    if let Some(date) = get("created").or(get("creation-date")).or(get("date")) {
        super::table::set_date(&mut m, date);
    }
    DocumentMetadata::fill(&mut m.language, get("language"));
    for (key, name) in [
        ("subject", "subject"),
        ("description", "description"),
        ("keywords", "keywords"),
        ("keyword", "keywords"),
        ("lastModifiedBy", "last_modified_by"),
        ("modified", "modified"),
        ("category", "category"),
    ] {
        if let Some(v) = get(key) {
            m.extra
                .entry(name.to_string())
                .or_insert_with(|| v.to_string());
        }
    }
    (get("title").map(str::to_string), m)
}

fn finish(
    path: &Path,
    body: Body,
    notes: &[String],
    props_title: Option<String>,
    metadata: DocumentMetadata,
) -> Result<ReadDocument, ImportError> {
    let (heading, text) = body.finish(notes);
    if text.trim().is_empty() {
        return Err(ImportError::Empty {
            path: path.to_path_buf(),
        });
    }
    let props_title = props_title.filter(|t| !t.trim().is_empty());
    Ok(ReadDocument::new(
        props_title.or(heading),
        path,
        text,
        metadata,
    ))
}

/// Reads the notes of a DOCX notes part (`word/footnotes.xml`): id -> text. The separator
/// notes Word keeps there are skipped.
fn docx_notes(
    xml: &str,
    part: &str,
    path: &Path,
    element: &[u8],
) -> Result<BTreeMap<String, String>, ImportError> {
    let mut out = BTreeMap::new();
    let mut body = Body::default();
    let mut current: Option<String> = None;
    let mut in_t = false;
    walk_xml(xml, part, path, |x| match x {
        Xml::Start(e) => match e.local_name().as_ref() {
            n if n == element => {
                let separator = attr(e, "w:type").is_some_and(|t| t != "normal");
                current = if separator { None } else { attr(e, "w:id") };
                body.open(Role::Note);
            }
            b"p" => body.open(Role::Paragraph {
                heading: 0,
                title: false,
            }),
            b"t" => in_t = true,
            b"tab" if body.in_paragraph() => body.text("\t"),
            _ => {}
        },
        Xml::End(name) => match name {
            n if n == element => {
                body.close(|r| *r == Role::Note);
                if let (Some(id), Some(note)) = (current.take(), body.notes.pop()) {
                    out.insert(id, note);
                }
            }
            b"p" => body.close(|r| matches!(r, Role::Paragraph { .. })),
            b"t" => in_t = false,
            _ => {}
        },
        Xml::Text(t) => {
            if in_t {
                body.text(t);
            }
        }
    })?;
    Ok(out)
}

pub(super) fn read_docx(bytes: &[u8], path: &Path) -> Result<ReadDocument, ImportError> {
    let mut archive = Archive::open(bytes, path, "a DOCX")?;
    let document = archive.required("word/document.xml")?;
    let mut notes_by_kind = BTreeMap::new();
    for (part, element, reference) in [
        (
            "word/footnotes.xml",
            &b"footnote"[..],
            &b"footnoteReference"[..],
        ),
        ("word/endnotes.xml", b"endnote", b"endnoteReference"),
    ] {
        if let Some(xml) = archive.part(part)? {
            notes_by_kind.insert(reference, docx_notes(&xml, part, path, element)?);
        }
    }
    let (props_title, metadata) = match archive.part("docProps/core.xml")? {
        Some(xml) => metadata_of(&properties(&xml, "docProps/core.xml", path)?),
        None => (None, DocumentMetadata::default()),
    };
    let mut body = Body::default();
    let mut notes = Vec::new();
    let mut in_t = false;
    walk_xml(&document, "word/document.xml", path, |x| match x {
        Xml::Start(e) => match e.local_name().as_ref() {
            b"p" => body.open(Role::Paragraph {
                heading: 0,
                title: false,
            }),
            b"pStyle" => {
                let style = attr(e, "w:val").unwrap_or_default().to_ascii_lowercase();
                if let Some((Role::Paragraph { heading, title }, _)) = body.stack.last_mut() {
                    *title = style == "title";
                    *heading = style
                        .strip_prefix("heading")
                        .and_then(|n| n.trim().parse().ok())
                        .unwrap_or(0);
                }
            }
            b"t" => in_t = true,
            b"tab" if body.in_paragraph() => body.text("\t"),
            b"br" | b"cr" if body.in_paragraph() => body.text("\n"),
            b"tbl" => body.open(Role::Table),
            b"tr" => body.open(Role::Row),
            b"tc" => body.open(Role::Cell),
            name @ (b"footnoteReference" | b"endnoteReference") => {
                let note = attr(e, "w:id").and_then(|id| {
                    notes_by_kind
                        .get(name)
                        .and_then(|n: &BTreeMap<String, String>| n.get(&id))
                });
                if let Some(note) = note {
                    notes.push(note.clone());
                    body.text(&format!("[{}]", notes.len()));
                }
            }
            _ => {}
        },
        Xml::End(name) => match name {
            b"p" => body.close(|r| matches!(r, Role::Paragraph { .. })),
            b"t" => in_t = false,
            b"tbl" => body.close(|r| *r == Role::Table),
            b"tr" => body.close(|r| *r == Role::Row),
            b"tc" => body.close(|r| *r == Role::Cell),
            _ => {}
        },
        Xml::Text(t) => {
            if in_t {
                body.text(t);
            }
        }
    })?;
    finish(path, body, &notes, props_title, metadata)
}

pub(super) fn read_odt(bytes: &[u8], path: &Path) -> Result<ReadDocument, ImportError> {
    let mut archive = Archive::open(bytes, path, "an ODT")?;
    let content = archive.required("content.xml")?;
    let (props_title, metadata) = match archive.part("meta.xml")? {
        Some(xml) => metadata_of(&properties(&xml, "meta.xml", path)?),
        None => (None, DocumentMetadata::default()),
    };
    let mut body = Body::default();
    // Elements whose text is not the document's: the note's own number (we number notes
    // ourselves), comments, tracked changes.
    let mut skip = 0usize;
    let mut in_body = false;
    walk_xml(&content, "content.xml", path, |x| match x {
        Xml::Start(e) => {
            let name = local(e);
            if skip > 0
                || matches!(
                    name.as_slice(),
                    b"note-citation" | b"annotation" | b"tracked-changes"
                )
            {
                skip += 1;
                return;
            }
            match name.as_slice() {
                b"body" => in_body = true,
                b"p" | b"h" => {
                    let level = attr(e, "text:outline-level")
                        .and_then(|l| l.parse().ok())
                        .unwrap_or(1);
                    let style = attr(e, "text:style-name").unwrap_or_default();
                    body.open(Role::Paragraph {
                        heading: if name == b"h" { level } else { 0 },
                        title: style == "Title",
                    });
                }
                b"s" => {
                    let n = attr(e, "text:c").and_then(|c| c.parse().ok()).unwrap_or(1);
                    body.text(&" ".repeat(n.min(100)));
                }
                b"tab" => body.text("\t"),
                b"line-break" => body.text("\n"),
                b"table" => body.open(Role::Table),
                b"table-row" => body.open(Role::Row),
                b"table-cell" => body.open(Role::Cell),
                b"note" => {
                    body.text(&format!("[{}]", body.notes.len() + 1));
                    body.open(Role::Note);
                }
                _ => {}
            }
        }
        Xml::End(name) => {
            if skip > 0 {
                skip -= 1;
                return;
            }
            match name {
                b"body" => in_body = false,
                b"p" | b"h" => body.close(|r| matches!(r, Role::Paragraph { .. })),
                b"table" => body.close(|r| *r == Role::Table),
                b"table-row" => body.close(|r| *r == Role::Row),
                b"table-cell" => body.close(|r| *r == Role::Cell),
                b"note" => body.close(|r| *r == Role::Note),
                _ => {}
            }
        }
        Xml::Text(t) => {
            if skip == 0 && in_body {
                // Whitespace in ODF text collapses; `text:s` gives explicit spaces.
                let mut collapsed = String::with_capacity(t.len());
                let mut space = false;
                for c in t.chars() {
                    if c.is_ascii_whitespace() {
                        space = true;
                    } else {
                        if space {
                            collapsed.push(' ');
                        }
                        space = false;
                        collapsed.push(c);
                    }
                }
                if space {
                    collapsed.push(' ');
                }
                body.text(&collapsed);
            }
        }
    })?;
    let notes = std::mem::take(&mut body.notes);
    finish(path, body, &notes, props_title, metadata)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::io::Write;

    /// Writes a ZIP archive of (name, content) parts.
    pub(crate) fn zip_file(path: &Path, parts: &[(&str, &str)]) {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
        for (name, content) in parts {
            zip.start_file(*name, zip::write::SimpleFileOptions::default())
                .unwrap();
            zip.write_all(content.as_bytes()).unwrap();
        }
        zip.finish().unwrap();
    }

    const W: &str = "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"";

    pub(crate) fn docx_parts() -> Vec<(&'static str, String)> {
        vec![
            (
                "word/document.xml",
                format!(
                    "<?xml version=\"1.0\"?><w:document {W}><w:body>\
                     <w:p><w:pPr><w:pStyle w:val=\"Heading1\"/></w:pPr><w:r><w:t>Talks in Yerevan</w:t></w:r></w:p>\
                     <w:p><w:r><w:t xml:space=\"preserve\">Minister Alijév &amp; the </w:t></w:r>\
                     <w:r><w:rPr><w:b/></w:rPr><w:t>delegation</w:t></w:r><w:r><w:t> met.</w:t></w:r>\
                     <w:r><w:footnoteReference w:id=\"2\"/></w:r></w:p>\
                     <w:tbl><w:tr><w:tc><w:p><w:r><w:t>Side</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Troops</w:t></w:r></w:p></w:tc></w:tr>\
                     <w:tr><w:tc><w:p><w:r><w:t>North</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>1,200</w:t></w:r></w:p></w:tc></w:tr></w:tbl>\
                     <w:p><w:r><w:t>Second</w:t></w:r><w:r><w:br/><w:t>line</w:t><w:instrText>PAGE</w:instrText></w:r></w:p>\
                     </w:body></w:document>"
                ),
            ),
            (
                "word/footnotes.xml",
                format!(
                    "<w:footnotes {W}><w:footnote w:type=\"separator\" w:id=\"-1\"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>\
                     <w:footnote w:id=\"2\"><w:p><w:r><w:t>Reported by the ministry.</w:t></w:r></w:p></w:footnote></w:footnotes>"
                ),
            ),
            (
                "docProps/core.xml",
                "<cp:coreProperties xmlns:cp=\"x\" xmlns:dc=\"y\" xmlns:dcterms=\"z\">\
                 <dc:title>Weekly brief</dc:title><dc:creator>Ani Hakobyan</dc:creator>\
                 <dc:language>en-GB</dc:language><cp:keywords>talks</cp:keywords>\
                 <dcterms:created>2024-03-01T09:30:00Z</dcterms:created></cp:coreProperties>"
                    .to_string(),
            ),
        ]
    }

    fn write_parts(
        name: &str,
        parts: &[(&str, String)],
    ) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(name);
        let refs: Vec<(&str, &str)> = parts.iter().map(|(n, c)| (*n, c.as_str())).collect();
        zip_file(&path, &refs);
        (dir, path)
    }

    #[test]
    fn docx_paragraphs_tables_footnotes_and_properties() {
        let (_d, path) = write_parts("brief.docx", &docx_parts());
        let doc = read_docx(&std::fs::read(&path).unwrap(), &path).unwrap();
        assert_eq!(
            doc.text,
            "Talks in Yerevan\n\nMinister Alijév & the delegation met.[1]\n\n\
             Side\tTroops\nNorth\t1,200\n\nSecond\nline\n\n[1] Reported by the ministry.\n"
        );
        assert_eq!(doc.title, "Weekly brief");
        let m = &doc.metadata;
        assert_eq!(m.author.as_deref(), Some("Ani Hakobyan"));
        assert_eq!(m.date.as_deref(), Some("2024-03-01T09:30:00Z"));
        assert_eq!(m.language.as_deref(), Some("en-GB"));
        assert_eq!(m.extra["keywords"], "talks");

        // Without properties the first top-level heading is the title.
        let mut parts = docx_parts();
        parts.truncate(1);
        let (_d, path) = write_parts("b.docx", &parts);
        let doc = read_docx(&std::fs::read(&path).unwrap(), &path).unwrap();
        assert_eq!(doc.title, "Talks in Yerevan");
        assert!(doc.metadata.is_empty());
    }

    #[test]
    fn odt_paragraphs_spaces_tables_notes_and_meta() {
        let content = "<office:document-content xmlns:office=\"o\" xmlns:text=\"t\" xmlns:table=\"b\">\
            <office:automatic-styles><style:style/></office:automatic-styles>\
            <office:body><office:text>\
            <text:h text:outline-level=\"1\">Convoy   crosses</text:h>\
            <text:p>Trucks<text:s text:c=\"2\"/>crossed<text:tab/>at dawn.<text:note text:note-class=\"footnote\">\
            <text:note-citation>1</text:note-citation><text:note-body><text:p>Per the Red Cross.</text:p></text:note-body></text:note>\
            <office:annotation><text:p>check this</text:p></office:annotation></text:p>\
            <table:table><table:table-row><table:table-cell><text:p>A</text:p></table:table-cell>\
            <table:table-cell><text:p>B</text:p></table:table-cell></table:table-row></table:table>\
            </office:text></office:body></office:document-content>";
        let meta = "<office:document-meta xmlns:office=\"o\" xmlns:meta=\"m\" xmlns:dc=\"d\"><office:meta>\
            <meta:initial-creator>Desk</meta:initial-creator><dc:date>2024-03-02T10:00:00</dc:date>\
            <dc:language>hy</dc:language></office:meta></office:document-meta>";
        let (_d, path) = write_parts(
            "c.odt",
            &[
                ("content.xml", content.to_string()),
                ("meta.xml", meta.to_string()),
            ],
        );
        let doc = read_odt(&std::fs::read(&path).unwrap(), &path).unwrap();
        assert_eq!(
            doc.text,
            "Convoy crosses\n\nTrucks  crossed\tat dawn.[1]\n\nA\tB\n\n[1] Per the Red Cross.\n"
        );
        assert_eq!(doc.title, "Convoy crosses");
        assert_eq!(doc.metadata.author.as_deref(), Some("Desk"));
        assert_eq!(doc.metadata.date.as_deref(), Some("2024-03-02T10:00:00"));
        assert_eq!(doc.metadata.language.as_deref(), Some("hy"));
    }

    #[test]
    fn broken_archives_say_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("fake.docx");
        std::fs::write(&path, "plain text, not a zip").unwrap();
        let err = read_docx(&std::fs::read(&path).unwrap(), &path)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("fake.docx: not a DOCX file (not a ZIP archive"),
            "{err}"
        );
        let (_d, path) = write_parts("other.docx", &[("readme.txt", "hi".to_string())]);
        let err = read_docx(&std::fs::read(&path).unwrap(), &path)
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("other.docx: not a DOCX file (no word/document.xml in the archive)"),
            "{err}"
        );
        let (_d, path) = write_parts(
            "bad.docx",
            &[(
                "word/document.xml",
                "<w:document><w:body><w:p></w:body>".to_string(),
            )],
        );
        let err = read_docx(&std::fs::read(&path).unwrap(), &path)
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("bad.docx: word/document.xml: malformed XML at byte"),
            "{err}"
        );
        let (_d, path) = write_parts(
            "empty.docx",
            &[(
                "word/document.xml",
                format!("<w:document {W}><w:body/></w:document>"),
            )],
        );
        assert!(matches!(
            read_docx(&std::fs::read(&path).unwrap(), &path),
            Err(ImportError::Empty { .. })
        ));
        let (_d, path) = write_parts("x.odt", &[("mimetype", "x".to_string())]);
        let err = read_odt(&std::fs::read(&path).unwrap(), &path)
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("x.odt: not an ODT file (no content.xml in the archive)"),
            "{err}"
        );
    }
}
