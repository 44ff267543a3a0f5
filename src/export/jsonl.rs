//! doccano JSONL: one object per document with `id`, `text`, `entities` (char offsets) and
//! `relations`, the shape doccano's relation-extraction projects import and export.

use crate::model::Project;
use serde_json::json;

pub fn render(project: &Project) -> String {
    let mut out = String::new();
    for doc in &project.documents {
        let entities: Vec<_> = doc
            .spans
            .iter()
            .map(|s| {
                json!({
                    "id": s.id.0,
                    "label": s.entity_type,
                    "start_offset": s.start,
                    "end_offset": s.end,
                })
            })
            .collect();
        let relations: Vec<_> = doc
            .relations
            .iter()
            .map(|r| {
                json!({
                    "id": r.id.0,
                    "from_id": r.source.0,
                    "to_id": r.target.0,
                    "type": r.relation_type,
                })
            })
            .collect();
        let line = json!({
            "id": doc.id.0,
            "text": doc.text,
            "entities": entities,
            "relations": relations,
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
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
        let out = render(&p);
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
