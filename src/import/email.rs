//! E-mail: one `.eml` message (RFC 5322 with MIME), or every message of an `.mbox` mailbox.
//! Headers become metadata (From -> author, Date -> date, Subject -> title; Message-ID, To, Cc
//! and the rest in `extra`); transfer encodings (quoted-printable, base64) and charsets are
//! decoded by `mail-parser`; an HTML-only body is reduced to text by the HTML importer.
//! Attachments the importers can read (text, HTML, PDF, DOCX, ODT, CSV/TSV, XLSX, forwarded
//! messages) become documents of their own, titled "Subject: name" and carrying the message's
//! metadata; the others (images, archives, ...) are listed in a notice.

use super::{ImportError, ImportFormat, ReadDocument, html};
use crate::model::DocumentMetadata;
use mail_parser::{Address, MessageParser, MessagePart, MimeHeaders, PartType};
use std::path::{Path, PathBuf};

pub(super) const EML_EXTENSIONS: &[&str] = &["eml"];
pub(super) const MBOX_EXTENSIONS: &[&str] = &["mbox", "mbx"];

fn bad(path: &Path, message: impl Into<String>) -> ImportError {
    ImportError::Invalid {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Reads an `.eml` message (or, by extension or its first line, an `.mbox` mailbox): each
/// message, then the attachments it carries that can be read.
pub(super) fn read_bytes(
    bytes: &[u8],
    path: &Path,
    notices: &mut Vec<String>,
) -> Result<Vec<ReadDocument>, ImportError> {
    if MBOX_EXTENSIONS.contains(&super::extension(path).as_str()) || bytes.starts_with(b"From ") {
        read_mbox(bytes, path, notices)
    } else {
        message(bytes, path, None, notices)
    }
}

fn read_mbox(
    bytes: &[u8],
    path: &Path,
    notices: &mut Vec<String>,
) -> Result<Vec<ReadDocument>, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty {
            path: path.to_path_buf(),
        });
    }
    let mut docs = Vec::new();
    for (i, item) in mail_parser::mailbox::mbox::MessageIterator::new(bytes).enumerate() {
        let item = item.map_err(|_| bad(path, format!("message {}: unreadable", i + 1)))?;
        docs.extend(message(item.contents(), path, Some(i + 1), notices)?);
    }
    if docs.is_empty() {
        return Err(bad(
            path,
            "not an mbox mailbox: no message starts with a \"From \" line",
        ));
    }
    Ok(docs)
}

fn addresses(address: Option<&Address>) -> Option<String> {
    let list: Vec<String> = address?
        .iter()
        .map(|a| match (a.name(), a.address()) {
            (Some(n), Some(e)) => format!("{n} <{e}>"),
            (Some(n), None) => n.to_string(),
            (None, Some(e)) => e.to_string(),
            (None, None) => String::new(),
        })
        .filter(|s| !s.is_empty())
        .collect();
    (!list.is_empty()).then(|| list.join(", "))
}

