//! PDF: the text layer of every page, read with `pdf-extract` (pure Rust, on `lopdf`), in the
//! order the page draws it (for reports from word processors and LaTeX that is reading order;
//! multi-column layouts come column by column). Pages are joined by a blank line and the char
//! offset where each page starts is kept in `metadata.pages`, so a span can tell its page.
//! The info dictionary gives title, author and date; a PDF whose pages have no text (a scan)
//! is refused with a clear message rather than imported empty.

use super::{ImportError, ReadDocument};
use crate::model::DocumentMetadata;
use pdf_extract::{Dictionary, Document, Object, OutputDev, PlainTextOutput};
use std::path::Path;

pub(super) const EXTENSIONS: &[&str] = &["pdf"];

fn bad(path: &Path, message: impl Into<String>) -> ImportError {
    ImportError::Invalid {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Reads a PDF held in memory.
pub(super) fn read(bytes: &[u8], path: &Path) -> Result<ReadDocument, ImportError> {
    if !bytes.starts_with(b"%PDF-")
        && !bytes[..bytes.len().min(1024)]
            .windows(5)
            .any(|w| w == b"%PDF-")
    {
        return Err(bad(path, "not a PDF file (no %PDF- header)"));
    }
    // The parser is not ours and has panicked on damaged files: a panic becomes an error
    // naming the file instead of taking the program down.
    let parsed = super::quiet::quietly(|| extract(bytes));
    let (pages, info, language) = match parsed {
        Ok(Ok(v)) => v,
        Ok(Err(message)) => return Err(bad(path, message)),
        Err(_) => return Err(bad(path, "damaged PDF (the PDF reader failed on it)")),
    };
    if pages.is_empty() {
        return Err(bad(path, "the PDF has no pages"));
    }
    let mut text = String::new();
    let mut starts = Vec::with_capacity(pages.len());
    let mut chars = 0usize;
    for page in &pages {
        if !text.is_empty() {
            text.push_str("\n\n");
            chars += 2;
        }
        starts.push(chars);
        text.push_str(page);
        chars += page.chars().count();
    }
    if text.trim().is_empty() {
        return Err(bad(
            path,
            format!(
                "the PDF has no text layer ({} of images only, probably a scan); run OCR on it first (e.g. ocrmypdf) and import the result",
                crate::text::count(pages.len(), "page", "pages")
            ),
        ));
    }
    text.push('\n');
    let mut metadata = metadata_of(&info);
    DocumentMetadata::fill(&mut metadata.language, language.as_deref());
    metadata.pages = starts;
    let title = info
        .iter()
        .find(|(k, _)| k == "Title")
        .map(|(_, v)| v.clone());
    Ok(ReadDocument::new(title, path, text, metadata))
}

type Extracted = (Vec<String>, Vec<(String, String)>, Option<String>);

/// Each page's text (cleaned), the info dictionary's text entries and the catalog's `/Lang`.
fn extract(bytes: &[u8]) -> Result<Extracted, String> {
    let mut doc = Document::load_mem(bytes).map_err(|e| format!("not a readable PDF: {e}"))?;
    if doc.is_encrypted() && doc.decrypt("").is_err() {
        return Err("the PDF is encrypted with a password; save an unprotected copy".into());
    }
    break_parent_loops(&mut doc);
    check_unpacked_sizes(&doc, MAX_STREAM_BYTES)?;
    check_drawings(&doc)?;
    let numbers: Vec<u32> = doc.get_pages().keys().copied().collect();
    let mut pages = Vec::with_capacity(numbers.len());
    for n in numbers {
        let mut raw = String::new();
        let mut output = PlainTextOutput::new(&mut raw);
        page_text(&doc, &mut output, n).map_err(|e| format!("page {n}: {e}"))?;
        pages.push(clean_page(&raw));
    }
    let info = info_dictionary(&doc);
    let language = doc
        .catalog()
        .ok()
        .and_then(|c| c.get(b"Lang").ok())
        .and_then(|o| text_of(&doc, o));
    Ok((pages, info, language))
}

type Id = (u32, u16);

/// What one stream of a PDF may unpack to.
const MAX_STREAM_BYTES: u64 = 256 * 1024 * 1024;

/// A flate stream of a few megabytes can unpack to gigabytes, and the reader unpacks each
/// stream it draws whole (a 400 KB file took 860 MB): every flate stream is measured first,
/// unpacked and counted but not kept, and a file with one past `limit` is refused.
fn check_unpacked_sizes(doc: &Document, limit: u64) -> Result<(), String> {
    use std::io::Read;
    let is_flate = |o: &Object| o.as_name().ok() == Some(&b"FlateDecode"[..]);
    for (id, object) in &doc.objects {
        let Object::Stream(stream) = object else {
            continue;
        };
        let flate = match stream.dict.get(b"Filter") {
            Ok(Object::Array(filters)) => filters.iter().any(is_flate),
            Ok(filter) => is_flate(filter),
            Err(_) => false,
        };
        if !flate {
            continue;
        }
        let decoder = flate2::read::ZlibDecoder::new(&stream.content[..]);
        let unpacked =
            std::io::copy(&mut decoder.take(limit + 1), &mut std::io::sink()).unwrap_or(0);
        if unpacked > limit {
            return Err(format!(
                "damaged PDF (object {} unpacks to more than {} MB)",
                id.0,
                limit >> 20
            ));
        }
    }
    Ok(())
}

/// The dictionary an object is or refers to.
fn dict_at<'a>(doc: &'a Document, object: &'a Object) -> Option<&'a Dictionary> {
    match object {
        Object::Reference(id) => doc.get_dictionary(*id).ok(),
        Object::Dictionary(d) => Some(d),
        _ => None,
    }
}

fn parent_of(doc: &Document, node: Id) -> Option<Id> {
    let parent = doc.get_dictionary(node).ok()?.get(b"Parent").ok()?;
    parent.as_reference().ok()
}

/// A page tree whose `/Parent` links go round in a loop (a damaged or hostile file) would
/// send the reader's lookup of inherited attributes round forever: the link that closes a
/// loop is dropped, and the pages read as if it were not there.
fn break_parent_loops(doc: &mut Document) {
    let pages: Vec<Id> = doc.get_pages().values().copied().collect();
    for page in pages {
        let mut seen = std::collections::HashSet::from([page]);
        let mut node = page;
        while let Some(parent) = parent_of(doc, node) {
            if !seen.insert(parent) {
                if let Ok(d) = doc.get_dictionary_mut(node) {
                    d.remove(b"Parent");
                }
                break;
            }
            node = parent;
        }
    }
}

/// How many drawings (`Do` of a form or an image) one page may expand to, counting every
/// nested one; a page past it is refused, as is one whose forms draw themselves.
const MAX_DRAWS: u64 = 200_000;
/// How deep forms may be nested in each other.
const MAX_NESTING: usize = 64;

/// The reader draws a form XObject by reading its content, recursively and without limit: a
/// form that draws itself would never end (or overflow the stack), forms that each draw the
/// next twice would take exponential time. Both are refused before the reader starts.
fn check_drawings(doc: &Document) -> Result<(), String> {
    let mut forms = Forms {
        doc,
        draws: std::collections::HashMap::new(),
        stack: Vec::new(),
    };
    for (number, page) in doc.get_pages() {
        let mut resources = None;
        let mut node = Some(page);
        let mut depth = 0;
        while let (Some(id), None) = (node, resources) {
            resources = doc
                .get_dictionary(id)
                .ok()
                .and_then(|d| d.get(b"Resources").ok())
                .and_then(|r| dict_at(doc, r));
            node = parent_of(doc, id);
            depth += 1;
            if depth > MAX_NESTING {
                break;
            }
        }
        let content = doc.get_page_content(page).unwrap_or_default();
        forms
            .draws_of(&content, resources)
            .map_err(|e| format!("page {number}: {e}"))?;
    }
    Ok(())
}

struct Forms<'a> {
    doc: &'a Document,
    /// Draws a form with resources of its own expands to.
    draws: std::collections::HashMap<Id, u64>,
    /// The forms being expanded.
    stack: Vec<Id>,
}

impl<'a> Forms<'a> {
    /// Draws a content stream expands to, with `resources` naming its XObjects.
    fn draws_of(
        &mut self,
        content: &[u8],
        resources: Option<&'a Dictionary>,
    ) -> Result<u64, String> {
        let names: Vec<Vec<u8>> = pdf_extract::content::Content::decode(content)
            .map(|c| {
                c.operations
                    .into_iter()
                    .filter(|o| o.operator == "Do")
                    .filter_map(|o| Some(o.operands.first()?.as_name().ok()?.to_vec()))
                    .collect()
            })
            .unwrap_or_default();
        let xobjects = resources
            .and_then(|r| r.get(b"XObject").ok())
            .and_then(|x| dict_at(self.doc, x));
        let mut total = 0u64;
        for name in names {
            total = total.saturating_add(1);
            let child = xobjects
                .and_then(|x| x.get(&name).ok())
                .and_then(|o| o.as_reference().ok());
            if let Some(child) = child {
                total = total.saturating_add(self.draws_of_form(child, resources)?);
            }
            if total > MAX_DRAWS {
                return Err(format!(
                    "damaged PDF (its drawings nest into more than {MAX_DRAWS} draws)"
                ));
            }
        }
        Ok(total)
    }

    /// Draws inside the XObject `id` (0 for an image), drawn where `inherited` are the
    /// resources in force.
    fn draws_of_form(&mut self, id: Id, inherited: Option<&'a Dictionary>) -> Result<u64, String> {
        if self.stack.contains(&id) {
            return Err("damaged PDF (a drawing in it contains itself)".into());
        }
        if self.stack.len() >= MAX_NESTING {
            return Err(format!(
                "damaged PDF (drawings nested more than {MAX_NESTING} deep)"
            ));
        }
        if let Some(&n) = self.draws.get(&id) {
            return Ok(n);
        }
        let doc = self.doc;
        let Some(form) = doc.get_object(id).ok().and_then(|o| o.as_stream().ok()) else {
            return Ok(0);
        };
        if form.dict.get(b"Subtype").and_then(Object::as_name).ok() != Some(b"Form") {
            return Ok(0);
        }
        let own = form
            .dict
            .get(b"Resources")
            .ok()
            .and_then(|r| dict_at(doc, r));
        let content = form
            .decompressed_content()
            .unwrap_or_else(|_| form.content.clone());
        self.stack.push(id);
        let draws = self.draws_of(&content, own.or(inherited));
        self.stack.pop();
        let draws = draws?;
        // A form using the resources it is drawn with may draw other things elsewhere.
        if own.is_some() {
            self.draws.insert(id, draws);
        }
        Ok(draws)
    }
}

fn page_text(doc: &Document, output: &mut dyn OutputDev, page: u32) -> Result<(), String> {
    pdf_extract::output_doc_page(doc, output, page).map_err(|e| format!("{e:?}"))
}

/// Trailing spaces off every line, runs of blank lines cut to one, no blank edges.
fn clean_page(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut blank = 0usize;
    for line in raw.lines().map(str::trim_end) {
        if line.trim().is_empty() {
            blank += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank > 0 { "\n\n" } else { "\n" });
        }
        blank = 0;
        out.push_str(line);
    }
    out
}

