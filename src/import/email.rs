//! E-mail: one `.eml` message (RFC 5322 with MIME), or every message of an `.mbox` mailbox.
//! Headers become metadata (From -> author, Date -> date, Subject -> title; Message-ID, To, Cc
//! and the rest in `extra`); transfer encodings (quoted-printable, base64) and charsets are
//! decoded by `mail-parser`; an HTML-only body is reduced to text by the HTML importer;
//! attachments are not imported, only listed in a notice.

use super::{ImportError, ReadDocument, decode, html};
use crate::model::DocumentMetadata;
use mail_parser::{Address, MessageParser, MimeHeaders, PartType};
use std::path::Path;

pub(super) const EML_EXTENSIONS: &[&str] = &["eml"];
pub(super) const MBOX_EXTENSIONS: &[&str] = &["mbox", "mbx"];

fn bad(path: &Path, message: impl Into<String>) -> ImportError {
    ImportError::Invalid {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// Reads an `.eml` file (or, by extension, an `.mbox` mailbox).
pub(super) fn read(
    path: &Path,
    notices: &mut Vec<String>,
) -> Result<Vec<ReadDocument>, ImportError> {
    let bytes = decode::read_bytes(path)?;
    if MBOX_EXTENSIONS.contains(&super::extension(path).as_str()) || bytes.starts_with(b"From ") {
        read_mbox(&bytes, path, notices)
    } else {
        Ok(vec![message(&bytes, path, None, notices)?])
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
        docs.push(message(item.contents(), path, Some(i + 1), notices)?);
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

/// One message; `number` is its place in a mailbox.
fn message(
    bytes: &[u8],
    path: &Path,
    number: Option<usize>,
    notices: &mut Vec<String>,
) -> Result<ReadDocument, ImportError> {
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
    let attachments: Vec<String> = parsed
        .attachments()
        .map(|a| {
            let name = a.attachment_name().unwrap_or("unnamed");
            match a.content_type() {
                Some(ct) => match ct.subtype() {
                    Some(sub) => format!("{name} ({}/{sub})", ct.ctype()),
                    None => format!("{name} ({})", ct.ctype()),
                },
                None => name.to_string(),
            }
        })
        .collect();
    let label = format!(
        "{}: {which}\"{}\"",
        path.display(),
        subject.unwrap_or("(no subject)")
    );
    if !attachments.is_empty() {
        notices.push(format!(
            "{label}: attachments not imported: {}",
            attachments.join(", ")
        ));
    }
    if text.trim().is_empty() {
        return Err(bad(path, format!("{which}the message has no text body")));
    }
    let title = subject
        .map(str::to_string)
        .unwrap_or_else(|| super::title_from_text(&text, path));
    Ok(ReadDocument {
        title,
        source: path.to_path_buf(),
        text,
        metadata,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(raw: &str) -> (ReadDocument, Vec<String>) {
        let mut notices = Vec::new();
        let doc = message(raw.as_bytes(), Path::new("m.eml"), None, &mut notices).unwrap();
        (doc, notices)
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
    fn html_only_bodies_use_the_html_importer_and_attachments_are_listed() {
        let (doc, notices) = one(
            "From: desk@example.org\nSubject: Report\nMIME-Version: 1.0\n\
             Content-Type: multipart/mixed; boundary=\"b1\"\n\n\
             --b1\nContent-Type: text/html; charset=iso-8859-1\n\
             Content-Transfer-Encoding: quoted-printable\n\n\
             <html><head><style>p{}</style></head><body><p>Caf=E9 talks</p>\
             <script>x()</script><p>Second</p></body></html>\n\
             --b1\nContent-Type: application/pdf; name=\"brief.pdf\"\n\
             Content-Disposition: attachment; filename=\"brief.pdf\"\n\
             Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--b1--\n",
        );
        assert_eq!(doc.text, "Café talks\n\nSecond\n");
        assert_eq!(doc.metadata.author.as_deref(), Some("desk@example.org"));
        assert_eq!(notices.len(), 1);
        assert!(
            notices[0]
                .ends_with("\"Report\": attachments not imported: brief.pdf (application/pdf)"),
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
