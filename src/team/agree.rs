//! Inter-annotator agreement between projects that annotated the same documents.
//!
//! Documents are matched by content hash; only documents every project has count. For each
//! pair of projects (the first as reference): exact-match precision, recall and F1 of spans
//! (offsets and type) and of relations (type, and both ends by offsets and type; the ends of
//! a symmetric relation in either order), overall and per type. Chance-corrected agreement
//! is kappa over tokens (`text::tokenize`; a token's label is the type of the longest span
//! over it, or `O`): Cohen's for two projects, Fleiss' for more. For relations the items
//! are the pairs of ends any project related, labelled with the relation type or `none`.

use super::TeamError;
use crate::model::{Document, Project};
use crate::text::tokenize;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Exact-match counts and scores, B against A as the reference.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize)]
pub struct Scores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Annotations both have.
    pub matched: usize,
    /// Annotations of A (the reference).
    pub a: usize,
    /// Annotations of B.
    pub b: usize,
}

impl Scores {
    fn of(matched: usize, a: usize, b: usize) -> Scores {
        let ratio = |n: usize, d: usize| if d == 0 { 1.0 } else { n as f64 / d as f64 };
        Scores {
            precision: ratio(matched, b),
            recall: ratio(matched, a),
            f1: ratio(2 * matched, a + b),
            matched,
            a,
            b,
        }
    }

    fn add(&mut self, other: &Scores) {
        *self = Scores::of(
            self.matched + other.matched,
            self.a + other.a,
            self.b + other.b,
        );
    }
}

/// Agreement of one pair on one kind of annotation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairPart {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Cohen's kappa.
    pub kappa: f64,
    pub per_type: BTreeMap<String, Scores>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    pub a: String,
    pub b: String,
    pub entities: PairPart,
    pub relations: PairPart,
}

/// Agreement of all projects on one kind of annotation: F1 and per-type scores summed over
/// the pairs; kappa Cohen's (two projects) or Fleiss' (more).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    pub f1: f64,
    pub kappa: f64,
    pub per_type: BTreeMap<String, Scores>,
}

/// What `marginalia agree --json` prints.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agreement {
    pub entities: Part,
    pub relations: Part,
    /// Documents every project has (matched by content hash).
    pub documents: usize,
    pub pairs: Vec<Pair>,
}

impl Agreement {
    /// The report for the terminal.
    pub fn to_text(&self) -> String {
        use std::fmt::Write as _;
        let mut out = String::new();
        let kind = if self.pairs.len() > 1 {
            "Fleiss"
        } else {
            "Cohen"
        };
        let _ = writeln!(
            out,
            "agreement over {}",
            crate::text::count(self.documents, "shared document", "shared documents")
        );
        for (name, part) in [("entities", &self.entities), ("relations", &self.relations)] {
            let _ = writeln!(
                out,
                "{name:<10} f1 {:.3}  kappa {:.3} ({kind})",
                part.f1, part.kappa
            );
            for (ty, s) in &part.per_type {
                let _ = writeln!(
                    out,
                    "  {ty:<16} p {:.3}  r {:.3}  f1 {:.3}  ({} matched of {} / {})",
                    s.precision, s.recall, s.f1, s.matched, s.a, s.b
                );
            }
        }
        for p in &self.pairs {
            let _ = writeln!(
                out,
                "{} ~ {}: entities f1 {:.3} kappa {:.3}; relations f1 {:.3} kappa {:.3}",
                p.a, p.b, p.entities.f1, p.entities.kappa, p.relations.f1, p.relations.kappa
            );
        }
        out.truncate(out.trim_end().len());
        out
    }
}

type SpanKey = (usize, usize, String);
/// (document, start, end, type)
type EntityItem = (usize, SpanKey);
/// (document, relation type, source, target)
type RelationItem = (usize, String, SpanKey, SpanKey);

/// One project's annotations on the shared documents, as comparable items.
struct Annotations {
    entities: BTreeSet<EntityItem>,
    relations: BTreeSet<RelationItem>,
    /// Per shared document, the label of each token.
    tokens: Vec<Vec<String>>,
}

