//! What the annotated readers (brat, CoNLL, JSONL) produce, and the one place that turns it
//! into a transaction: new types into the schema, entity records, then the documents with
//! their spans and relations under fresh ids.

use super::{ImportReport, ReadDocument};
use crate::edit::{Edit, Transaction};
use crate::model::{
    Document, DocumentId, Entity, EntityId, Origin, Project, Relation, Schema, Span,
};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Parses one file's content into documents.
pub(super) type ParseFile = fn(&Path, &str) -> Result<Vec<AnnotatedDocument>, super::ImportError>;

/// Reads annotated files of one format: files as given, folders recursively (the files with
/// one of `extensions`, in name order).
pub(super) fn read_files(
    paths: &[PathBuf],
    extensions: &[&str],
    parse: ParseFile,
) -> Result<AnnotatedImport, super::ImportError> {
    let mut import = AnnotatedImport::default();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| super::ImportError::Io {
            path: path.clone(),
            source,
        })?;
        let files = if meta.is_dir() {
            let mut files = Vec::new();
            super::walk_extensions(path, extensions, &mut files)?;
            if files.is_empty() {
                return Err(super::ImportError::NoDocuments { path: path.clone() });
            }
            files
        } else {
            vec![path.clone()]
        };
        for file in files {
            let text = super::decode::read_text_file(&file)?;
            import.documents.extend(parse(&file, &text)?);
        }
    }
    Ok(import)
}

/// A span read from a file, before it has an id.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReadSpan {
    pub start: usize,
    pub end: usize,
    pub entity_type: String,
    pub note: String,
    /// Key of a `ReadEntity` of the same import this span is linked to.
    pub link: Option<String>,
}

/// A relation between two spans of the same document (indices into its `spans`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReadRelation {
    pub relation_type: String,
    pub source: usize,
    pub target: usize,
    pub note: String,
}

/// A knowledge-base record named in the file (brat `N` lines).
#[derive(Debug, Clone, PartialEq)]
pub struct ReadEntity {
    /// "Marginalia:E12", "Wikidata:Q7184": unique within the import.
    pub key: String,
    pub name: String,
    pub entity_type: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct AnnotatedDocument {
    /// Recorded in each span's and relation's `Origin::Imported` ("brat", "conll", "jsonl").
    pub format: &'static str,
    pub doc: ReadDocument,
    pub spans: Vec<ReadSpan>,
    pub relations: Vec<ReadRelation>,
}

/// Everything an annotated import read, before anything is applied.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct AnnotatedImport {
    pub documents: Vec<AnnotatedDocument>,
    pub entities: Vec<ReadEntity>,
    /// Types declared by the input (brat's annotation.conf), merged into the schema when new.
    pub declared: Schema,
    pub notices: Vec<String>,
}

impl AnnotatedImport {
    /// Appends another import's content (several paths in one import).
    pub fn extend(&mut self, other: AnnotatedImport) {
        let known: HashSet<String> = self.entities.iter().map(|e| e.key.clone()).collect();
        self.documents.extend(other.documents);
        self.entities.extend(
            other
                .entities
                .into_iter()
                .filter(|e| !known.contains(&e.key)),
        );
        for t in other.declared.entity_types {
            if self.declared.entity_type(&t.id).is_none() {
                self.declared.entity_types.push(t);
            }
        }
        for t in other.declared.relation_types {
            if self.declared.relation_type(&t.id).is_none() {
                self.declared.relation_types.push(t);
            }
        }
        self.notices.extend(other.notices);
    }
}

