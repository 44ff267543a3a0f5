//! Spreadsheet tables: `entities.csv`, `mentions.csv` and `relations.csv` (UTF-8, comma
//! separated, one header row, quoted by the `csv` crate where needed).

use crate::model::{Made, Project};

type Files = Vec<(String, Vec<u8>)>;

fn table(header: &[&str], rows: Vec<Vec<String>>) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(header)?;
    for row in rows {
        let cells: Vec<_> = row.iter().map(|cell| neutralise(cell)).collect();
        w.write_record(cells.iter().map(|cell| cell.as_bytes()))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a tab or carriage
/// return before one) gets a leading `'`, which spreadsheets show as text (OWASP's advice
/// against CSV injection). Document text such as "-5 degrees" comes out as "'-5 degrees".
fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

/// Entities with how many mentions each has (one pass over the spans).
fn mention_counts(project: &Project) -> std::collections::HashMap<crate::model::EntityId, usize> {
    let mut counts = std::collections::HashMap::new();
    for d in &project.documents {
        for e in d.spans.iter().filter_map(|s| s.entity) {
            *counts.entry(e).or_insert(0) += 1;
        }
    }
    counts
}

/// Who made an annotation and when (empty for annotations from before format version 3).
fn made_by(made: Option<&Made>) -> String {
    made.map(|m| m.by.clone()).unwrap_or_default()
}

fn made_at(made: Option<&Made>) -> String {
    made.map(|m| m.at.clone()).unwrap_or_default()
}

pub fn render(project: &Project) -> Result<Files, csv::Error> {
    let counts = mention_counts(project);
    let entities = project
        .entities
        .iter()
        .map(|e| {
            vec![
                e.id.to_string(),
                e.name.clone(),
                e.entity_type.clone(),
                // A JSON array: unambiguous whatever an alias holds (";", quotes, commas).
                if e.aliases.is_empty() {
                    String::new()
                } else {
                    serde_json::Value::from(e.aliases.clone()).to_string()
                },
                counts.get(&e.id).copied().unwrap_or(0).to_string(),
                e.note.clone(),
                made_by(e.made.as_ref()),
                made_at(e.made.as_ref()),
            ]
        })
        .collect();
    let mut mentions = Vec::new();
    let mut relations = Vec::new();
    for d in &project.documents {
        for s in &d.spans {
            mentions.push(vec![
                d.id.to_string(),
                d.title.clone(),
                s.id.to_string(),
                s.start.to_string(),
                s.end.to_string(),
                s.entity_type.to_string(),
                d.span_text(s).to_string(),
                s.entity.map(|e| e.to_string()).unwrap_or_default(),
                s.origin.describe(),
                s.note.clone(),
                // The page of a paginated source (PDF), empty otherwise.
                d.metadata
                    .page_of(s.start)
                    .map(|p| p.to_string())
                    .unwrap_or_default(),
                made_by(s.made.as_ref()),
                made_at(s.made.as_ref()),
            ]);
        }
        for r in &d.relations {
            let text = |id| d.span(id).map(|s| d.span_text(s)).unwrap_or("").to_string();
            relations.push(vec![
                d.id.to_string(),
                d.title.clone(),
                r.id.to_string(),
                r.relation_type.to_string(),
                r.source.to_string(),
                text(r.source),
                r.target.to_string(),
                text(r.target),
                r.origin.describe(),
                r.note.clone(),
                made_by(r.made.as_ref()),
                made_at(r.made.as_ref()),
            ]);
        }
    }
    Ok(vec![
        (
            "entities.csv".to_string(),
            table(
                &[
                    "entity", "name", "type", "aliases", "mentions", "note", "made_by", "made_at",
                ],
                entities,
            )?,
        ),
        (
            "mentions.csv".to_string(),
            table(
                &[
                    "document", "title", "span", "start", "end", "type", "text", "entity",
                    "origin", "note", "page", "made_by", "made_at",
                ],
                mentions,
            )?,
        ),
        (
            "relations.csv".to_string(),
            table(
                &[
                    "document",
                    "title",
                    "relation",
                    "type",
                    "source",
                    "source_text",
                    "target",
                    "target_text",
                    "origin",
                    "note",
                    "made_by",
                    "made_at",
                ],
                relations,
            )?,
        ),
    ])
}
