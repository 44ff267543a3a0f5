use super::Project;
use crate::text::{sentences, tokenize};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;

/// Counts over a whole project (the `stats` command and the status bar).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProjectStats {
    pub name: String,
    pub documents: usize,
    pub tokens: usize,
    pub sentences: usize,
    pub spans: usize,
    pub spans_per_type: BTreeMap<String, usize>,
    pub relations: usize,
    pub relations_per_type: BTreeMap<String, usize>,
    pub entities: usize,
    pub linked_spans: usize,
}

impl ProjectStats {
    pub fn of(project: &Project) -> ProjectStats {
        let (tokens, sentence_count) = project
            .documents
            .par_iter()
            .map(|d| {
                let toks = tokenize(&d.text);
                let n = sentences(&d.text, &toks).len();
                (toks.len(), n)
            })
            .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
        let mut spans_per_type = BTreeMap::new();
        let mut relations_per_type = BTreeMap::new();
        let mut linked_spans = 0;
        for d in &project.documents {
            for s in &d.spans {
                *spans_per_type.entry(s.entity_type.to_string()).or_insert(0) += 1;
                linked_spans += usize::from(s.entity.is_some());
            }
            for r in &d.relations {
                *relations_per_type
                    .entry(r.relation_type.to_string())
                    .or_insert(0) += 1;
            }
        }
        ProjectStats {
            name: project.name.clone(),
            documents: project.documents.len(),
            tokens,
            sentences: sentence_count,
            spans: project.span_count(),
            spans_per_type,
            relations: project.relation_count(),
            relations_per_type,
            entities: project.entities.len(),
            linked_spans,
        }
    }
}
