//! Label Studio JSON: the export of a text project, a list of tasks (or one task)
//! `{"id", "data": {"text", ..}, "annotations": [{"result": [..], "was_cancelled"}],
//! "predictions": [..]}`. From the first annotation that was not cancelled (else the first
//! prediction): `labels` regions (`value.start`, `value.end`, `value.labels`, `value.text`)
//! become spans, with the region's `meta.text` as the note; `relation` items (`from_id`,
//! `to_id`, `labels`, `direction`) become relations; `choices` and `textarea` results go to
//! the document's metadata under their `from_name`. The other `data` keys are the title,
//! status and metadata (see `fields`). Offsets are code points; offsets written in UTF-16
//! units (older Label Studio versions, text with emoji) are recognised by the region's
//! `value.text` and converted.

use super::ImportError;
use super::annotated::{AnnotatedDocument, AnnotatedImport, ReadRelation, ReadSpan};
use super::fields::{from_fields, text_of};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

pub const EXTENSIONS: &[&str] = &["json"];

pub fn read(paths: &[PathBuf]) -> Result<AnnotatedImport, ImportError> {
    super::annotated::read_into(paths, EXTENSIONS, parse_into)
}

/// Parses one Label Studio JSON file into `import`.
pub fn parse_into(
    path: &Path,
    content: &str,
    import: &mut AnnotatedImport,
) -> Result<(), ImportError> {
    let invalid = |message: String| ImportError::Invalid {
        path: path.to_path_buf(),
        message,
    };
    let value: Value = serde_json::from_str(content).map_err(|e| ImportError::Malformed {
        path: path.to_path_buf(),
        line: e.line(),
        message: format!("not Label Studio JSON: {e}"),
    })?;
    let tasks = match value {
        Value::Array(tasks) => tasks,
        Value::Object(task) => vec![Value::Object(task)],
        _ => {
            return Err(invalid(
                "not Label Studio JSON: expected a list of tasks".into(),
            ));
        }
    };
    if tasks.is_empty() {
        return Err(ImportError::Empty {
            path: path.to_path_buf(),
        });
    }
    for (i, task) in tasks.iter().enumerate() {
        let which = match task.get("id") {
            Some(id) => format!("task {} (id {})", i + 1, text_of(id)),
            None => format!("task {}", i + 1),
        };
        let Value::Object(task) = task else {
            return Err(invalid(format!("{which}: not a JSON object")));
        };
        let doc =
            parse_task(path, task, &which, import).map_err(|m| invalid(format!("{which}: {m}")))?;
        import.documents.push(doc);
    }
    Ok(())
}

