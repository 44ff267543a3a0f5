//! Knowledge classes learned from the analyst: which of the project's entity types the
//! matches of each built-in class (country, nationality, date, ...) are annotated with, so
//! the gazetteer and rules engines suggest the project's own types.

use crate::model::{Document, KnowledgeClass, LearnedType, Project};
use std::collections::{BTreeMap, HashMap};

/// What the annotations show per class (classes with no evidence are absent).
pub type LearnedTypes = HashMap<KnowledgeClass, LearnedType>;

/// Unannotated matches (with none annotated) it takes to learn that the analyst does not
/// want a class suggested.
const NOTHING_AFTER: usize = 5;

/// Learns from the annotated documents of `project` (those with at least one span): for each
/// class, `matches` gives (char start, char end, class) in a document; a match with a span of
/// exactly its offsets counts for that span's type, a match no span touches counts as left
/// unannotated, one that only overlaps spans counts for nothing. The class maps to the type
/// most of its annotated matches carry (ties: the first type by name); when none was
/// annotated and at least `NOTHING_AFTER` were left alone, to `LearnedType::Nothing`.
pub fn learn_knowledge_types(
    project: &Project,
    matches: impl Fn(&Document) -> Vec<(usize, usize, KnowledgeClass)>,
) -> LearnedTypes {
    let mut typed: HashMap<KnowledgeClass, BTreeMap<&str, usize>> = HashMap::new();
    let mut untouched: HashMap<KnowledgeClass, usize> = HashMap::new();
    for doc in project.documents.iter().filter(|d| !d.spans.is_empty()) {
        for (start, end, class) in matches(doc) {
            let mut exact = doc
                .spans
                .iter()
                .filter(|s| s.start == start && s.end == end)
                .peekable();
            if exact.peek().is_some() {
                for s in exact {
                    *typed
                        .entry(class)
                        .or_default()
                        .entry(s.entity_type.as_str())
                        .or_insert(0) += 1;
                }
            } else if !doc.spans.iter().any(|s| s.start < end && start < s.end) {
                *untouched.entry(class).or_insert(0) += 1;
            }
        }
    }
    let mut out = LearnedTypes::new();
    for class in KnowledgeClass::ALL {
        let best = typed.get(&class).and_then(|counts| {
            counts
                .iter()
                .fold(None, |best: Option<(&str, usize)>, (&t, &n)| match best {
                    Some((_, m)) if m >= n => best,
                    _ => Some((t, n)),
                })
        });
        if let Some((t, _)) = best {
            out.insert(class, LearnedType::Type(t.to_string()));
        } else if untouched.get(&class).is_some_and(|&n| n >= NOTHING_AFTER) {
            out.insert(class, LearnedType::Nothing);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocumentId, Span, SpanId};

    #[test]
    fn majority_type_of_exact_matches_and_nothing_for_ignored_classes() {
        let mut p = Project::new("p");
        let text = "Syria and Iraq. Syria again. Monday, Tuesday, Wednesday, Thursday, Friday.";
        let mut d = Document::new(DocumentId(1), "a", "a.txt", text.to_string());
        d.spans.push(Span::new(SpanId(2), 0, 5, "Location"));
        d.spans.push(Span::new(SpanId(3), 10, 14, "Location"));
        d.spans.push(Span::new(SpanId(4), 16, 21, "Organisation"));
        p.documents.push(d.into());
        // An unannotated document teaches nothing.
        p.documents
            .push(Document::new(DocumentId(5), "b", "b.txt", text.to_string()).into());
        let learned = learn_knowledge_types(&p, |d| {
            let mut m = vec![
                (0, 5, KnowledgeClass::Country),
                (10, 14, KnowledgeClass::Country),
                (16, 21, KnowledgeClass::Country),
            ];
            for (i, w) in ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
                .iter()
                .enumerate()
            {
                let s = d.text.find(w).unwrap_or(i);
                m.push((s, s + w.len(), KnowledgeClass::Date));
            }
            m
        });
        assert_eq!(
            learned.get(&KnowledgeClass::Country),
            Some(&LearnedType::Type("Location".into()))
        );
        assert_eq!(
            learned.get(&KnowledgeClass::Date),
            Some(&LearnedType::Nothing)
        );
        assert_eq!(learned.get(&KnowledgeClass::City), None);
    }
}
