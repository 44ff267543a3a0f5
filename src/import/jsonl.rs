//! doccano JSONL: one JSON object per line, in either of doccano's two shapes:
//! `{"text": .., "label": [[start, end, "TYPE"], ..]}` (sequence labelling) or
//! `{"text": .., "entities": [{"id", "label", "start_offset", "end_offset"}],
//!   "relations": [{"id", "from_id", "to_id", "type"}]}` (relation extraction).
//! Offsets are char offsets into `text`, which is taken as it is.

use super::annotated::{AnnotatedDocument, AnnotatedImport, ReadRelation, ReadSpan};
use super::{ImportError, ReadDocument};
use rayon::prelude::*;
use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub const EXTENSIONS: &[&str] = &["jsonl", "ndjson"];

#[derive(Debug, Deserialize)]
struct Line {
    text: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    label: Vec<(usize, usize, String)>,
    #[serde(default)]
    entities: Vec<EntityJson>,
    #[serde(default)]
    relations: Vec<RelationJson>,
}

#[derive(Debug, Deserialize)]
struct EntityJson {
    id: Value,
    label: String,
    start_offset: usize,
    end_offset: usize,
}

#[derive(Debug, Deserialize)]
struct RelationJson {
    from_id: Value,
    to_id: Value,
    #[serde(rename = "type")]
    relation_type: String,
}

pub fn read(paths: &[PathBuf]) -> Result<AnnotatedImport, ImportError> {
    super::annotated::read_files(paths, EXTENSIONS, parse)
}

/// Parses a JSONL file: one document per non-empty line. Lines are independent, so they are
/// parsed in parallel; the error reported is still the first bad line's.
pub fn parse(path: &Path, content: &str) -> Result<Vec<AnnotatedDocument>, ImportError> {
    let lines: Vec<(usize, &str)> = content
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .collect();
    let parsed: Vec<Result<AnnotatedDocument, ImportError>> = lines
        .par_iter()
        .map(|&(i, line)| parse_line(path, i + 1, line))
        .collect();
    let docs = parsed.into_iter().collect::<Result<Vec<_>, _>>()?;
    if docs.is_empty() {
        return Err(ImportError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(docs)
}

/// One line (number `n`) as a document.
fn parse_line(path: &Path, n: usize, line: &str) -> Result<AnnotatedDocument, ImportError> {
    let bad = |message: String| ImportError::Malformed {
        path: path.to_path_buf(),
        line: n,
        message,
    };
    let parsed: Line =
        serde_json::from_str(line).map_err(|e| bad(format!("not a doccano JSON object: {e}")))?;
    if parsed.text.trim().is_empty() {
        return Err(bad("the document's text is empty".to_string()));
    }
    let len = parsed.text.chars().count();
    let mut spans = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let labels = parsed
        .label
        .iter()
        .map(|(s, e, t)| (None, *s, *e, t.clone()));
    let entities = parsed.entities.iter().map(|e| {
        (
            Some(e.id.to_string()),
            e.start_offset,
            e.end_offset,
            e.label.clone(),
        )
    });
    for (id, start, end, ty) in labels.chain(entities) {
        if start >= end || end > len {
            return Err(bad(format!(
                "the {ty} label {start}..{end} does not fit the text ({len} characters; start must be below end)"
            )));
        }
        if ty.trim().is_empty() || ty.contains(char::is_whitespace) {
            return Err(bad(format!("'{ty}' is not a usable type name")));
        }
        if let Some(id) = id
            && by_id.insert(id.clone(), spans.len()).is_some()
        {
            return Err(bad(format!("the entity id {id} is used twice")));
        }
        spans.push(ReadSpan {
            start,
            end,
            entity_type: ty,
            ..ReadSpan::default()
        });
    }
    let mut relations = Vec::new();
    for r in &parsed.relations {
        let end = |v: &Value| {
            by_id.get(&v.to_string()).copied().ok_or_else(|| {
                bad(format!(
                    "the relation points at entity {v}, which is not on this line"
                ))
            })
        };
        relations.push(ReadRelation {
            relation_type: r.relation_type.clone(),
            source: end(&r.from_id)?,
            target: end(&r.to_id)?,
            note: String::new(),
        });
    }
    let title = parsed
        .title
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| super::title_from_text(&parsed.text, path));
    Ok(AnnotatedDocument {
        format: "jsonl",
        doc: ReadDocument {
            title,
            source: path.to_path_buf(),
            text: parsed.text,
            metadata: Default::default(),
        },
        spans,
        relations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_doccano_shapes() {
        let input = r#"{"text": "EU rejects German call", "label": [[0, 2, "ORG"], [11, 17, "MISC"]]}

{"id": 7, "text": "Pashinyan leads Armenia", "entities": [{"id": 1, "label": "PER", "start_offset": 0, "end_offset": 9}, {"id": 2, "label": "GPE", "start_offset": 16, "end_offset": 23}], "relations": [{"id": 3, "from_id": 1, "to_id": 2, "type": "leader_of"}]}
"#;
        let docs = parse(Path::new("d.jsonl"), input).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].spans.len(), 2);
        assert_eq!(docs[0].spans[1].entity_type, "MISC");
        assert_eq!(docs[1].relations.len(), 1);
        assert_eq!(
            (docs[1].relations[0].source, docs[1].relations[0].target),
            (0, 1)
        );
    }

    #[test]
    fn malformed_lines_are_named() {
        for input in [
            "{\"text\": \"a b\"}\n{\"text\": 3}\n",
            "{\"text\": \"a b\"}\n{\"text\": \"ab\", \"label\": [[0, 9, \"X\"]]}\n",
            "{\"text\": \"a b\"}\nnot json\n",
            "{\"text\": \"a b\"}\n{\"text\": \"ab\", \"entities\": [], \"relations\": [{\"id\":1,\"from_id\":1,\"to_id\":2,\"type\":\"r\"}]}\n",
        ] {
            let err = parse(Path::new("d.jsonl"), input).unwrap_err().to_string();
            assert!(err.starts_with("d.jsonl:2:"), "{err}");
        }
    }
}