fn parse_task(
    path: &Path,
    task: &Map<String, Value>,
    which: &str,
    import: &mut AnnotatedImport,
) -> Result<AnnotatedDocument, String> {
    // Tasks as imported into Label Studio may have their data at the top level.
    let data = match task.get("data") {
        Some(Value::Object(d)) => d,
        Some(_) => return Err("\"data\" must be an object".into()),
        None => task,
    };
    let text = match data.get("text") {
        Some(Value::String(t)) if !t.trim().is_empty() => t.clone(),
        Some(Value::String(_)) => return Err("the text is empty".into()),
        _ => return Err("no data.text (only text tasks can be imported)".into()),
    };
    let reserved: &[&str] = if task.contains_key("data") {
        &["text"]
    } else {
        &["text", "id", "annotations", "predictions"]
    };
    let mut fields = from_fields(data, reserved);
    if let Some(Value::Object(meta)) = task.get("meta") {
        for (k, v) in meta {
            fields.metadata.extra.entry(k.clone()).or_insert(text_of(v));
        }
    }
    let list = |key: &str| match task.get(key) {
        Some(Value::Array(a)) => a.as_slice(),
        _ => &[],
    };
    let annotations: Vec<&Value> = list("annotations")
        .iter()
        .filter(|a| a.get("was_cancelled") != Some(&Value::Bool(true)))
        .collect();
    let (result, others) = match annotations.split_first() {
        Some((first, rest)) => (first.get("result"), rest.len()),
        None => (list("predictions").first().and_then(|p| p.get("result")), 0),
    };
    if others > 0 {
        import.notices.push(format!(
            "{}: {which}: {} not imported (the first one was)",
            path.display(),
            crate::text::count(others, "more annotation", "more annotations")
        ));
    }
    let items: &[Value] = match result {
        Some(Value::Array(items)) => items,
        Some(_) => return Err("an annotation's \"result\" must be a list".into()),
        None => &[],
    };
    let chars: Vec<char> = text.chars().collect();
    let mut spans = Vec::new();
    let mut by_region: HashMap<String, usize> = HashMap::new();
    let mut relation_items = Vec::new();
    let mut skipped: Vec<String> = Vec::new();
    for item in items {
        let kind = item.get("type").and_then(Value::as_str).unwrap_or("");
        let value = item.get("value");
        let region = item.get("id").map(text_of).unwrap_or_default();
        match kind {
            "relation" => relation_items.push(item),
            "labels" => {
                let value = value.ok_or_else(|| format!("region {region} has no value"))?;
                let (start, end) = offsets(value, &chars, &region)?;
                let labels = value
                    .get("labels")
                    .and_then(Value::as_array)
                    .ok_or_else(|| format!("region {region} has no labels"))?;
                let note = item
                    .get("meta")
                    .and_then(|m| m.get("text"))
                    .map(|t| match t {
                        Value::Array(a) => a.iter().map(text_of).collect::<Vec<_>>().join("\n"),
                        other => text_of(other),
                    })
                    .unwrap_or_default();
                for label in labels {
                    let ty = text_of(label).trim().to_string();
                    if ty.is_empty() {
                        return Err(format!("region {region} has an empty label"));
                    }
                    by_region.entry(region.clone()).or_insert(spans.len());
                    spans.push(ReadSpan {
                        start,
                        end,
                        entity_type: ty,
                        note: note.clone(),
                        ..ReadSpan::default()
                    });
                }
            }
            "choices" | "textarea" | "taxonomy" => {
                let key = item
                    .get("from_name")
                    .map(text_of)
                    .unwrap_or_else(|| kind.to_string());
                let field = match kind {
                    "textarea" => "text",
                    k => k,
                };
                let v = value
                    .and_then(|v| v.get(field))
                    .cloned()
                    .unwrap_or_default();
                let stored = match (kind, &v) {
                    ("textarea", Value::Array(a)) => {
                        a.iter().map(text_of).collect::<Vec<_>>().join("\n")
                    }
                    _ => text_of(&v),
                };
                fields.metadata.extra.insert(key, stored);
            }
            other => skipped.push(if other.is_empty() { "untyped" } else { other }.to_string()),
        }
    }
    let mut relations = Vec::new();
    for item in relation_items {
        let end = |key: &str| {
            let id = item.get(key).map(text_of).unwrap_or_default();
            by_region.get(&id).copied().ok_or_else(|| {
                format!(
                    "a relation points at region {id:?}, which is not a labelled span of this task"
                )
            })
        };
        let (mut source, mut target) = (end("from_id")?, end("to_id")?);
        if item.get("direction").and_then(Value::as_str) == Some("left") {
            std::mem::swap(&mut source, &mut target);
        }
        let labels: Vec<String> = item
            .get("labels")
            .and_then(Value::as_array)
            .map(|a| a.iter().map(|l| text_of(l).trim().to_string()).collect())
            .unwrap_or_default();
        let labels = if labels.iter().all(|l| l.is_empty()) {
            vec!["related".to_string()]
        } else {
            labels
        };
        for relation_type in labels.into_iter().filter(|l| !l.is_empty()) {
            relations.push(ReadRelation {
                relation_type,
                source,
                target,
                note: String::new(),
            });
        }
    }
    if !skipped.is_empty() {
        skipped.sort();
        skipped.dedup();
        import.notices.push(format!(
            "{}: {which}: results of kinds Marginalia does not hold were not imported: {}",
            path.display(),
            skipped.join(", ")
        ));
    }
    Ok(fields.into_document("label-studio", path, text, spans, relations))
}

/// A region's char offsets, checked against the text; UTF-16 offsets are converted when the
/// region's `text` says that is what they are.
fn offsets(value: &Value, chars: &[char], region: &str) -> Result<(usize, usize), String> {
    let num = |k: &str| {
        value
            .get(k)
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| {
                format!("region {region} has no character offset \"{k}\" (only plain-text labels can be imported)")
            })
    };
    let (start, end) = (num("start")?, num("end")?);
    let len = chars.len();
    let fits = start < end && end <= len;
    let quoted = value.get("text").and_then(Value::as_str);
    let same =
        |s: usize, e: usize| quoted.is_none_or(|q| chars[s..e].iter().copied().eq(q.chars()));
    if fits && same(start, end) {
        return Ok((start, end));
    }
    if quoted.is_some()
        && let Some((s, e)) = from_utf16(chars, start, end)
        && s < e
        && same(s, e)
    {
        return Ok((s, e));
    }
    if !fits {
        return Err(format!(
            "region {region}: {start}..{end} does not fit the text ({len} characters; start must be below end)"
        ));
    }
    Err(format!(
        "region {region}: the text at {start}..{end} is {:?}, not {:?}",
        chars[start..end].iter().collect::<String>(),
        quoted.unwrap_or_default()
    ))
}