/// One message and its readable attachments; `number` is its place in a mailbox.
fn message(
    bytes: &[u8],
    path: &Path,
    number: Option<usize>,
    notices: &mut Vec<String>,
) -> Result<Vec<ReadDocument>, ImportError> {
    let which = number.map(|n| format!("message {n}: ")).unwrap_or_default();
    let parsed = MessageParser::default()
        .parse(bytes)
        .filter(|m| !m.headers().is_empty())
        .ok_or_else(|| bad(path, format!("{which}not an e-mail message (no headers)")))?;
    let mut metadata = DocumentMetadata::default();
    // The display name is the author; the address stays in extra.
    if let Some(from) = parsed.from().and_then(Address::first) {
        DocumentMetadata::fill(&mut metadata.author, from.name().or(from.address()));
    }
    if let Some(from) = addresses(parsed.from()) {
        metadata.extra.insert("from".into(), from);
    }
    match (parsed.date(), parsed.header_raw("Date")) {
        (Some(date), _) if date.is_valid() => metadata.date = Some(date.to_rfc3339()),
        (_, Some(raw)) if !raw.trim().is_empty() => {
            metadata.extra.insert("date".into(), raw.trim().to_string());
        }
        _ => {}
    }
    for (key, value) in [
        ("to", addresses(parsed.to())),
        ("cc", addresses(parsed.cc())),
        ("reply_to", addresses(parsed.reply_to())),
        ("message_id", parsed.message_id().map(str::to_string)),
        (
            "in_reply_to",
            parsed.in_reply_to().as_text().map(str::to_string),
        ),
    ] {
        if let Some(v) = value.filter(|v| !v.trim().is_empty()) {
            metadata.extra.insert(key.into(), v);
        }
    }
    if let Some(lang) = parsed
        .header_raw("Content-Language")
        .and_then(|l| l.split(',').next())
    {
        DocumentMetadata::fill(&mut metadata.language, Some(lang));
    }

    let mut text = String::new();
    let mut push = |part: &str| {
        let part = part.trim_matches('\n');
        if !part.trim().is_empty() {
            if !text.is_empty() {
                text.push_str("\n\n");
            }
            text.push_str(part.trim_end());
        }
    };
    let bodies: Vec<_> = if parsed.text_body.is_empty() {
        parsed.html_bodies().collect()
    } else {
        parsed.text_bodies().collect()
    };
    for part in bodies {
        match &part.body {
            PartType::Text(t) => push(&t.replace("\r\n", "\n").replace('\r', "\n")),
            PartType::Html(h) => push(&html::read(h).1),
            _ => {}
        }
    }
    if !text.is_empty() {
        text.push('\n');
    }
    let subject = parsed.subject().map(str::trim).filter(|s| !s.is_empty());
    let label = format!(
        "{}: {which}\"{}\"",
        path.display(),
        subject.unwrap_or("(no subject)")
    );
    if text.trim().is_empty() {
        return Err(bad(path, format!("{which}the message has no text body")));
    }
    let message = ReadDocument::new(subject.map(str::to_string), path, text, metadata.clone());
    let title = message.title.clone();
    let mut docs = vec![message];
    let mut skipped = Vec::new();
    for (i, part) in parsed.attachments().enumerate() {
        let name = attachment_name(part, i + 1);
        let Some(format) = attachment_format(part, &name) else {
            skipped.push(format!("{name} ({})", content_type(part)));
            continue;
        };
        // The attachment is named as if it sat inside the message file.
        let inner = path.join(&name);
        let mut inner_notices = Vec::new();
        let options = super::ImportOptions::default();
        match super::documents_from_bytes(
            part.contents(),
            &inner,
            format,
            &options,
            &mut inner_notices,
        ) {
            Ok(read) => {
                notices.extend(inner_notices);
                for mut doc in read {
                    doc.title = format!("{title}: {name}");
                    let mut m = metadata.clone();
                    m.extra.insert("attachment".into(), name.clone());
                    m.extra.insert("attached_to".into(), title.clone());
                    m.pages = std::mem::take(&mut doc.metadata.pages);
                    for (k, v) in std::mem::take(&mut doc.metadata.extra) {
                        m.extra.entry(k).or_insert(v);
                    }
                    DocumentMetadata::fill(&mut m.language, doc.metadata.language.as_deref());
                    doc.metadata = m;
                    docs.push(doc);
                }
            }
            Err(e) => skipped.push(format!("{name} ({e})")),
        }
    }
    if docs.len() > 1 {
        notices.push(format!(
            "{label}: imported {} as separate documents",
            crate::text::count(docs.len() - 1, "attachment", "attachments")
        ));
    }
    if !skipped.is_empty() {
        notices.push(format!(
            "{label}: attachments not imported: {}",
            skipped.join(", ")
        ));
    }
    Ok(docs)
}