fn annotations(p: &Project, docs: &[&Document]) -> Annotations {
    let mut entities = BTreeSet::new();
    let mut relations = BTreeSet::new();
    let mut tokens = Vec::new();
    for (i, shared) in docs.iter().enumerate() {
        let Some(d) = p
            .documents
            .iter()
            .find(|d| d.content_hash == shared.content_hash)
        else {
            continue;
        };
        let key = |s: &crate::model::Span| (s.start, s.end, s.entity_type.to_string());
        for s in &d.spans {
            entities.insert((i, key(s)));
        }
        for r in &d.relations {
            let (Some(s), Some(t)) = (d.span(r.source), d.span(r.target)) else {
                continue;
            };
            let (mut s, mut t) = (key(s), key(t));
            let symmetric = p
                .schema
                .relation_type(&r.relation_type)
                .is_some_and(|rt| rt.symmetric);
            if symmetric && t < s {
                std::mem::swap(&mut s, &mut t);
            }
            relations.insert((i, r.relation_type.to_string(), s, t));
        }
        tokens.push(token_labels(d));
    }
    Annotations {
        entities,
        relations,
        tokens,
    }
}

/// The label of each token: the type of the longest span over it, or "O".
fn token_labels(d: &Document) -> Vec<String> {
    let tokens = tokenize(&d.text);
    let mut labels: Vec<(usize, &str)> = vec![(0, "O"); tokens.len()];
    for s in &d.spans {
        let first = tokens.partition_point(|t| t.end <= s.start);
        let len = s.end - s.start;
        for (i, t) in tokens.iter().enumerate().skip(first) {
            if t.start >= s.end {
                break;
            }
            if len > labels[i].0 {
                labels[i] = (len, &s.entity_type);
            }
        }
    }
    labels.into_iter().map(|(_, l)| l.to_string()).collect()
}

fn per_type<T: Ord>(
    a: &BTreeSet<T>,
    b: &BTreeSet<T>,
    ty: impl Fn(&T) -> &str,
) -> (Scores, BTreeMap<String, Scores>) {
    let mut counts: BTreeMap<String, (usize, usize, usize)> = BTreeMap::new();
    for x in a {
        let c = counts.entry(ty(x).to_string()).or_default();
        c.1 += 1;
        if b.contains(x) {
            c.0 += 1;
        }
    }
    for x in b {
        counts.entry(ty(x).to_string()).or_default().2 += 1;
    }
    let matched = a.intersection(b).count();
    let per_type = counts
        .into_iter()
        .map(|(t, (m, na, nb))| (t, Scores::of(m, na, nb)))
        .collect();
    (Scores::of(matched, a.len(), b.len()), per_type)
}

/// Relation items by their ends: the label each annotator gave the pair of ends.
fn relation_labels(sets: &[&BTreeSet<RelationItem>]) -> Vec<Vec<String>> {
    let mut items: BTreeMap<(usize, &SpanKey, &SpanKey), Vec<BTreeSet<&str>>> = BTreeMap::new();
    for (k, set) in sets.iter().enumerate() {
        for (doc, ty, s, t) in set.iter() {
            items
                .entry((*doc, s, t))
                .or_insert_with(|| vec![BTreeSet::new(); sets.len()])[k]
                .insert(ty);
        }
    }
    items
        .into_values()
        .map(|per| {
            per.into_iter()
                .map(|types| {
                    if types.is_empty() {
                        "none".to_string()
                    } else {
                        types.into_iter().collect::<Vec<_>>().join("+")
                    }
                })
                .collect()
        })
        .collect()
}

/// Chance-corrected agreement from the observed and the expected agreement; 1 when both
/// are perfect (nothing to disagree on), 0 when chance explains everything otherwise.
fn kappa_of(observed: f64, expected: f64) -> f64 {
    if (1.0 - expected).abs() < 1e-12 {
        if (1.0 - observed).abs() < 1e-12 {
            1.0
        } else {
            0.0
        }
    } else {
        (observed - expected) / (1.0 - expected)
    }
}

/// Cohen's kappa of two label sequences of the same items.
pub fn cohen_kappa(a: &[String], b: &[String]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 1.0;
    }
    let mut agree = 0usize;
    let mut ca: HashMap<&str, usize> = HashMap::new();
    let mut cb: HashMap<&str, usize> = HashMap::new();
    for (x, y) in a.iter().zip(b) {
        if x == y {
            agree += 1;
        }
        *ca.entry(x).or_default() += 1;
        *cb.entry(y).or_default() += 1;
    }
    let nf = n as f64;
    let expected: f64 = ca
        .iter()
        .map(|(k, &na)| na as f64 / nf * cb.get(k).copied().unwrap_or(0) as f64 / nf)
        .sum();
    kappa_of(agree as f64 / nf, expected)
}