fn info_dictionary(doc: &Document) -> Vec<(String, String)> {
    let Ok(info) = doc.trailer.get(b"Info") else {
        return Vec::new();
    };
    let dict: Option<&Dictionary> = match info {
        Object::Reference(id) => doc.get_dictionary(*id).ok(),
        Object::Dictionary(d) => Some(d),
        _ => None,
    };
    dict.map(|d| {
        d.iter()
            .filter_map(|(k, v)| {
                let value = text_of(doc, v)?;
                Some((String::from_utf8_lossy(k).into_owned(), value))
            })
            .filter(|(_, v)| !v.trim().is_empty())
            .collect()
    })
    .unwrap_or_default()
}

/// A PDF text string: UTF-16BE with its byte-order mark, UTF-8 with its mark (PDF 2.0), or
/// PDFDocEncoding (read as Latin-1, which it matches for letters).
fn text_of(doc: &Document, object: &Object) -> Option<String> {
    let object = match object {
        Object::Reference(id) => doc.get_object(*id).ok()?,
        o => o,
    };
    let bytes = match object {
        Object::String(bytes, _) => bytes,
        Object::Name(name) => name,
        _ => return None,
    };
    Some(decode_text_string(bytes))
}

pub(super) fn decode_text_string(bytes: &[u8]) -> String {
    let text = if let Some(utf16) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16_lossy(&units)
    } else if let Some(utf8) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(utf8).into_owned()
    } else {
        bytes.iter().map(|&b| char::from(b)).collect()
    };
    text.chars().filter(|c| !c.is_control()).collect()
}

