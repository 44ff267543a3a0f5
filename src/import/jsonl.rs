//! doccano JSONL: one JSON object per line, in any of the shapes doccano imports and exports:
//! sequence labelling `{"text", "label": [[start, end, "TYPE"], ..]}` (spans also as
//! `{"start_offset", "end_offset", "label"}` objects), relation extraction `{"text",
//! "entities": [{"id", "label", "start_offset", "end_offset"}], "relations": [{"id",
//! "from_id", "to_id", "type"}]}`, classification (`"label": ["pos", ..]` or `"cats"`), with
//! doccano's `Comments` and any other key (doccano's `meta`, which it exports as top-level
//! keys). Offsets are char offsets into `text`, which is taken as it is. Type names may hold
//! spaces. Marginalia's own export adds `note` to entities and relations and a linked
//! `entity` record ({"id", "name", "type", "aliases", "note"}) to entities; doccano ignores
//! those keys.

use super::ImportError;
use super::annotated::{AnnotatedDocument, AnnotatedImport, ReadEntity, ReadRelation, ReadSpan};
use super::fields::{from_fields, text_of};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub const EXTENSIONS: &[&str] = &["jsonl", "ndjson"];

/// The keys a line's annotations use; every other key is document metadata.
pub(crate) const RESERVED: &[&str] = &[
    "id",
    "text",
    "data",
    "label",
    "labels",
    "entities",
    "relations",
    "cats",
    "Comments",
];

pub fn read(paths: &[PathBuf]) -> Result<AnnotatedImport, ImportError> {
    super::annotated::read_into(paths, EXTENSIONS, parse_into)
}

/// Parses a JSONL file: one document per non-empty line.
pub fn parse(path: &Path, content: &str) -> Result<Vec<AnnotatedDocument>, ImportError> {
    let mut import = AnnotatedImport::default();
    parse_into(path, content, &mut import)?;
    Ok(import.documents)
}

