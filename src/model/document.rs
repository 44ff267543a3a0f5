use super::ids::{DocumentId, EntityId, RelationId, SpanId};
use crate::text::CharIndex;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// A short name stored on every annotation (its type, the engine that proposed it): inline,
/// without a heap allocation of its own, because a large project has hundreds of thousands.
pub type ShortName = compact_str::CompactString;

/// Where an annotation came from.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub enum Origin {
    /// Made by the analyst.
    #[default]
    Manual,
    /// An accepted suggestion of a suggestion engine.
    Suggested { engine: ShortName, score: f32 },
    /// Read from an annotation file (brat, CoNLL, JSONL).
    Imported { format: ShortName },
}

impl Origin {
    pub fn is_manual(&self) -> bool {
        matches!(self, Origin::Manual)
    }

    pub fn describe(&self) -> String {
        match self {
            Origin::Manual => "manual".to_string(),
            Origin::Suggested { engine, score } => format!("suggested by {engine} ({score:.2})"),
            Origin::Imported { format } => format!("imported from {format}"),
        }
    }
}

/// Who made an annotation (span, relation, entity, decision) and when: the author's name
/// from their settings (or `git config user.name`, or the OS user) and a UTC time,
/// `2024-03-01T09:30:00Z`. Stamped once, when the object is made; undo and redo keep it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Made {
    pub by: String,
    pub at: String,
}

impl Made {
    pub fn new(by: &str, at: std::time::SystemTime) -> Made {
        Made {
            by: by.to_string(),
            at: utc_timestamp(at),
        }
    }

    /// The day part of `at` (`2024-03-01`), for "made by X on DATE".
    pub fn date(&self) -> &str {
        self.at.split('T').next().unwrap_or(&self.at)
    }
}

/// `2024-03-01T09:30:00Z` for a time (times before 1970 read as 1970).
pub fn utc_timestamp(at: std::time::SystemTime) -> String {
    let secs = at
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// An entity mention: a char range of a document's text with a type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Span {
    pub id: SpanId,
    /// Char offset of the first char.
    pub start: usize,
    /// Char offset one past the last char.
    pub end: usize,
    /// The pieces of a discontinuous mention (brat `T1 ORG 0 5;10 15`), in text order, the
    /// first starting at `start` and the last ending at `end`; empty for an ordinary span.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fragments: Vec<(usize, usize)>,
    /// brat attributes (`A`/`M` lines): name -> value, "" for a binary attribute.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attributes: BTreeMap<String, String>,
    /// The span is the trigger of a brat event (`E` line): its relations whose type is an
    /// event role of the schema (`RelationType::event_role`) are the event's arguments.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub event: bool,
    /// An entity type id of the schema.
    #[serde(rename = "type")]
    pub entity_type: ShortName,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entity: Option<EntityId>,
    #[serde(default, skip_serializing_if = "Origin::is_manual")]
    pub origin: Origin,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Who made it and when (absent in files from before format version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made: Option<Made>,
}

impl Span {
    pub fn new(id: SpanId, start: usize, end: usize, entity_type: &str) -> Span {
        Span {
            id,
            start,
            end,
            fragments: Vec::new(),
            attributes: BTreeMap::new(),
            event: false,
            entity_type: entity_type.into(),
            entity: None,
            origin: Origin::Manual,
            note: String::new(),
            made: None,
        }
    }

    /// The char ranges the span covers: its fragments, or the whole `start..end`.
    pub fn pieces(&self) -> Vec<(usize, usize)> {
        if self.fragments.is_empty() {
            vec![(self.start, self.end)]
        } else {
            self.fragments.clone()
        }
    }

    /// The order spans are kept in within a document: by position, then id.
    pub fn sort_key(&self) -> (usize, usize, SpanId) {
        (self.start, self.end, self.id)
    }
}

/// A typed, directed link between two spans of the same document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relation {
    pub id: RelationId,
    #[serde(rename = "type")]
    pub relation_type: ShortName,
    pub source: SpanId,
    pub target: SpanId,
    #[serde(default, skip_serializing_if = "Origin::is_manual")]
    pub origin: Origin,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
    /// Who made it and when (absent in files from before format version 3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub made: Option<Made>,
}