/// Fleiss' kappa: `items[i][r]` is the label rater `r` gave item `i`.
pub fn fleiss_kappa(items: &[Vec<String>]) -> f64 {
    let raters = items.first().map_or(0, Vec::len);
    if items.is_empty() || raters < 2 {
        return 1.0;
    }
    let n = raters as f64;
    let mut totals: HashMap<&str, usize> = HashMap::new();
    let mut observed = 0.0;
    for item in items {
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for label in item {
            *counts.entry(label).or_default() += 1;
            *totals.entry(label).or_default() += 1;
        }
        let sq: f64 = counts.values().map(|&c| (c * c) as f64).sum();
        observed += (sq - n) / (n * (n - 1.0));
    }
    let all = (items.len() * raters) as f64;
    let expected: f64 = totals.values().map(|&c| (c as f64 / all).powi(2)).sum();
    kappa_of(observed / items.len() as f64, expected)
}

fn flatten_tokens(a: &Annotations) -> Vec<String> {
    a.tokens.iter().flatten().cloned().collect()
}

/// Agreement between named projects (at least two).
pub fn agree(projects: &[(&str, &Project)]) -> Result<Agreement, TeamError> {
    if projects.len() < 2 {
        return Err(TeamError::TooFewProjects);
    }
    let (_, first) = projects[0];
    let hashes: Vec<BTreeSet<&str>> = projects
        .iter()
        .map(|(_, p)| {
            p.documents
                .iter()
                .map(|d| d.content_hash.as_str())
                .collect()
        })
        .collect();
    let mut seen = BTreeSet::new();
    let docs: Vec<&Document> = first
        .documents
        .iter()
        .filter(|d| hashes.iter().all(|h| h.contains(d.content_hash.as_str())))
        .filter(|d| seen.insert(d.content_hash.as_str()))
        .map(|d| &**d)
        .collect();
    let all: Vec<Annotations> = projects
        .iter()
        .map(|(_, p)| annotations(p, &docs))
        .collect();
    let tokens: Vec<Vec<String>> = all.iter().map(flatten_tokens).collect();

    let mut pairs = Vec::new();
    let mut entity_total = Scores::of(0, 0, 0);
    let mut relation_total = Scores::of(0, 0, 0);
    let mut entity_types: BTreeMap<String, Scores> = BTreeMap::new();
    let mut relation_types: BTreeMap<String, Scores> = BTreeMap::new();
    let add_types = |into: &mut BTreeMap<String, Scores>, from: &BTreeMap<String, Scores>| {
        for (t, s) in from {
            into.entry(t.clone())
                .or_insert_with(|| Scores::of(0, 0, 0))
                .add(s);
        }
    };
    for i in 0..all.len() {
        for j in i + 1..all.len() {
            let (a, b) = (&all[i], &all[j]);
            let (es, et) = per_type(&a.entities, &b.entities, |x| &x.1.2);
            let (rs, rt) = per_type(&a.relations, &b.relations, |x| &x.1);
            let rel_items = relation_labels(&[&a.relations, &b.relations]);
            let (ra, rb): (Vec<String>, Vec<String>) = rel_items
                .into_iter()
                .map(|v| (v[0].clone(), v[1].clone()))
                .unzip();
            entity_total.add(&es);
            relation_total.add(&rs);
            add_types(&mut entity_types, &et);
            add_types(&mut relation_types, &rt);
            pairs.push(Pair {
                a: projects[i].0.to_string(),
                b: projects[j].0.to_string(),
                entities: PairPart {
                    precision: es.precision,
                    recall: es.recall,
                    f1: es.f1,
                    kappa: cohen_kappa(&tokens[i], &tokens[j]),
                    per_type: et,
                },
                relations: PairPart {
                    precision: rs.precision,
                    recall: rs.recall,
                    f1: rs.f1,
                    kappa: cohen_kappa(&ra, &rb),
                    per_type: rt,
                },
            });
        }
    }
    let (entity_kappa, relation_kappa) = if all.len() == 2 {
        (pairs[0].entities.kappa, pairs[0].relations.kappa)
    } else {
        let n = tokens.iter().map(Vec::len).min().unwrap_or(0);
        let items: Vec<Vec<String>> = (0..n)
            .map(|k| tokens.iter().map(|t| t[k].clone()).collect())
            .collect();
        let sets: Vec<&BTreeSet<RelationItem>> = all.iter().map(|a| &a.relations).collect();
        (fleiss_kappa(&items), fleiss_kappa(&relation_labels(&sets)))
    };
    Ok(Agreement {
        entities: Part {
            f1: entity_total.f1,
            kappa: entity_kappa,
            per_type: entity_types,
        },
        relations: Part {
            f1: relation_total.f1,
            kappa: relation_kappa,
            per_type: relation_types,
        },
        documents: docs.len(),
        pairs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Relation, Span};
    use std::sync::Arc;

    fn project() -> Project {
        let mut p = Project::new("a");
        let id = p.new_document_id();
        let text = "Armenia and Azerbaijan met NATO officials in Brussels on Monday.";
        let mut d = Document::new(id, "Talks", "a.txt", text.to_string());
        for (start, end, ty) in [
            (0, 7, "GPE"),
            (12, 22, "GPE"),
            (27, 31, "ORG"),
            (57, 63, "DATE"),
        ] {
            d.spans.push(Span::new(p.new_span_id(), start, end, ty));
        }
        d.relations.push(Relation {
            id: p.new_relation_id(),
            relation_type: "opposes".into(),
            source: d.spans[1].id,
            target: d.spans[0].id,
            origin: Default::default(),
            note: String::new(),
            made: None,
        });
        p.documents.push(Arc::new(d));
        p
    }

    #[test]
    fn a_project_agrees_with_itself_completely() {
        let p = project();
        let a = agree(&[("a", &p), ("b", &p)]).unwrap();
        assert_eq!(a.documents, 1);
        assert_eq!(a.entities.f1, 1.0);
        assert_eq!(a.entities.kappa, 1.0);
        assert_eq!(a.relations.f1, 1.0);
        assert_eq!(a.relations.kappa, 1.0);
        assert_eq!(a.pairs.len(), 1);
        let three = agree(&[("a", &p), ("b", &p), ("c", &p)]).unwrap();
        assert_eq!(three.pairs.len(), 3);
        assert_eq!(three.entities.kappa, 1.0);
        assert_eq!(three.relations.kappa, 1.0);
    }

    #[test]
    fn removing_one_type_lowers_agreement() {
        let p = project();
        let mut q = p.clone();
        let d = Arc::make_mut(&mut q.documents[0]);
        d.relations.clear();
        d.spans.retain(|s| s.entity_type != "GPE");
        let a = agree(&[("a", &p), ("b", &q)]).unwrap();
        assert!(a.entities.f1 < 1.0 && a.entities.f1 > 0.0, "{a:?}");
        assert!(a.entities.kappa < 1.0, "{a:?}");
        assert_eq!(a.entities.per_type["ORG"].f1, 1.0);
        assert_eq!(a.entities.per_type["GPE"].f1, 0.0);
        assert_eq!(a.entities.per_type["GPE"].recall, 0.0);
        assert_eq!(a.relations.f1, 0.0);
        assert!(a.relations.kappa < 1.0);
        let three = agree(&[("a", &p), ("b", &p), ("c", &q)]).unwrap();
        assert!(three.entities.kappa < 1.0 && three.entities.kappa > -1.0);
    }

    #[test]
    fn only_shared_documents_count() {
        let p = project();
        let other = Project::new("other");
        let a = agree(&[("a", &p), ("b", &other)]).unwrap();
        assert_eq!(a.documents, 0);
        assert!(agree(&[("a", &p)]).is_err());
    }

    #[test]
    fn kappa_formulas_match_textbook_values() {
        let l = |s: &str| s.split(' ').map(str::to_string).collect::<Vec<_>>();
        // 2x2 table: 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no -> kappa 0.4
        let mut a = Vec::new();
        let mut b = Vec::new();
        for (x, y, n) in [
            ("y", "y", 20),
            ("y", "n", 5),
            ("n", "y", 10),
            ("n", "n", 15),
        ] {
            for _ in 0..n {
                a.push(x.to_string());
                b.push(y.to_string());
            }
        }
        assert!((cohen_kappa(&a, &b) - 0.4).abs() < 1e-9);
        assert_eq!(cohen_kappa(&l("x y"), &l("x y")), 1.0);
        let items = vec![l("a a a"), l("b b b"), l("a a b")];
        let k = fleiss_kappa(&items);
        assert!(k > 0.0 && k < 1.0, "{k}");
    }
}