fn attachment_name(part: &MessagePart, number: usize) -> String {
    let name = part
        .attachment_name()
        .or_else(|| {
            part.message()
                .and_then(|m| m.subject())
                .map(|_| "message.eml")
        })
        .unwrap_or("");
    // Only the last path component, never hidden or empty: it names a document, not a file.
    let base = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .trim_start_matches('.');
    if base.is_empty() {
        format!("attachment-{number}")
    } else {
        base.to_string()
    }
}

fn content_type(part: &MessagePart) -> String {
    match part.content_type() {
        Some(ct) => match ct.subtype() {
            Some(sub) => format!("{}/{sub}", ct.ctype()),
            None => ct.ctype().to_string(),
        },
        None => "unknown type".to_string(),
    }
}

/// How an attachment is read, from its file name or else its MIME type; `None` for what no
/// importer reads (images, archives, ...).
fn attachment_format(part: &MessagePart, name: &str) -> Option<ImportFormat> {
    if part.is_message() {
        return Some(ImportFormat::Email);
    }
    let by_name = super::format_of(&PathBuf::from(name), ImportFormat::Auto);
    if by_name.is_some() {
        return by_name;
    }
    let ct = content_type(part).to_ascii_lowercase();
    Some(match ct.as_str() {
        "text/plain" => ImportFormat::Text,
        "text/html" => ImportFormat::Html,
        "text/markdown" => ImportFormat::Markdown,
        "text/csv" => ImportFormat::Table,
        "message/rfc822" => ImportFormat::Email,
        "application/pdf" => ImportFormat::Pdf,
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
            ImportFormat::Docx
        }
        "application/vnd.oasis.opendocument.text" => ImportFormat::Odt,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" => ImportFormat::Xlsx,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(raw: &str) -> (Vec<ReadDocument>, Vec<String>) {
        let mut notices = Vec::new();
        let docs = message(raw.as_bytes(), Path::new("m.eml"), None, &mut notices).unwrap();
        (docs, notices)
    }

    fn one(raw: &str) -> (ReadDocument, Vec<String>) {
        let (mut docs, notices) = all(raw);
        (docs.remove(0), notices)
    }

    #[test]
    fn headers_become_metadata_and_quoted_printable_is_decoded() {
        let (doc, notices) = one("From: =?UTF-8?Q?Ani_Hakobyan?= <ani@example.org>\r\n\
             To: Desk <desk@example.org>, ops@example.org\r\n\
             Cc: editor@example.org\r\n\
             Subject: =?UTF-8?B?VGFsa3MgaW4gWWVyZXZhbg==?=\r\n\
             Date: Fri, 1 Mar 2024 09:30:00 +0400\r\n\
             Message-ID: <abc@example.org>\r\n\
             MIME-Version: 1.0\r\n\
             Content-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\
             \r\n\
             Minister Alij=C3=A9v met the delegation.=0D=0A=\r\n\
             Talks resume on Monday.\r\n");
        assert_eq!(doc.title, "Talks in Yerevan");
        assert_eq!(
            doc.text,
            "Minister Alijév met the delegation.\nTalks resume on Monday.\n"
        );
        let m = &doc.metadata;
        assert_eq!(m.author.as_deref(), Some("Ani Hakobyan"));
        assert_eq!(m.date.as_deref(), Some("2024-03-01T09:30:00+04:00"));
        assert_eq!(m.extra["from"], "Ani Hakobyan <ani@example.org>");
        assert_eq!(m.extra["to"], "Desk <desk@example.org>, ops@example.org");
        assert_eq!(m.extra["cc"], "editor@example.org");
        assert_eq!(m.extra["message_id"], "abc@example.org");
        assert!(notices.is_empty());
    }

    #[test]
    fn html_only_bodies_use_the_html_importer_and_attachments_are_imported_or_listed() {
        let (docs, notices) = all(
            "From: desk@example.org\nSubject: Report\nMIME-Version: 1.0\n\
             Content-Type: multipart/mixed; boundary=\"b1\"\n\n\
             --b1\nContent-Type: text/html; charset=iso-8859-1\n\
             Content-Transfer-Encoding: quoted-printable\n\n\
             <html><head><style>p{}</style></head><body><p>Caf=E9 talks</p>\
             <script>x()</script><p>Second</p></body></html>\n\
             --b1\nContent-Type: application/pdf; name=\"brief.pdf\"\n\
             Content-Disposition: attachment; filename=\"brief.pdf\"\n\
             Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n\
             --b1\nContent-Type: text/plain; charset=utf-8\n\
             Content-Disposition: attachment; filename=\"../notes.txt\"\n\n\
             Field notes from Gyumri.\n\
             --b1\nContent-Type: image/png\n\
             Content-Disposition: attachment; filename=\"map.png\"\n\
             Content-Transfer-Encoding: base64\n\niVBORw0KGgo=\n\
             --b1\nContent-Type: text/html; charset=utf-8\n\
             Content-Disposition: attachment; filename=\"statement.html\"\n\n\
             <html><body><h1>Statement</h1><p>Border <b>calm</b>.</p></body></html>\n--b1--\n",
        );
        assert_eq!(docs[0].text, "Café talks\n\nSecond\n");
        assert_eq!(docs[0].metadata.author.as_deref(), Some("desk@example.org"));
        let titles: Vec<_> = docs.iter().map(|d| d.title.as_str()).collect();
        assert_eq!(
            titles,
            ["Report", "Report: notes.txt", "Report: statement.html"]
        );
        assert_eq!(docs[1].text, "Field notes from Gyumri.");
        assert_eq!(docs[2].text, "Statement\n\nBorder calm.\n");
        assert_eq!(docs[1].metadata.extra["attachment"], "notes.txt");
        assert_eq!(docs[1].metadata.extra["attached_to"], "Report");
        assert_eq!(docs[1].source, Path::new("m.eml/notes.txt"));
        assert_eq!(notices.len(), 2, "{notices:?}");
        assert!(notices[0].ends_with("imported 2 attachments as separate documents"));
        assert!(
            notices[1].contains("attachments not imported: brief.pdf (")
                && notices[1].ends_with("map.png (image/png)"),
            "{notices:?}"
        );
    }

    #[test]
    fn mbox_gives_one_document_per_message() {
        let mbox = "From a@example.org Fri Mar  1 09:30:00 2024\n\
                    From: a@example.org\nSubject: One\n\nFirst text.\n>From the archive.\n\n\
                    From b@example.org Sat Mar  2 10:00:00 2024\n\
                    From: b@example.org\nSubject: Two\nDate: Sat, 2 Mar 2024 10:00:00 +0000\n\n\
                    Second text.\n";
        let docs = read_mbox(mbox.as_bytes(), Path::new("box.mbox"), &mut Vec::new()).unwrap();
        let titles: Vec<_> = docs.iter().map(|d| d.title.as_str()).collect();
        assert_eq!(titles, ["One", "Two"]);
        assert_eq!(docs[0].text, "First text.\nFrom the archive.\n");
        assert_eq!(
            docs[1].metadata.date.as_deref(),
            Some("2024-03-02T10:00:00Z")
        );
    }

    #[test]
    fn bad_mail_is_refused_with_the_file_and_the_reason() {
        let mut n = Vec::new();
        let err = read_mbox(b"no mailbox here\n", Path::new("x.mbox"), &mut n).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.mbox: not an mbox mailbox: no message starts with a \"From \" line"
        );
        let err = message(
            b"From: a@example.org\nSubject: Empty\n\n",
            Path::new("e.eml"),
            None,
            &mut n,
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "e.eml: the message has no text body");
        let mbox = b"From a Fri Mar  1 09:30:00 2024\nSubject: ok\n\ntext\n\nFrom b Fri Mar  1 09:30:00 2024\nSubject: empty\n\n";
        let err = read_mbox(mbox, Path::new("x.mbox"), &mut n).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.mbox: message 2: the message has no text body"
        );
    }
}