impl Relation {
    /// A manual relation with no note, not yet stamped.
    pub fn new(id: RelationId, relation_type: &str, source: SpanId, target: SpanId) -> Relation {
        Relation {
            id,
            relation_type: relation_type.into(),
            source,
            target,
            origin: Origin::Manual,
            note: String::new(),
            made: None,
        }
    }
}

/// The analyst's progress on a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum DocumentStatus {
    #[default]
    New,
    InProgress,
    Done,
}

impl DocumentStatus {
    pub const ALL: [DocumentStatus; 3] = [
        DocumentStatus::New,
        DocumentStatus::InProgress,
        DocumentStatus::Done,
    ];

    pub fn label(self) -> &'static str {
        match self {
            DocumentStatus::New => "new",
            DocumentStatus::InProgress => "in progress",
            DocumentStatus::Done => "done",
        }
    }
}

/// What is known about a document besides its text: read from the file it came from (HTML
/// `<meta>`, mail headers, table columns, office document properties) or set by the analyst
/// (who may also leave a note on the whole document).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DocumentMetadata {
    /// When it was published or sent, ISO 8601 (`2024-03-01` or `2024-03-01T09:30:00+02:00`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// The publisher or outlet (not the file name: that is `Document::source`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// A language tag such as `en` or `hy-AM`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
    /// Anything else the source said (mail recipients, extra table columns, ...).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub extra: BTreeMap<String, String>,
    /// For a paginated source (PDF): the char offset where each page starts, in page order
    /// (the first is 0). Empty when the source has no pages.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub pages: Vec<usize>,
    /// The analyst's note on the whole document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl DocumentMetadata {
    pub fn is_empty(&self) -> bool {
        self == &DocumentMetadata::default()
    }

    /// The same metadata with its fields trimmed and blank ones unknown.
    pub fn tidied(mut self) -> DocumentMetadata {
        for field in [
            &mut self.date,
            &mut self.author,
            &mut self.source,
            &mut self.url,
            &mut self.language,
            &mut self.note,
        ] {
            *field = field
                .as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string);
        }
        self
    }

    /// Sets a field only when it is still unknown and the value is not blank.
    pub fn fill(field: &mut Option<String>, value: Option<&str>) {
        if field.is_none()
            && let Some(v) = value.map(str::trim).filter(|v| !v.is_empty())
        {
            *field = Some(v.to_string());
        }
    }

    /// The page (1-based) a char offset is on, for a paginated source.
    pub fn page_of(&self, offset: usize) -> Option<usize> {
        match self.pages.partition_point(|&start| start <= offset) {
            0 => None,
            n => Some(n),
        }
    }

    /// The JSON export's view: every key present, `null` when unknown; `pages` (the char
    /// offset where each page starts) only for paginated sources.
    pub fn to_json(&self) -> serde_json::Value {
        let mut value = serde_json::json!({
            "date": self.date,
            "author": self.author,
            "source": self.source,
            "url": self.url,
            "language": self.language,
            "extra": self.extra,
            "note": self.note,
        });
        if !self.pages.is_empty()
            && let Some(obj) = value.as_object_mut()
        {
            obj.insert("pages".into(), serde_json::json!(self.pages));
        }
        value
    }
}

/// A document's own tokens (from a pretokenised file), kept for exports.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tokenization {
    /// Char ranges of the tokens, in text order, not overlapping. A line break between two
    /// tokens ends a sentence.
    pub tokens: Vec<(usize, usize)>,
    /// Per token, the file's columns between the token and its tag (CoNLL POS and chunk),
    /// joined by tabs; empty when the file had no such columns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<String>,
}