/// UTF-16 offsets as char offsets; `None` when one falls inside a surrogate pair or past the end.
fn from_utf16(chars: &[char], start: usize, end: usize) -> Option<(usize, usize)> {
    let (mut units, mut s, mut e) = (0usize, None, None);
    for (i, c) in chars.iter().enumerate() {
        if units == start {
            s = Some(i);
        }
        if units == end {
            e = Some(i);
        }
        units += c.len_utf16();
    }
    if units == end {
        e = Some(chars.len());
    }
    Some((s?, e?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(content: &str) -> Result<AnnotatedImport, ImportError> {
        let mut import = AnnotatedImport::default();
        parse_into(Path::new("ls.json"), content, &mut import)?;
        Ok(import)
    }

    #[test]
    fn reads_spans_relations_notes_and_data_fields() {
        let import = parse(
            r#"[{"id": 3, "data": {"text": "Pashinyan leads Armenia 🇦🇲 and the CSTO.", "title": "Leaders", "date": "2024-03-01", "desk": "Caucasus"},
                "annotations": [{"id": 9, "was_cancelled": false, "result": [
                  {"id": "a1", "from_name": "label", "to_name": "text", "type": "labels",
                   "value": {"start": 0, "end": 9, "text": "Pashinyan", "labels": ["Person name"]},
                   "meta": {"text": ["Prime Minister"]}},
                  {"id": "a2", "from_name": "label", "to_name": "text", "type": "labels",
                   "value": {"start": 16, "end": 23, "text": "Armenia", "labels": ["GPE"]}},
                  {"id": "a3", "from_name": "label", "to_name": "text", "type": "labels",
                   "value": {"start": 37, "end": 41, "text": "CSTO", "labels": ["ORG"]}},
                  {"from_id": "a2", "to_id": "a1", "type": "relation", "direction": "left", "labels": ["leader_of"]},
                  {"id": "c", "from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["politics"]}},
                  {"id": "r", "from_name": "q", "to_name": "text", "type": "rating", "value": {"rating": 4}}
                ]}]}]"#,
        )
        .unwrap();
        let doc = &import.documents[0];
        assert_eq!(doc.doc.title, "Leaders");
        assert_eq!(doc.doc.metadata.date.as_deref(), Some("2024-03-01"));
        assert_eq!(doc.doc.metadata.extra["desk"], "Caucasus");
        assert_eq!(doc.doc.metadata.extra["topic"], "[\"politics\"]");
        let spans: Vec<_> = doc
            .spans
            .iter()
            .map(|s| (s.start, s.end, s.entity_type.as_str(), s.note.as_str()))
            .collect();
        // "CSTO" was written in UTF-16 units (the flag is 4 of them, 2 chars).
        assert_eq!(
            spans,
            [
                (0, 9, "Person name", "Prime Minister"),
                (16, 23, "GPE", ""),
                (35, 39, "ORG", "")
            ]
        );
        let r = &doc.relations[0];
        assert_eq!(
            (r.relation_type.as_str(), r.source, r.target),
            ("leader_of", 0, 1)
        );
        assert_eq!(import.notices.len(), 1);
        assert!(import.notices[0].contains("rating"), "{:?}", import.notices);
    }

    #[test]
    fn bad_tasks_are_named() {
        for (input, wanted) in [
            (
                "[{\"data\": {\"image\": \"x.png\"}}]",
                "ls.json: task 1: no data.text",
            ),
            (
                "[{\"id\": 5, \"data\": {\"text\": \"abc\"}, \"annotations\": [{\"result\": [{\"id\": \"x\", \"type\": \"labels\", \"value\": {\"start\": 1, \"end\": 9, \"labels\": [\"A\"]}}]}]}]",
                "ls.json: task 1 (id 5): region x: 1..9 does not fit",
            ),
            (
                "[{\"data\": {\"text\": \"abc\"}, \"annotations\": [{\"result\": [{\"type\": \"relation\", \"from_id\": \"p\", \"to_id\": \"q\"}]}]}]",
                "ls.json: task 1: a relation points at region \"p\"",
            ),
            (
                "{\"data\": 3}",
                "ls.json: task 1: \"data\" must be an object",
            ),
            ("[1", "ls.json:1: not Label Studio JSON"),
        ] {
            let err = parse(input).unwrap_err().to_string();
            assert!(err.starts_with(wanted), "{err}");
        }
    }
}
