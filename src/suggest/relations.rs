//! The relations engine: patterns over the text between two entity mentions of one sentence
//! ("X's President Y" -> leader_of, "members are A, B and C" -> member_of, "X supports Y",
//! "clashes between X and Y", "Y, spokesperson for X", "summit in Y" -> located_in), plus the
//! patterns it learns from the project's relations: the words between the two ends with their
//! types and order.

use super::util::Analysis;
use super::{RelationSuggestion, SpanRef, Suggester, Suggestion};
use crate::model::{Document, Project};
use std::collections::HashMap;

const LEADER_ROLES: &[&str] = &[
    "president",
    "prime minister",
    "leader",
    "chancellor",
    "king",
    "queen",
    "emir",
    "premier",
    "chairman",
    "chairwoman",
    "chair",
    "secretary-general",
    "secretary general",
    "head",
    "director",
    "director-general",
    "commander",
    "supreme leader",
    "chief",
    "mayor",
    "governor",
];

/// A learned pattern key: source type, target type, whether the source comes first, and the
/// normalised text between the two.
type Key = (String, String, bool, String);

#[derive(Debug, Clone, Default)]
pub struct RelationPatterns {
    learned: HashMap<Key, (String, usize)>,
}

fn norm(between: &str) -> String {
    between
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('’', "'")
        .to_lowercase()
}

#[derive(Clone)]
struct Mention {
    r: SpanRef,
}

impl RelationPatterns {
    pub fn learned_patterns(&self) -> usize {
        self.learned.len()
    }
}

