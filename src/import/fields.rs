//! A document's title, status and metadata as flat JSON fields, the way doccano (top-level keys
//! of a line, kept by doccano as the example's `meta`) and Label Studio (keys of a task's
//! `data`) carry them: `title`, `status`, `date`, `author`, `source`, `url`, `language`,
//! `pages`, then every `extra` key. An extra key that would collide with a reserved name goes
//! into a nested `meta` object. Reading takes them back; values that are not strings are kept
//! in `extra` as compact JSON text, and a text that is a JSON array or object is written back
//! as JSON, so lists (doccano's `cats`, `Comments`) survive a round trip.

use crate::model::{Document, DocumentMetadata, DocumentStatus};
use serde_json::{Map, Value};

const OWN: &[&str] = &[
    "title", "status", "date", "author", "source", "url", "language", "pages", "meta",
];

/// The flat fields of a document; keys in `reserved` (the format's own) are never used for
/// metadata.
pub(crate) fn to_fields(doc: &Document, reserved: &[&str]) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("title".into(), Value::String(doc.title.clone()));
    if doc.status != DocumentStatus::New {
        out.insert("status".into(), Value::String(doc.status.label().into()));
    }
    let m = &doc.metadata;
    for (key, value) in [
        ("date", &m.date),
        ("author", &m.author),
        ("source", &m.source),
        ("url", &m.url),
        ("language", &m.language),
    ] {
        if let Some(v) = value {
            out.insert(key.into(), Value::String(v.clone()));
        }
    }
    if !m.pages.is_empty() {
        out.insert("pages".into(), serde_json::json!(m.pages));
    }
    let mut nested = Map::new();
    for (key, value) in &m.extra {
        let value = json_or_text(value);
        if reserved.contains(&key.as_str()) || OWN.contains(&key.as_str()) {
            nested.insert(key.clone(), value);
        } else {
            out.insert(key.clone(), value);
        }
    }
    if !nested.is_empty() {
        out.insert("meta".into(), Value::Object(nested));
    }
    out
}

/// A stored extra value as JSON: an array or object written as JSON text stays structured.
fn json_or_text(value: &str) -> Value {
    let t = value.trim_start();
    if (t.starts_with('[') || t.starts_with('{'))
        && let Ok(v) = serde_json::from_str::<Value>(value)
    {
        return v;
    }
    Value::String(value.to_string())
}

/// A JSON value as an extra value: strings as they are, anything else as compact JSON.
pub(crate) fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// What a document's flat fields said.
#[derive(Debug, Default)]
pub(crate) struct Fields {
    pub title: Option<String>,
    pub status: Option<DocumentStatus>,
    pub metadata: DocumentMetadata,
}

/// Reads the flat fields of `object`, skipping the keys in `reserved` (the format's own).
pub(crate) fn from_fields(object: &Map<String, Value>, reserved: &[&str]) -> Fields {
    let mut f = Fields::default();
    for (key, value) in object {
        if reserved.contains(&key.as_str()) || value.is_null() {
            continue;
        }
        let text = text_of(value);
        let m = &mut f.metadata;
        match key.as_str() {
            "title" => f.title = Some(text).filter(|t| !t.trim().is_empty()),
            "status" => match status_of(&text) {
                Some(s) => f.status = Some(s),
                None => {
                    m.extra.insert(key.clone(), text);
                }
            },
            "date" => super::table::set_date(m, &text),
            "author" => DocumentMetadata::fill(&mut m.author, Some(&text)),
            "source" => DocumentMetadata::fill(&mut m.source, Some(&text)),
            "url" => DocumentMetadata::fill(&mut m.url, Some(&text)),
            "language" => DocumentMetadata::fill(&mut m.language, Some(&text)),
            "pages" => match serde_json::from_value::<Vec<usize>>(value.clone()) {
                Ok(pages) if pages.windows(2).all(|w| w[0] < w[1]) => m.pages = pages,
                _ => {
                    m.extra.insert(key.clone(), text);
                }
            },
            "meta" => match value {
                Value::Object(nested) => {
                    for (k, v) in nested {
                        if !v.is_null() {
                            m.extra.insert(k.clone(), text_of(v));
                        }
                    }
                }
                _ => {
                    m.extra.insert(key.clone(), text);
                }
            },
            _ => {
                m.extra.insert(key.clone(), text);
            }
        }
    }
    f
}

impl Fields {
    /// The document these fields describe (with its status, when given); without a title
    /// the first line (or the file name) is the title.
    pub(crate) fn into_document(
        self,
        format: &'static str,
        path: &std::path::Path,
        text: String,
        spans: Vec<super::annotated::ReadSpan>,
        relations: Vec<super::annotated::ReadRelation>,
    ) -> super::annotated::AnnotatedDocument {
        let title = self
            .title
            .unwrap_or_else(|| super::title_from_text(&text, path));
        let doc = super::ReadDocument {
            title,
            source: path.to_path_buf(),
            text,
            metadata: self.metadata,
        };
        let mut read = super::annotated::AnnotatedDocument::new(format, doc, spans, relations);
        read.status = self.status;
        read
    }
}

fn status_of(s: &str) -> Option<DocumentStatus> {
    let norm: String = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_lowercase();
    DocumentStatus::ALL
        .into_iter()
        .find(|st| st.label().replace(' ', "") == norm)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DocumentId;

    #[test]
    fn fields_round_trip_with_collisions_nested() {
        let mut d = Document::new(DocumentId(1), "Talks", "", "x".into());
        d.status = DocumentStatus::InProgress;
        d.metadata.author = Some("Ani".into());
        d.metadata.date = Some("2024-03-01".into());
        d.metadata.pages = vec![0, 40];
        d.metadata.extra.insert("text".into(), "clash".into());
        d.metadata.extra.insert("desk".into(), "Caucasus".into());
        d.metadata.extra.insert("cats".into(), "[\"pos\"]".into());
        let fields = to_fields(&d, &["text", "label"]);
        assert_eq!(fields["meta"]["text"], "clash");
        assert_eq!(fields["cats"], serde_json::json!(["pos"]));
        assert_eq!(fields["status"], "in progress");
        let back = from_fields(&fields, &["text", "label"]);
        assert_eq!(back.title.as_deref(), Some("Talks"));
        assert_eq!(back.status, Some(DocumentStatus::InProgress));
        assert_eq!(back.metadata, d.metadata);
    }
}