/// A PDF date (`D:20240301093000+04'00'`) as ISO 8601 (`2024-03-01T09:30:00+04:00`), as far
/// as it is given; `None` when it is not a PDF date.
pub(super) fn iso_date(raw: &str) -> Option<String> {
    let s = raw.trim();
    let s = s.strip_prefix("D:").unwrap_or(s);
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    if digits.len() < 4 {
        return None;
    }
    let part = |from: usize, default: &'static str| digits.get(from..from + 2).unwrap_or(default);
    let (year, month, day) = (&digits[..4], part(4, "01"), part(6, "01"));
    if digits.len() < 12 {
        let date = format!("{year}-{month}-{day}");
        return super::is_iso_date(&date).then_some(date);
    }
    let (hour, minute, second) = (part(8, "00"), part(10, "00"), part(12, "00"));
    let zone: String = s[digits.len()..].chars().filter(|c| *c != '\'').collect();
    let zone = match zone.as_str() {
        "" => String::new(),
        "Z" => "Z".to_string(),
        z if (z.starts_with('+') || z.starts_with('-'))
            && z[1..].chars().all(|c| c.is_ascii_digit())
            && z.len() >= 3 =>
        {
            let minutes = z.get(3..5).unwrap_or("00");
            format!("{}:{minutes}", &z[..3])
        }
        _ => String::new(),
    };
    Some(format!(
        "{year}-{month}-{day}T{hour}:{minute}:{second}{zone}"
    ))
}