/// Parses a JSONL file into `import`: documents, the entity records they link to, statuses.
pub fn parse_into(
    path: &Path,
    content: &str,
    import: &mut AnnotatedImport,
) -> Result<(), ImportError> {
    let before = import.documents.len();
    for (i, line) in content.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |message: String| ImportError::Malformed {
            path: path.to_path_buf(),
            line: n,
            message,
        };
        let value: Value = serde_json::from_str(line)
            .map_err(|e| bad(format!("not a doccano JSON object: {e}")))?;
        let Value::Object(object) = value else {
            return Err(bad(
                "not a doccano JSON object: each line must be {...}".into()
            ));
        };
        let read = parse_object(path, &object, import).map_err(bad)?;
        import.documents.push(read);
    }
    if import.documents.len() == before {
        return Err(ImportError::Empty {
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// A span's offsets and type from doccano's `[start, end, "TYPE"]` or
/// `{"start_offset", "end_offset", "label"}`.
fn span_of(v: &Value) -> Option<(usize, usize, String)> {
    let num = |v: &Value| v.as_u64().and_then(|n| usize::try_from(n).ok());
    match v {
        Value::Array(a) if a.len() == 3 => Some((num(&a[0])?, num(&a[1])?, text_of(&a[2]))),
        Value::Object(o) => Some((
            num(o.get("start_offset")?)?,
            num(o.get("end_offset")?)?,
            text_of(o.get("label")?),
        )),
        _ => None,
    }
}

fn list<'a>(object: &'a Map<String, Value>, key: &str) -> Result<&'a [Value], String> {
    match object.get(key) {
        None | Some(Value::Null) => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(_) => Err(format!("\"{key}\" must be a list")),
    }
}

fn parse_object(
    path: &Path,
    object: &Map<String, Value>,
    import: &mut AnnotatedImport,
) -> Result<AnnotatedDocument, String> {
    let text = match (object.get("text"), object.get("data")) {
        (Some(Value::String(t)), _) | (None, Some(Value::String(t))) => t.clone(),
        (Some(_), _) => return Err("\"text\" must be a string".into()),
        _ => return Err("no \"text\" (the document's text)".into()),
    };
    if text.trim().is_empty() {
        return Err("the document's text is empty".to_string());
    }
    let len = text.chars().count();
    let mut spans = Vec::new();
    let mut categories: Vec<String> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let add_span = |spans: &mut Vec<ReadSpan>, start: usize, end: usize, ty: String| {
        let ty = ty.trim().to_string();
        if start >= end || end > len {
            return Err(format!(
                "the {ty} label {start}..{end} does not fit the text ({len} characters; start must be below end)"
            ));
        }
        if ty.is_empty() {
            return Err(format!("the label at {start}..{end} has no type"));
        }
        spans.push(ReadSpan {
            start,
            end,
            entity_type: ty,
            ..ReadSpan::default()
        });
        Ok(spans.len() - 1)
    };
    for key in ["label", "labels"] {
        for item in list(object, key)? {
            match item {
                Value::String(_) | Value::Number(_) => categories.push(text_of(item)),
                _ => {
                    let (s, e, t) = span_of(item).ok_or_else(|| {
                        format!("a \"{key}\" item is neither [start, end, \"TYPE\"] nor a category: {item}")
                    })?;
                    add_span(&mut spans, s, e, t)?;
                }
            }
        }
    }
    for item in list(object, "entities")? {
        let (s, e, t) = span_of(item)
            .ok_or_else(|| format!("an entity needs start_offset, end_offset and label: {item}"))?;
        let index = add_span(&mut spans, s, e, t)?;
        let Value::Object(o) = item else { continue };
        if let Some(id) = o.get("id")
            && by_id.insert(id.to_string(), index).is_some()
        {
            return Err(format!("the entity id {id} is used twice"));
        }
        if let Some(note) = o.get("note").and_then(Value::as_str) {
            spans[index].note = note.to_string();
        }
        if let Some(Value::Object(e)) = o.get("entity") {
            let ty = spans[index].entity_type.clone();
            spans[index].link = Some(entity_record(e, &ty, import)?);
        }
    }
    for item in list(object, "cats")? {
        categories.push(match item {
            Value::Object(o) => o.get("label").map(text_of).unwrap_or_default(),
            other => text_of(other),
        });
    }
    let mut relations = Vec::new();
    for r in list(object, "relations")? {
        let end = |key: &str| {
            let v = r
                .get(key)
                .ok_or_else(|| format!("a relation has no \"{key}\""))?;
            by_id.get(&v.to_string()).copied().ok_or_else(|| {
                format!("the relation points at entity {v}, which is not on this line")
            })
        };
        let relation_type = r.get("type").map(text_of).unwrap_or_default();
        if relation_type.trim().is_empty() {
            return Err("a relation has no \"type\"".into());
        }
        relations.push(ReadRelation {
            relation_type: relation_type.trim().to_string(),
            source: end("from_id")?,
            target: end("to_id")?,
            note: r
                .get("note")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        });
    }
    let mut fields = from_fields(object, RESERVED);
    categories.retain(|c| !c.trim().is_empty());
    if !categories.is_empty() {
        fields
            .metadata
            .extra
            .insert("cats".into(), Value::from(categories).to_string());
    }
    let comments: Vec<String> = list(object, "Comments")?
        .iter()
        .map(|c| match c {
            Value::Object(o) => o
                .get("comment")
                .or_else(|| o.get("text"))
                .map(text_of)
                .unwrap_or_else(|| c.to_string()),
            other => text_of(other),
        })
        .collect();
    if !comments.is_empty() {
        fields
            .metadata
            .extra
            .insert("Comments".into(), Value::from(comments).to_string());
    }
    Ok(fields.into_document("jsonl", path, text, spans, relations))
}

/// Registers the entity record an entity links to (Marginalia's extension) and returns its key.
fn entity_record(
    e: &Map<String, Value>,
    span_type: &str,
    import: &mut AnnotatedImport,
) -> Result<String, String> {
    let name = e
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .ok_or("a linked entity record has no \"name\"")?;
    let ty = e
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or(span_type)
        .to_string();
    let key = match e.get("id") {
        Some(id) => format!("Marginalia:{}", text_of(id)),
        None => format!("Marginalia:{ty}:{name}"),
    };
    if !import.entities.iter().any(|x| x.key == key) {
        let aliases = e
            .get("aliases")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(text_of).collect())
            .unwrap_or_default();
        let note = e
            .get("note")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        import.entities.push(ReadEntity {
            key: key.clone(),
            name: name.to_string(),
            entity_type: ty,
            aliases,
            note,
            ..ReadEntity::default()
        });
    }
    Ok(key)
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
