//! doccano JSONL, one object per document, in either of doccano's shapes:
//! - `Seq` (the default; what a sequence-labelling project imports): `{"id", "text",
//!   "label": [[start, end, "TYPE"], ..]}`;
//! - `Relation` (a project with relations): `{"id", "text", "entities": [{"id", "label",
//!   "start_offset", "end_offset"}], "relations": [{"id", "from_id", "to_id", "type"}]}`,
//!   where entities also carry Marginalia's `note` and linked `entity` record and relations
//!   their `note` (doccano ignores those keys; Marginalia reads them back).
//!
//! Both shapes add the title, status and metadata as top-level keys (doccano keeps them as the
//! example's `meta` and exports them back), classification labels as `cats` and comments as
//! `Comments`. Offsets are char offsets.

use super::{Holds, JsonlShape};
use crate::import::fields::to_fields;
use crate::import::jsonl::RESERVED;
use crate::model::{Document, Project};
use serde_json::{Value, json};

pub fn render(project: &Project, shape: JsonlShape, notices: &mut Vec<String>) -> String {
    let holds = match shape {
        JsonlShape::Seq => Holds::DOCUMENT_FIELDS,
        JsonlShape::Relation => Holds::ALL,
    };
    notices.extend(super::cannot_hold(
        &format!("doccano JSONL ({} shape)", shape.name()),
        project,
        holds,
    ));
    let reserved: Vec<&str> = RESERVED
        .iter()
        .copied()
        .filter(|k| !matches!(*k, "cats" | "Comments"))
        .collect();
    let mut out = String::new();
    for doc in &project.documents {
        let mut line = serde_json::Map::new();
        line.insert("id".into(), json!(doc.id.0));
        line.insert("text".into(), json!(doc.text));
        // `cats` and `Comments` are kept in `extra` as JSON lists and go back to the top.
        line.extend(to_fields(doc, &reserved));
        match shape {
            JsonlShape::Seq => {
                let labels: Vec<Value> = doc
                    .spans
                    .iter()
                    .map(|s| json!([s.start, s.end, s.entity_type]))
                    .collect();
                line.insert("label".into(), Value::Array(labels));
            }
            JsonlShape::Relation => {
                line.insert("entities".into(), entities(project, doc));
                let relations: Vec<Value> = doc
                    .relations
                    .iter()
                    .map(|r| {
                        let mut v = json!({
                            "id": r.id.0,
                            "from_id": r.source.0,
                            "to_id": r.target.0,
                            "type": r.relation_type,
                        });
                        if !r.note.is_empty() {
                            v["note"] = json!(r.note);
                        }
                        v
                    })
                    .collect();
                line.insert("relations".into(), Value::Array(relations));
            }
        }
        out.push_str(&Value::Object(line).to_string());
        out.push('\n');
    }
    out
}

fn entities(project: &Project, doc: &Document) -> Value {
    let list = doc
        .spans
        .iter()
        .map(|s| {
            let mut v = json!({
                "id": s.id.0,
                "label": s.entity_type,
                "start_offset": s.start,
                "end_offset": s.end,
            });
            if !s.note.is_empty() {
                v["note"] = json!(s.note);
            }
            if let Some(e) = s.entity.and_then(|id| project.entity(id)) {
                let mut record = json!({"id": e.id.0, "name": e.name, "type": e.entity_type});
                if !e.aliases.is_empty() {
                    record["aliases"] = json!(e.aliases);
                }
                if !e.note.is_empty() {
                    record["note"] = json!(e.note);
                }
                v["entity"] = record;
            }
            v
        })
        .collect();
    Value::Array(list)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::jsonl::parse;
    use crate::model::{Document, Relation, Span};
    use std::path::Path;

    #[test]
    fn lines_parse_back_with_the_same_annotations() {
        let mut p = Project::new("t");
        let id = p.new_document_id();
        let mut d = Document::new(id, "t", "", "Pashinyan leads \"Armenia\"\nnow".to_string());
        let a = p.new_span_id();
        let b = p.new_span_id();
        d.spans.push(Span::new(a, 0, 9, "PER"));
        d.spans.push(Span::new(b, 17, 24, "GPE"));
        d.relations.push(Relation {
            id: p.new_relation_id(),
            relation_type: "leader_of".into(),
            source: a,
            target: b,
            origin: Default::default(),
            note: String::new(),
            made: None,
        });
        p.documents.push(d.into());
        let out = render(&p, JsonlShape::Relation, &mut Vec::new());
        assert_eq!(out.lines().count(), 1);
        let docs = parse(Path::new("x.jsonl"), &out).unwrap();
        assert_eq!(docs[0].doc.text, p.documents[0].text);
        let spans: Vec<_> = docs[0]
            .spans
            .iter()
            .map(|s| (s.start, s.end, s.entity_type.as_str()))
            .collect();
        assert_eq!(spans, vec![(0, 9, "PER"), (17, 24, "GPE")]);
        assert_eq!(
            (docs[0].relations[0].source, docs[0].relations[0].target),
            (0, 1)
        );
    }
}
