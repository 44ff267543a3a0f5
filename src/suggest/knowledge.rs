//! Knowledge classes learned from the analyst: which of the project's entity types the
//! matches of each built-in class (country, nationality, date, ...) are annotated with, so
//! the gazetteer and rules engines suggest the project's own types.

use crate::model::{Document, KnowledgeClass, LearnedType, Project, Schema};
use std::collections::{BTreeMap, HashMap};

/// What the annotations show per class (classes with no evidence are absent).
pub type LearnedTypes = HashMap<KnowledgeClass, LearnedType>;

/// Unannotated matches (with none annotated) it takes to learn that the analyst does not
/// want a class suggested.
const NOTHING_AFTER: usize = 5;

/// Type names (lowercase, without spaces, `_` or `-`) an analyst's own schema may give each
/// class, most specific first: the zero-shot mapping when neither the schema nor the
/// annotations say anything, so "Syria" is a Location suggestion in a schema that has a
/// Location type and no GPE, from the first document on.
fn names_for(class: KnowledgeClass) -> &'static [&'static str] {
    use KnowledgeClass as K;
    match class {
        K::Country => &["country", "gpe", "location", "loc", "place", "geo"],
        K::City => &["city", "gpe", "location", "loc", "place", "geo"],
        K::Subdivision => &[
            "subdivision",
            "province",
            "gpe",
            "location",
            "loc",
            "place",
            "geo",
        ],
        K::Region => &["region", "loc", "location", "place", "geo"],
        K::Organisation => &["organisation", "organization", "org", "group"],
        K::ArmedGroup => &["armedgroup", "organisation", "organization", "org", "group"],
        K::PersonName => &["person", "per", "people", "individual"],
        K::Nationality => &["nationality", "norp", "demonym", "ethnicity"],
        K::Religion => &["religion", "norp", "ethnicity"],
        K::Date => &["date", "temporal", "time", "timex", "datetime"],
        K::Time => &["time", "temporal", "timex", "datetime", "date"],
        K::Quantity => &["quantity", "number", "cardinal", "amount"],
        K::Money => &["money", "currency", "amount"],
        K::Role => &["role", "title", "position", "jobtitle"],
        K::Event => &["event", "incident"],
    }
}

/// The entity type to suggest a class as: `Schema::knowledge_type` (explicit, else learned,
/// else the default schema's type), else, when neither the schema nor the annotations say
/// anything about the class, the schema's type named like it (`names_for`, matched on id or
/// label ignoring case, spaces, `_` and `-`). None: the class is not suggested.
pub fn class_type<'a>(
    schema: &'a Schema,
    class: KnowledgeClass,
    learned: Option<&'a LearnedType>,
) -> Option<&'a str> {
    if let Some(t) = schema.knowledge_type(class, learned) {
        return Some(t);
    }
    if schema.knowledge_types.contains_key(class.id()) || learned.is_some() {
        return None;
    }
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| !matches!(c, ' ' | '_' | '-'))
            .flat_map(char::to_lowercase)
            .collect()
    };
    names_for(class).iter().find_map(|name| {
        schema
            .entity_types
            .iter()
            .find(|t| norm(&t.id) == *name || norm(&t.label) == *name)
            .map(|t| t.id.as_str())
    })
}

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
    use crate::model::{DocumentId, EntityType, Span, SpanId};

    #[test]
    fn an_own_schema_gets_the_types_named_like_the_classes() {
        let ty = |id: &str, label: &str| EntityType {
            id: id.into(),
            label: label.into(),
            color: "#ffffff".into(),
            key: None,
            short_label: String::new(),
        };
        let mut s = Schema {
            entity_types: vec![
                ty("Location", "Location"),
                ty("T1", "Temporal"),
                ty("Person", "Person"),
                ty("Weapon", "Weapon"),
            ],
            ..Schema::default()
        };
        assert_eq!(
            class_type(&s, KnowledgeClass::Country, None),
            Some("Location")
        );
        assert_eq!(class_type(&s, KnowledgeClass::Date, None), Some("T1"));
        assert_eq!(
            class_type(&s, KnowledgeClass::Subdivision, None),
            Some("Location")
        );
        assert_eq!(
            class_type(&s, KnowledgeClass::PersonName, None),
            Some("Person")
        );
        assert_eq!(class_type(&s, KnowledgeClass::Organisation, None), None);
        // What the analyst's annotations or the schema say comes first.
        let nothing = LearnedType::Nothing;
        assert_eq!(
            class_type(&s, KnowledgeClass::Country, Some(&nothing)),
            None
        );
        s.knowledge_types.insert("country".into(), "Weapon".into());
        assert_eq!(
            class_type(&s, KnowledgeClass::Country, None),
            Some("Weapon")
        );
        // The default schema keeps its own mapping.
        let d = Schema::default_schema();
        assert_eq!(class_type(&d, KnowledgeClass::Country, None), Some("GPE"));
    }

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
