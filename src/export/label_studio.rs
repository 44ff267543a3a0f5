//! Label Studio JSON: a list of tasks, one per document, ready for Label Studio's import (with
//! the annotations) or for `import::label_studio`:
//! `{"id", "data": {"text", "title", ..metadata}, "annotations": [{"result": [..]}]}`.
//! Spans are `labels` regions (`from_name` "label", `to_name` "text", char offsets, the
//! covered `text`, the note as the region's `meta.text`); relations are `relation` items
//! (`direction` "bi" for symmetric types). Label Studio has no place for relation notes or
//! entity records; the export says how many it leaves out. The matching labeling config is
//! given in a notice.

use super::Holds;
use crate::import::fields::to_fields;
use crate::model::Project;
use serde_json::{Value, json};

pub fn render(project: &Project, notices: &mut Vec<String>) -> Value {
    notices.extend(super::cannot_hold(
        "Label Studio JSON",
        project,
        Holds {
            relation_notes: false,
            links: false,
            ..Holds::ALL
        },
    ));
    let tasks: Vec<Value> = project
        .documents
        .iter()
        .map(|doc| {
            let mut data = serde_json::Map::new();
            data.insert("text".into(), json!(doc.text));
            data.extend(to_fields(doc, &["text"]));
            let mut result: Vec<Value> = doc
                .spans
                .iter()
                .map(|s| {
                    let mut region = json!({
                        "id": format!("T{}", s.id.0),
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "origin": "manual",
                        "value": {
                            "start": s.start,
                            "end": s.end,
                            "text": doc.span_text(s),
                            "labels": [s.entity_type],
                        },
                    });
                    if !s.note.is_empty() {
                        region["meta"] = json!({ "text": [s.note] });
                    }
                    region
                })
                .collect();
            result.extend(doc.relations.iter().map(|r| {
                let symmetric = project
                    .schema
                    .relation_type(&r.relation_type)
                    .is_some_and(|t| t.symmetric);
                json!({
                    "from_id": format!("T{}", r.source.0),
                    "to_id": format!("T{}", r.target.0),
                    "type": "relation",
                    "direction": if symmetric { "bi" } else { "right" },
                    "labels": [r.relation_type],
                })
            }));
            json!({
                "id": doc.id.0,
                "data": data,
                "annotations": [{
                    "id": doc.id.0,
                    "result": result,
                    "was_cancelled": false,
                    "ground_truth": false,
                }],
                "predictions": [],
            })
        })
        .collect();
    notices.push(format!(
        "Label Studio labeling config for these tasks: {}",
        labeling_config(project)
    ));
    Value::Array(tasks)
}

/// A labeling config with the project's entity and relation types.
pub fn labeling_config(project: &Project) -> String {
    let esc = super::escape_xml;
    let mut out = String::from("<View><Relations>");
    for t in &project.schema.relation_types {
        out.push_str(&format!("<Relation value=\"{}\"/>", esc(&t.id)));
    }
    out.push_str("</Relations><Labels name=\"label\" toName=\"text\">");
    for t in &project.schema.entity_types {
        out.push_str(&format!(
            "<Label value=\"{}\" background=\"{}\"/>",
            esc(&t.id),
            esc(&t.color)
        ));
    }
    out.push_str("</Labels><Text name=\"text\" value=\"$text\"/></View>");
    out
}