/// Whether a date reads as ISO 8601: `YYYY-MM-DD`, optionally followed by a time.
pub fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 10
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit)
        && (b.len() == 10 || matches!(b[10], b'T' | b' '))
}

/// An imported article. Its text never changes after import; annotations point into it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Document {
    pub id: DocumentId,
    pub title: String,
    /// Where the text came from (file name), for the analyst's reference.
    #[serde(default)]
    pub source: String,
    /// Hex SHA-256 of the text, to notice the same article imported twice.
    #[serde(default)]
    pub content_hash: String,
    #[serde(default)]
    pub status: DocumentStatus,
    #[serde(default, skip_serializing_if = "DocumentMetadata::is_empty")]
    pub metadata: DocumentMetadata,
    pub text: String,
    /// Kept sorted by `Span::sort_key`.
    #[serde(default)]
    pub spans: Vec<Span>,
    /// Kept sorted by id.
    #[serde(default)]
    pub relations: Vec<Relation>,
    /// The tokens the document came with when it was imported pretokenised (CoNLL, WebAnno
    /// TSV), so exports write exactly those tokens back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Tokenization>,
    #[serde(skip)]
    offsets: LazyCharIndex,
}

impl Document {
    pub fn new(id: DocumentId, title: &str, source: &str, text: String) -> Document {
        Document {
            id,
            title: title.to_string(),
            source: source.to_string(),
            content_hash: content_hash(&text),
            status: DocumentStatus::New,
            metadata: DocumentMetadata::default(),
            text,
            spans: Vec::new(),
            relations: Vec::new(),
            tokens: None,
            offsets: LazyCharIndex::default(),
        }
    }

    /// The char<->byte map of the text, built on first use.
    pub fn offsets(&self) -> &CharIndex {
        self.offsets.0.get_or_init(|| CharIndex::new(&self.text))
    }

    pub fn char_len(&self) -> usize {
        self.offsets().char_len()
    }

    /// The text between two char offsets.
    pub fn slice(&self, start: usize, end: usize) -> &str {
        self.offsets().slice(&self.text, start, end)
    }

    pub fn span(&self, id: SpanId) -> Option<&Span> {
        self.spans.iter().find(|s| s.id == id)
    }

    pub fn span_index(&self, id: SpanId) -> Option<usize> {
        self.spans.iter().position(|s| s.id == id)
    }

    pub fn relation(&self, id: RelationId) -> Option<&Relation> {
        self.relations
            .binary_search_by_key(&id, |r| r.id)
            .ok()
            .map(|i| &self.relations[i])
    }

    pub fn span_text(&self, span: &Span) -> &str {
        self.slice(span.start, span.end)
    }

    /// Relations that start or end at the span.
    pub fn relations_of(&self, span: SpanId) -> impl Iterator<Item = &Relation> {
        self.relations
            .iter()
            .filter(move |r| r.source == span || r.target == span)
    }

    /// Spans with exactly these offsets and type (at most one by validation of edits, but
    /// imported data may hold more).
    pub fn has_span(&self, start: usize, end: usize, entity_type: &str) -> bool {
        self.span_at(start, end, entity_type).is_some()
    }

    /// The span with these offsets and type, if any.
    pub fn span_at(&self, start: usize, end: usize, entity_type: &str) -> Option<&Span> {
        // Spans are sorted by position: only those starting at `start` can match.
        let first = self.spans.partition_point(|s| s.start < start);
        self.spans[first..]
            .iter()
            .take_while(|s| s.start == start)
            .find(|s| s.end == end && s.entity_type == entity_type)
    }
}

/// Hex SHA-256 of a text.
pub fn content_hash(text: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A cache that never takes part in comparisons: it is derived from the text.
#[derive(Debug, Clone, Default)]
struct LazyCharIndex(OnceLock<CharIndex>);

impl PartialEq for LazyCharIndex {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}