impl Suggester for RelationPatterns {
    fn name(&self) -> &'static str {
        "relations"
    }

    fn learn(&mut self, project: &Project) {
        let mut counts: HashMap<Key, HashMap<String, usize>> = HashMap::new();
        for d in &project.documents {
            for rel in &d.relations {
                let (Some(a), Some(b)) = (d.span(rel.source), d.span(rel.target)) else {
                    continue;
                };
                let (first, second, forward) = if a.end <= b.start {
                    (a, b, true)
                } else if b.end <= a.start {
                    (b, a, false)
                } else {
                    continue;
                };
                let between = d.slice(first.end, second.start);
                if between.chars().count() > 60 || between.contains('\n') {
                    continue;
                }
                let key = (
                    a.entity_type.to_string(),
                    b.entity_type.to_string(),
                    forward,
                    norm(between),
                );
                *counts
                    .entry(key)
                    .or_default()
                    .entry(rel.relation_type.to_string())
                    .or_insert(0) += 1;
            }
        }
        self.learned = counts
            .into_iter()
            .filter_map(|(k, v)| v.into_iter().max_by_key(|(_, n)| *n).map(|best| (k, best)))
            .collect();
    }

    fn suggest(&self, _project: &Project, _doc: &Document) -> Vec<Suggestion> {
        Vec::new()
    }

    fn suggest_relations(
        &self,
        _project: &Project,
        doc: &Document,
        candidates: &[Suggestion],
    ) -> Vec<RelationSuggestion> {
        let mut mentions: Vec<Mention> = doc
            .spans
            .iter()
            .map(SpanRef::of_span)
            .chain(
                candidates
                    .iter()
                    .filter(|c| c.score >= super::DEFAULT_MIN_SCORE)
                    .map(Suggestion::span_ref),
            )
            .map(|r| Mention { r })
            .collect();
        mentions.sort_by(|a, b| a.r.cmp(&b.r));
        mentions.dedup_by(|a, b| a.r == b.r);
        let analysis = Analysis::of(&doc.text);
        let mut out = Vec::new();
        let mut push = |src: &SpanRef, tgt: &SpanRef, ty: &str, score: f32, why: String| {
            out.push(RelationSuggestion {
                document: doc.id,
                source: src.clone(),
                target: tgt.clone(),
                relation_type: ty.to_string(),
                score,
                engine: "relations".to_string(),
                explanation: why,
            });
        };
        for s in &analysis.sentences {
            let ms: Vec<&Mention> = mentions
                .iter()
                .filter(|m| m.r.start >= s.start && m.r.end <= s.end)
                .collect();
            for (i, a) in ms.iter().enumerate() {
                for b in ms.iter().skip(i + 1) {
                    if b.r.start < a.r.end {
                        continue;
                    }
                    let between_raw = doc.slice(a.r.end, b.r.start);
                    if between_raw.chars().count() > 80 {
                        break;
                    }
                    let between = norm(between_raw);
                    let (ta, tb) = (a.r.entity_type.as_str(), b.r.entity_type.as_str());
                    // Learned patterns, both directions.
                    for (src, tgt, fwd) in [(&a.r, &b.r, true), (&b.r, &a.r, false)] {
                        let key = (
                            src.entity_type.clone(),
                            tgt.entity_type.clone(),
                            fwd,
                            between.clone(),
                        );
                        if let Some((ty, n)) = self.learned.get(&key) {
                            let why =
                                format!("learned from {n} relation(s) with \"{between}\" between");
                            push(src, tgt, ty, 0.7, why);
                        }
                    }
                    let actor = |t: &str| matches!(t, "PER" | "ORG" | "GPE" | "NORP");
                    if actor(ta) && actor(tb) {
                        if matches!(
                            between.as_str(),
                            "supports"
                                | "support"
                                | "backs"
                                | "backed"
                                | "supported"
                                | "came out in support of"
                                | "expressed support for"
                                | "voiced support for"
                                | "sided with"
                        ) {
                            push(&a.r, &b.r, "supports", 0.75, format!("\"X {between} Y\""));
                        }
                        let before = norm(doc.slice(s.start, a.r.start));
                        if between == "and"
                            && [
                                "clashes between",
                                "fighting between",
                                "war between",
                                "conflict between",
                                "tensions between",
                                "hostilities between",
                            ]
                            .iter()
                            .any(|k| before.ends_with(k))
                        {
                            push(
                                &a.r,
                                &b.r,
                                "opposes",
                                0.75,
                                "\"clashes between X and Y\"".into(),
                            );
                        }
                        if matches!(
                            between.as_str(),
                            "attacked" | "accused" | "condemned" | "shelled" | "invaded" | "struck"
                        ) {
                            push(&a.r, &b.r, "opposes", 0.65, format!("\"X {between} Y\""));
                        }
                    }
                    if ta == "PER" && matches!(tb, "ORG" | "GPE") {
                        let b2 = between.trim_start_matches(',').trim();
                        if [
                            "spokesperson for",
                            "spokesman for",
                            "spokeswoman for",
                            "a spokesperson for",
                            "a spokesman for",
                            "a spokeswoman for",
                            "the spokesperson for",
                            "spokesperson of",
                            "the spokesperson of the",
                            "the spokesperson for the",
                            "a spokesperson for the",
                        ]
                        .contains(&b2)
                        {
                            push(
                                &a.r,
                                &b.r,
                                "spokesperson_for",
                                0.8,
                                "\"Y, spokesperson for X\"".into(),
                            );
                        }
                    }
                    if matches!(ta, "ORG" | "GPE") && tb == "PER" {
                        let role = between.trim_start_matches("'s ").trim();
                        if LEADER_ROLES.contains(&role) {
                            push(&b.r, &a.r, "leader_of", 0.75, format!("\"X's {role} Y\""));
                        }
                        if ["spokesperson", "spokesman", "spokeswoman"].contains(&role) {
                            push(
                                &b.r,
                                &a.r,
                                "spokesperson_for",
                                0.75,
                                "\"X spokesperson Y\"".into(),
                            );
                        }
                    }
                    if matches!(ta, "EVENT" | "ORG" | "LOC")
                        && matches!(tb, "GPE" | "LOC")
                        && matches!(
                            between.as_str(),
                            "in" | "in the" | "at" | "near" | "based in"
                        )
                    {
                        push(&a.r, &b.r, "located_in", 0.6, format!("\"X {between} Y\""));
                    }
                }
            }
            // "X's President Y" / "CSTO Secretary-General Y": ORG/GPE, ROLE, PER in a row.
            for w in ms.windows(3) {
                let (a, r, p) = (&w[0].r, &w[1].r, &w[2].r);
                if matches!(a.entity_type.as_str(), "ORG" | "GPE")
                    && r.entity_type == "ROLE"
                    && p.entity_type == "PER"
                    && matches!(norm(doc.slice(a.end, r.start)).as_str(), "" | "'s")
                    && doc.slice(r.end, p.start).trim().is_empty()
                    && LEADER_ROLES.contains(&norm(doc.slice(r.start, r.end)).as_str())
                {
                    push(p, a, "leader_of", 0.75, "\"X's <leader role> Y\"".into());
                }
            }
            // "members are A, B and C": A, B, C member_of the nearest ORG before "members".
            let sent = doc.slice(s.start, s.end);
            for key in [
                "members are",
                "members include",
                "members:",
                "member states are",
            ] {
                let Some(k) = sent.find(key) else { continue };
                let k_char = s.start + sent[..k].chars().count();
                let k_end = k_char + key.chars().count();
                let Some(org) = ms
                    .iter()
                    .rfind(|m| m.r.entity_type == "ORG" && m.r.end <= k_char)
                else {
                    continue;
                };
                let mut last = k_end;
                for m in ms.iter().filter(|m| m.r.start >= k_end) {
                    let gap = norm(doc.slice(last, m.r.start));
                    if !matches!(gap.as_str(), "" | "," | "and" | ", and") {
                        break;
                    }
                    if matches!(m.r.entity_type.as_str(), "GPE" | "ORG") {
                        push(
                            &m.r,
                            &org.r,
                            "member_of",
                            0.8,
                            format!("\"{key} A, B and C\""),
                        );
                    }
                    last = m.r.end;
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocumentId, Relation, RelationId, Span, SpanId};

    fn sugg(doc: &Document, text: &str, ty: &str) -> Suggestion {
        let b = doc.text.find(text).unwrap_or(0);
        let start = doc.text[..b].chars().count();
        Suggestion {
            document: doc.id,
            start,
            end: start + text.chars().count(),
            entity_type: ty.into(),
            score: 0.9,
            engine: "test".into(),
            explanation: String::new(),
        }
    }

    fn rels(
        doc: &Document,
        e: &RelationPatterns,
        c: &[Suggestion],
    ) -> Vec<(String, String, String)> {
        e.suggest_relations(&Project::new("p"), doc, c)
            .into_iter()
            .map(|r| {
                (
                    doc.slice(r.source.start, r.source.end).to_string(),
                    r.relation_type,
                    doc.slice(r.target.start, r.target.end).to_string(),
                )
            })
            .collect()
    }

    fn t(a: &str, r: &str, b: &str) -> (String, String, String) {
        (a.into(), r.into(), b.into())
    }

    #[test]
    fn built_in_patterns() {
        let text = "Current CSTO members are Armenia, Belarus and Kazakhstan. Russia's President Ivan Petrov spoke. Kabul supports Baku. Clashes between Armenia and Azerbaijan continued. Ana Lee, spokesperson for UNICEF, said so. The summit in Yerevan ended.";
        let d = Document::new(DocumentId(1), "t", "t.txt", text.into());
        let c: Vec<Suggestion> = [
            ("CSTO", "ORG"),
            ("Armenia", "GPE"),
            ("Belarus", "GPE"),
            ("Kazakhstan", "GPE"),
            ("Russia", "GPE"),
            ("President", "ROLE"),
            ("Ivan Petrov", "PER"),
            ("Kabul", "GPE"),
            ("Baku", "GPE"),
            ("Azerbaijan", "GPE"),
            ("Ana Lee", "PER"),
            ("UNICEF", "ORG"),
            ("summit", "EVENT"),
            ("Yerevan", "GPE"),
        ]
        .iter()
        .map(|(x, ty)| sugg(&d, x, ty))
        .collect();
        // The second "Armenia" (in the clashes sentence).
        let mut c = c;
        let second = text.rfind("Armenia").unwrap_or(0);
        c.push(Suggestion {
            start: second,
            end: second + 7,
            ..c[1].clone()
        });
        let got = rels(&d, &RelationPatterns::default(), &c);
        for want in [
            t("Armenia", "member_of", "CSTO"),
            t("Belarus", "member_of", "CSTO"),
            t("Kazakhstan", "member_of", "CSTO"),
            t("Ivan Petrov", "leader_of", "Russia"),
            t("Kabul", "supports", "Baku"),
            t("Armenia", "opposes", "Azerbaijan"),
            t("Ana Lee", "spokesperson_for", "UNICEF"),
            t("summit", "located_in", "Yerevan"),
        ] {
            assert!(got.contains(&want), "{want:?} not in {got:?}");
        }
    }

    #[test]
    fn learns_from_accepted_relations() {
        let mut p = Project::new("p");
        let text = "Lena Ora heads Vostok. Ivan Ko heads Zapad.";
        let mut d = Document::new(DocumentId(1), "t", "t.txt", text.into());
        d.spans.push(Span::new(SpanId(2), 0, 8, "PER"));
        d.spans.push(Span::new(SpanId(3), 15, 21, "ORG"));
        d.relations.push(Relation {
            id: RelationId(4),
            relation_type: "leader_of".into(),
            source: SpanId(2),
            target: SpanId(3),
            origin: Default::default(),
            note: String::new(),
        });
        p.documents.push(d.clone().into());
        let mut e = RelationPatterns::default();
        e.learn(&p);
        assert_eq!(e.learned_patterns(), 1);
        let c = vec![sugg(&d, "Ivan Ko", "PER"), sugg(&d, "Zapad", "ORG")];
        let got = rels(&d, &e, &c);
        assert!(got.contains(&t("Ivan Ko", "leader_of", "Zapad")), "{got:?}");
    }
}