fn metadata_of(info: &[(String, String)]) -> DocumentMetadata {
    let mut m = DocumentMetadata::default();
    for (key, value) in info {
        let value = value.trim();
        match key.as_str() {
            "Title" => {}
            "Author" => DocumentMetadata::fill(&mut m.author, Some(value)),
            "CreationDate" => match iso_date(value) {
                Some(date) => m.date = Some(date),
                None => {
                    m.extra.insert("date".into(), value.to_string());
                }
            },
            "ModDate" => {
                let v = iso_date(value).unwrap_or_else(|| value.to_string());
                m.extra.insert("modified".into(), v);
            }
            other => {
                m.extra.insert(other.to_lowercase(), value.to_string());
            }
        }
    }
    m
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use pdf_extract::{Stream, StringFormat, content::Content, content::Operation, dictionary};

    /// A PDF with one page per entry of `pages` (each a list of lines in Helvetica) and an info
    /// dictionary; an empty line list makes a page without text (as a scan has).
    pub(crate) fn make_pdf(pages: &[&[&str]], info: &[(&str, &str)]) -> Vec<u8> {
        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font_id = doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        });
        let resources_id = doc.add_object(dictionary! {
            "Font" => dictionary! { "F1" => font_id },
        });
        let mut kids = Vec::new();
        for lines in pages {
            let mut operations = Vec::new();
            if !lines.is_empty() {
                operations.push(Operation::new("BT", vec![]));
                operations.push(Operation::new("Tf", vec!["F1".into(), 12.into()]));
                operations.push(Operation::new("Td", vec![72.into(), 720.into()]));
                operations.push(Operation::new("TL", vec![16.into()]));
                for line in *lines {
                    operations.push(Operation::new(
                        "Tj",
                        vec![Object::string_literal(line.to_string())],
                    ));
                    operations.push(Operation::new("T*", vec![]));
                }
                operations.push(Operation::new("ET", vec![]));
            }
            let content = Content { operations };
            let content_id = doc.add_object(Stream::new(
                dictionary! {},
                content.encode().expect("content encodes"),
            ));
            let page_id = doc.add_object(dictionary! {
                "Type" => "Page",
                "Parent" => pages_id,
                "Contents" => content_id,
                "Resources" => resources_id,
                "MediaBox" => vec![0.into(), 0.into(), 612.into(), 792.into()],
            });
            kids.push(page_id.into());
        }
        let count = kids.len() as i64;
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages",
                "Kids" => kids,
                "Count" => count,
            }),
        );
        let catalog_id = doc.add_object(dictionary! {
            "Type" => "Catalog",
            "Pages" => pages_id,
            "Lang" => Object::String(b"en-GB".to_vec(), StringFormat::Literal),
        });
        doc.trailer.set("Root", catalog_id);
        if !info.is_empty() {
            let mut dict = Dictionary::new();
            for (k, v) in info {
                // Text strings as UTF-16BE with a byte-order mark, as most producers write them.
                let mut bytes = vec![0xFE, 0xFF];
                for unit in v.encode_utf16() {
                    bytes.extend_from_slice(&unit.to_be_bytes());
                }
                dict.set(*k, Object::String(bytes, StringFormat::Hexadecimal));
            }
            let info_id = doc.add_object(dict);
            doc.trailer.set("Info", info_id);
        }
        let mut out = Vec::new();
        doc.save_to(&mut out).expect("the PDF saves");
        out
    }

    #[test]
    fn text_pages_and_info_are_read() {
        let bytes = make_pdf(
            &[
                &["Ceasefire talks resume", "Delegations met in Geneva."],
                &["The next round is in May."],
            ],
            &[
                ("Title", "Talks in Geneva"),
                ("Author", "Ani Hakobyan"),
                ("CreationDate", "D:20240301093000+04'00'"),
                ("Producer", "handmade"),
            ],
        );
        let doc = read(&bytes, Path::new("r.pdf")).unwrap();
        assert_eq!(doc.title, "Talks in Geneva");
        assert_eq!(doc.metadata.author.as_deref(), Some("Ani Hakobyan"));
        assert_eq!(
            doc.metadata.date.as_deref(),
            Some("2024-03-01T09:30:00+04:00")
        );
        assert_eq!(doc.metadata.language.as_deref(), Some("en-GB"));
        assert_eq!(doc.metadata.extra["producer"], "handmade");
        assert!(
            doc.text.contains("Delegations met in Geneva."),
            "{}",
            doc.text
        );
        assert_eq!(doc.metadata.pages.len(), 2);
        let second = doc.metadata.pages[1];
        let rest: String = doc.text.chars().skip(second).collect();
        assert!(rest.starts_with("The next round"), "{rest:?}");
        let may = doc.text.find("May").unwrap();
        assert_eq!(
            doc.metadata.page_of(doc.text[..may].chars().count()),
            Some(2)
        );
        assert_eq!(doc.metadata.page_of(0), Some(1));
    }

    #[test]
    fn a_scan_without_text_is_refused_clearly() {
        let bytes = make_pdf(&[&[], &[]], &[("Title", "Scan")]);
        let err = read(&bytes, Path::new("scan.pdf")).unwrap_err().to_string();
        assert!(
            err.contains("scan.pdf") && err.contains("no text layer"),
            "{err}"
        );
    }

    #[test]
    fn damaged_files_are_errors_not_panics() {
        for bytes in [
            &b"%PDF-1.4\n1 0 obj << /Type /Catalog"[..],
            b"hello",
            b"%PDF-1.7\n%%EOF",
        ] {
            let err = read(bytes, Path::new("x.pdf")).unwrap_err().to_string();
            assert!(err.starts_with("x.pdf: "), "{err}");
        }
    }

    /// `make_pdf`'s file changed by `change` (on the parsed document) and saved again.
    fn changed_pdf(bytes: &[u8], change: impl FnOnce(&mut Document)) -> Vec<u8> {
        let mut doc = Document::load_mem(bytes).unwrap();
        change(&mut doc);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    /// Gives the first page form XObjects: `forms[i]` draws the forms named by its list (by
    /// index) and the page draws form 0; all share the page's resources.
    fn with_forms(doc: &mut Document, forms: &[&[usize]]) {
        let page = *doc.get_pages().values().next().unwrap();
        let ids: Vec<Id> = forms.iter().map(|_| doc.new_object_id()).collect();
        let mut names = Dictionary::new();
        for (i, id) in ids.iter().enumerate() {
            names.set(format!("X{i}"), *id);
        }
        for (i, draws) in forms.iter().enumerate() {
            let operations: Vec<Operation> = draws
                .iter()
                .map(|d| Operation::new("Do", vec![Object::Name(format!("X{d}").into_bytes())]))
                .collect();
            let form = Stream::new(
                dictionary! { "Type" => "XObject", "Subtype" => "Form" },
                Content { operations }.encode().unwrap(),
            );
            doc.objects.insert(ids[i], Object::Stream(form));
        }
        let resources = doc
            .get_dictionary(page)
            .unwrap()
            .get(b"Resources")
            .unwrap()
            .as_reference()
            .unwrap();
        doc.get_dictionary_mut(resources)
            .unwrap()
            .set("XObject", names);
        let contents = doc
            .get_dictionary(page)
            .unwrap()
            .get(b"Contents")
            .unwrap()
            .as_reference()
            .unwrap();
        let content = Content {
            operations: vec![Operation::new("Do", vec![Object::Name(b"X0".to_vec())])],
        };
        let mut old = doc.get_page_content(page).unwrap();
        old.extend(b"\n");
        old.extend(content.encode().unwrap());
        doc.objects
            .insert(contents, Object::Stream(Stream::new(dictionary! {}, old)));
    }

    #[test]
    fn a_page_tree_that_loops_is_read_not_hung() {
        let bytes = make_pdf(&[&["Talks resume in Geneva."]], &[]);
        // The page is its own parent: the reader's inherited lookups went round forever.
        let looped = changed_pdf(&bytes, |doc| {
            let page = *doc.get_pages().values().next().unwrap();
            let d = doc.get_dictionary_mut(page).unwrap();
            d.set("Parent", page);
            d.remove(b"MediaBox");
        });
        let err = read(&looped, Path::new("loop.pdf")).map(|d| d.text);
        // Without its MediaBox the page cannot be drawn: refused, but promptly and by name.
        assert!(
            err.as_ref()
                .is_err_and(|e| e.to_string().starts_with("loop.pdf: ")),
            "{err:?}"
        );
        let looped = changed_pdf(&bytes, |doc| {
            let page = *doc.get_pages().values().next().unwrap();
            doc.get_dictionary_mut(page).unwrap().set("Parent", page);
        });
        let doc = read(&looped, Path::new("loop.pdf")).unwrap();
        assert!(doc.text.contains("Talks resume in Geneva."), "{}", doc.text);
    }

    #[test]
    fn drawings_that_contain_themselves_or_explode_are_refused() {
        let bytes = make_pdf(&[&["Talks resume in Geneva."]], &[]);
        // Forms drawing a few others, once each: read as before.
        let fine = changed_pdf(&bytes, |doc| with_forms(doc, &[&[1, 2], &[2], &[]]));
        let doc = read(&fine, Path::new("forms.pdf")).unwrap();
        assert!(doc.text.contains("Talks resume"), "{}", doc.text);
        // A form that draws itself, directly or through another.
        for forms in [&[&[0usize][..]][..], &[&[1], &[0]]] {
            let looped = changed_pdf(&bytes, |doc| with_forms(doc, forms));
            let err = read(&looped, Path::new("self.pdf"))
                .unwrap_err()
                .to_string();
            assert_eq!(
                err,
                "self.pdf: page 1: damaged PDF (a drawing in it contains itself)"
            );
        }
        // Forms that each draw the next twice: 2^40 draws.
        let chain: Vec<Vec<usize>> = (0..40)
            .map(|i| if i < 39 { vec![i + 1, i + 1] } else { vec![] })
            .collect();
        let chain: Vec<&[usize]> = chain.iter().map(Vec::as_slice).collect();
        let exploding = changed_pdf(&bytes, |doc| with_forms(doc, &chain));
        let err = read(&exploding, Path::new("bomb.pdf"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than 200000 draws"), "{err}");
    }

    #[test]
    fn streams_that_unpack_past_the_limit_are_refused_before_reading() {
        use std::io::Write;
        let bytes = make_pdf(&[&["Talks resume in Geneva."]], &[]);
        let mut doc = Document::load_mem(&bytes).unwrap();
        assert_eq!(check_unpacked_sizes(&doc, 1 << 20), Ok(()));
        // 3 MB of spaces in a few kilobytes.
        let mut packed = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        packed.write_all(&vec![b' '; 3 << 20]).unwrap();
        let packed = packed.finish().unwrap();
        assert!(packed.len() < 100_000);
        let id = doc.add_object(Stream::new(
            dictionary! { "Filter" => "FlateDecode" },
            packed,
        ));
        assert_eq!(
            check_unpacked_sizes(&doc, 1 << 20),
            Err(format!(
                "damaged PDF (object {} unpacks to more than 1 MB)",
                id.0
            ))
        );
        assert_eq!(check_unpacked_sizes(&doc, 4 << 20), Ok(()));
    }

    #[test]
    fn pdf_dates_become_iso() {
        assert_eq!(iso_date("D:2024").as_deref(), Some("2024-01-01"));
        assert_eq!(iso_date("D:20240315").as_deref(), Some("2024-03-15"));
        assert_eq!(
            iso_date("D:20240315120000Z").as_deref(),
            Some("2024-03-15T12:00:00Z")
        );
        assert_eq!(iso_date("yesterday"), None);
    }
}