/// The transaction that adds an annotated import to `project`: a `SetSchema` first when types
/// were added, then `AddEntity` for each linked record, then one `InsertDocument` per new text.
/// Texts the project already has are skipped.
pub fn annotated_transaction(
    project: &Project,
    import: AnnotatedImport,
) -> (Transaction, ImportReport) {
    let mut ids = project.ids();
    let mut report = ImportReport {
        notices: import.notices,
        ..ImportReport::default()
    };
    let mut tx = Transaction::new("Import annotated documents");

    // Which documents are new.
    let mut seen: HashSet<String> = project
        .documents
        .iter()
        .map(|d| d.content_hash.clone())
        .collect();
    let mut kept = Vec::new();
    // Hashing the texts is most of the work here and needs nothing shared: in parallel.
    let built: Vec<(Document, AnnotatedDocument)> = import
        .documents
        .into_par_iter()
        .map(|mut read| {
            let source = read
                .doc
                .source
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let text = std::mem::take(&mut read.doc.text);
            // The id is given below, once the document is known to be new.
            let document = Document::new(DocumentId(0), &read.doc.title, &source, text);
            (document, read)
        })
        .collect();
    for (document, read) in built {
        if !seen.insert(document.content_hash.clone()) {
            report.notices.push(format!(
                "{}: already in the project, skipped",
                read.doc.source.display()
            ));
            report.skipped_duplicates.push(read.doc.source);
            continue;
        }
        kept.push((document, read.spans, read.relations, read.format));
    }

    // Schema: declared types first (they bring colours and constraints), then any type used.
    let mut schema = project.schema.clone();
    let mut added_entity = Vec::new();
    let mut added_relation = Vec::new();
    for t in &import.declared.entity_types {
        if schema.entity_type(&t.id).is_none() {
            schema.entity_types.push(t.clone());
            added_entity.push(t.id.clone());
        }
    }
    for t in &import.declared.relation_types {
        if schema.relation_type(&t.id).is_none() {
            let mut t = t.clone();
            // Constraints naming types that are still unknown would make the schema invalid.
            t.source_types.retain(|s| schema.entity_type(s).is_some());
            t.target_types.retain(|s| schema.entity_type(s).is_some());
            schema.relation_types.push(t.clone());
            added_relation.push(t.id.clone());
        }
    }
    for (_, spans, relations, _) in &kept {
        for s in spans {
            if schema.ensure_entity_type(&s.entity_type) {
                added_entity.push(s.entity_type.clone());
            }
        }
        for r in relations {
            if schema.ensure_relation_type(&r.relation_type) {
                added_relation.push(r.relation_type.clone());
            }
        }
    }
    if !added_entity.is_empty() {
        report.notices.push(format!(
            "added entity type(s) to the schema: {}",
            added_entity.join(", ")
        ));
    }
    if !added_relation.is_empty() {
        report.notices.push(format!(
            "added relation type(s) to the schema: {}",
            added_relation.join(", ")
        ));
    }
    if schema != project.schema {
        tx.push(Edit::SetSchema(Box::new(schema)));
    }

    // Entity records: only those a kept span links to; an existing record with the same name
    // and type is reused rather than duplicated.
    let used: HashSet<&str> = kept
        .iter()
        .flat_map(|(_, spans, _, _)| spans.iter().filter_map(|s| s.link.as_deref()))
        .collect();
    let mut entity_ids: HashMap<String, EntityId> = HashMap::new();
    for e in &import.entities {
        if !used.contains(e.key.as_str()) || entity_ids.contains_key(&e.key) {
            continue;
        }
        let existing = project
            .entities
            .iter()
            .find(|x| x.name == e.name && x.entity_type == e.entity_type)
            .map(|x| x.id);
        let id = match existing {
            Some(id) => id,
            None => {
                let id = ids.entity();
                tx.push(Edit::AddEntity(Entity {
                    id,
                    name: e.name.clone(),
                    entity_type: e.entity_type.clone(),
                    aliases: Vec::new(),
                    note: String::new(),
                }));
                id
            }
        };
        entity_ids.insert(e.key.clone(), id);
    }

    let first_index = project.documents.len();
    for (index, (mut document, spans, relations, format)) in (first_index..).zip(kept) {
        document.id = ids.document();
        let origin = Origin::Imported {
            format: format.into(),
        };
        let span_ids: Vec<_> = spans.iter().map(|_| ids.span()).collect();
        for (s, &sid) in spans.iter().zip(&span_ids) {
            let mut span = Span::new(sid, s.start, s.end, &s.entity_type);
            span.origin = origin.clone();
            span.note = s.note.clone();
            span.entity = s.link.as_ref().and_then(|k| entity_ids.get(k).copied());
            document.spans.push(span);
        }
        for r in &relations {
            document.relations.push(Relation {
                id: ids.relation(),
                relation_type: r.relation_type.clone().into(),
                source: span_ids[r.source],
                target: span_ids[r.target],
                origin: origin.clone(),
                note: r.note.clone(),
            });
        }
        document.spans.sort_by_key(|s| s.sort_key());
        tx.push(Edit::InsertDocument {
            index,
            document: std::sync::Arc::new(document),
        });
        report.added += 1;
    }
    (tx, report)
}
