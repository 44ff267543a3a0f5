//! The relations engine: patterns over the text between two entity mentions of one sentence
//! ("X's President Y" -> leader_of, "members are A, B and C" -> member_of, "X supports Y",
//! "clashes between X and Y", "Y, spokesperson for X", "summit in Y" -> located_in), plus the
//! patterns it learns from the project's relations: the words between the two ends with their
//! types and order.

use super::combine::{self, RelationCalibration};
use super::relations_learned::{RelationClassifier, relation_sample};
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
    classifier: Option<RelationClassifier>,
    /// How often each built-in cue was right on the documents with relations.
    cues: RelationCalibration,
}

pub(super) fn norm(between: &str) -> String {
    between
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('’', "'")
        .to_lowercase()
}

/// Phrases after an organisation that open the list of its members.
const MEMBER_LIST_KEYS: &[&str] = &[
    "members are",
    "members include",
    "members:",
    "member states are",
    "member states include",
    "member countries are",
    "member countries include",
    "comprises",
    "comprising",
    "consists of",
    "consisting of",
    "is made up of",
    "made up of",
    "brings together",
];

/// What may stand between two items of a list.
fn is_list_gap(gap: &str) -> bool {
    matches!(
        gap,
        "" | "," | "and" | ", and" | "as well as" | ", as well as" | "&" | "or"
    )
}

/// The mentions just before `first` that form a list with it ("A, B and C"), nearest first.
fn list_before<'a>(doc: &Document, ms: &[&'a Mention], first: &Mention) -> Vec<&'a Mention> {
    let mut out = Vec::new();
    let mut start = first.r.start;
    for m in ms.iter().rev().filter(|m| m.r.end <= first.r.start) {
        if m.r.end > start || !is_list_gap(&norm(doc.slice(m.r.end, start))) {
            break;
        }
        out.push(*m);
        start = m.r.start;
    }
    out
}

/// A relation a cue between two mentions states.
pub(super) struct Cue {
    pub(super) relation_type: &'static str,
    /// The first mention is the source.
    pub(super) forward: bool,
    score: f32,
    why: String,
    /// The first mention may close a list whose items share the relation.
    list: bool,
}

/// Words that may stand between an actor and its verb without changing what it says.
const MODIFIERS: &[&str] = &[
    "has",
    "have",
    "had",
    "also",
    "strongly",
    "repeatedly",
    "publicly",
    "openly",
    "again",
    "long",
    "firmly",
    "reportedly",
    "allegedly",
    "officially",
    "now",
    "continues",
    "continued",
    "to",
    "will",
    "would",
    "further",
    "then",
];

const SUPPORT_VERBS: &[&str] = &[
    "supports",
    "support",
    "supported",
    "backs",
    "back",
    "backed",
    "endorses",
    "endorse",
    "endorsed",
    "sided with",
    "sides with",
    "stands with",
    "stood with",
    "came out in support of",
    "expressed support for",
    "voiced support for",
    "pledged support for",
    "pledged support to",
];

const OPPOSE_VERBS: &[&str] = &[
    "opposes",
    "oppose",
    "opposed",
    "condemns",
    "condemn",
    "condemned",
    "accuses",
    "accuse",
    "accused",
    "attacks",
    "attack",
    "attacked",
    "criticised",
    "criticized",
    "criticises",
    "criticizes",
    "denounced",
    "denounces",
    "shelled",
    "shells",
    "invaded",
    "invades",
    "struck",
    "fired on",
    "launched an attack on",
    "launched attacks on",
    "blamed",
    "blames",
    "sanctioned",
    "imposed sanctions on",
    "clashed with",
    "fought",
];

/// Passive participles: "Y was attacked by X".
const SUPPORT_PASSIVE: &[&str] = &["supported", "backed", "endorsed"];
const OPPOSE_PASSIVE: &[&str] = &[
    "attacked",
    "condemned",
    "accused",
    "criticised",
    "criticized",
    "shelled",
    "invaded",
    "struck",
    "denounced",
    "opposed",
    "sanctioned",
];

const LEADS: &[&str] = &[
    "leads",
    "led",
    "heads",
    "headed",
    "chairs",
    "chaired",
    "commands",
    "commanded",
];
const LED_BY: &[&str] = &[
    "led by",
    "headed by",
    "chaired by",
    "commanded by",
    "under the leadership of",
    "under the command of",
];

const IN_PLACE: &[&str] = &[
    "in",
    "in the",
    "at",
    "near",
    "based in",
    "held in",
    "took place in",
    "headquartered in",
    "located in",
    "in the city of",
    "in the town of",
    "in the village of",
    "in the region of",
    "in the capital",
    "in the capital,",
];

const CASUALTY_WORDS: &[&str] = &[
    "killed", "wounded", "injured", "dead", "died", "hurt", "missing",
];

/// Drops the given words at the start and a trailing article.
fn strip_words<'a>(words: &[&'a str], skip: &[&str]) -> Vec<&'a str> {
    let mut w: Vec<&str> = words
        .iter()
        .copied()
        .skip_while(|x| skip.contains(x))
        .collect();
    while w.last().is_some_and(|x| matches!(*x, "the" | "a" | "an")) {
        w.pop();
    }
    w
}

fn is_person(t: &str) -> bool {
    t == "PER"
}

/// Cue patterns over the normalised text between two mentions of one sentence, `ta` first:
/// appositions ("X, a member of Y"), "X's Y", "X, led by Y", "X leads Y", "X in Y", "N killed in
/// E", "X supports / condemns / accuses / attacks Y" and their passives. The schema decides
/// afterwards which of them may hold between the two types.
pub(super) fn pair_cues(between: &str, ta: &str) -> Vec<Cue> {
    let mut out = Vec::new();
    let cue = |relation_type: &'static str, forward: bool, score: f32, why: String| Cue {
        relation_type,
        forward,
        score,
        why,
        list: false,
    };
    let words: Vec<&str> = between.split_whitespace().collect();
    let actor = |t: &str| matches!(t, "PER" | "ORG" | "GPE" | "NORP");
    // Appositions: "X, a member of Y", "X (part of Y)", "X, the leader of Y", "X, who leads Y".
    let appos = between
        .strip_prefix(',')
        .or_else(|| between.strip_prefix('('))
        .map(str::trim);
    if let Some(rest) = appos {
        let w: Vec<&str> = rest.split_whitespace().collect();
        let w = strip_words(
            &w,
            &["a", "an", "the", "who", "which", "is", "was", "one", "of"],
        );
        let phrase = w.join(" ");
        if let Some(noun) = phrase
            .strip_suffix(" of")
            .or_else(|| phrase.strip_suffix(" for"))
        {
            match noun {
                "member" | "members" | "member state" | "member states" | "founding member" => {
                    out.push(cue("member_of", true, 0.75, format!("\"X, {rest} Y\"")))
                }
                "part" => out.push(cue("part_of", true, 0.7, format!("\"X, {rest} Y\""))),
                n if LEADER_ROLES.contains(&n) => {
                    out.push(cue("leader_of", true, 0.7, format!("\"X, {rest} Y\"")))
                }
                _ => {}
            }
        }
        if LEADS.contains(&phrase.as_str()) && actor(ta) {
            out.push(cue("leader_of", true, 0.7, format!("\"X, {rest} Y\"")));
        }
        if LED_BY.contains(&phrase.as_str()) {
            out.push(cue("leader_of", false, 0.75, format!("\"X, {rest} Y\"")));
        }
        if !is_person(ta) && ta != "GPE" && IN_PLACE.contains(&phrase.as_str()) {
            out.push(cue("located_in", true, 0.55, format!("\"X, {rest} Y\"")));
        }
    }
    if between.contains([',', '(', ')', ';', ':', '"']) {
        return out;
    }
    // "X's Y": Y is part of X ("Armenia's Defence Ministry").
    if between == "'s" || between == "'" {
        out.push(cue("part_of", false, 0.55, "\"X's Y\"".into()));
    }
    if LED_BY.contains(&between) {
        out.push(cue("leader_of", false, 0.75, format!("\"X {between} Y\"")));
    }
    let verb = strip_words(&words, MODIFIERS).join(" ");
    if actor(ta) && LEADS.contains(&verb.as_str()) && is_person(ta) {
        out.push(cue("leader_of", true, 0.65, format!("\"X {verb} Y\"")));
    }
    // Membership: "A is a member of Y", "A and B are members of Y", "A joined Y".
    let member = strip_words(
        &words,
        &[
            "is", "are", "was", "were", "has", "have", "all", "both", "also", "now",
        ],
    )
    .join(" ");
    if matches!(
        member.as_str(),
        "a member of"
            | "members of"
            | "a member state of"
            | "member states of"
            | "a founding member of"
            | "founding members of"
            | "joined"
            | "belong to"
            | "belongs to"
    ) {
        out.push(Cue {
            relation_type: "member_of",
            forward: true,
            score: 0.7,
            why: format!("\"X {between} Y\""),
            list: true,
        });
    }
    // "X supports Y", "X has strongly condemned Y".
    if actor(ta) && SUPPORT_VERBS.contains(&verb.as_str()) {
        out.push(cue("supports", true, 0.7, format!("\"X {verb} Y\"")));
    }
    if actor(ta) && OPPOSE_VERBS.contains(&verb.as_str()) {
        out.push(cue("opposes", true, 0.65, format!("\"X {verb} Y\"")));
    }
    // "Y was attacked by X".
    if let [aux @ .., participle, "by"] = strip_words(&words, &["also", "reportedly"]).as_slice() {
        let aux = aux.join(" ");
        if matches!(
            aux.as_str(),
            "is" | "are" | "was" | "were" | "has been" | "have been" | "had been" | "being"
        ) {
            if SUPPORT_PASSIVE.contains(participle) {
                out.push(cue("supports", false, 0.65, format!("\"Y {between} X\"")));
            }
            if OPPOSE_PASSIVE.contains(participle) {
                out.push(cue("opposes", false, 0.6, format!("\"Y {between} X\"")));
            }
        }
    }
    // "N killed in E", "N were wounded during the E"; "E killed N".
    let casualty = strip_words(
        &words,
        &[
            "people",
            "were",
            "was",
            "have",
            "has",
            "been",
            "had",
            "reportedly",
            "been",
        ],
    );
    if let [w, prep] = casualty.as_slice()
        && CASUALTY_WORDS.contains(w)
        && matches!(*prep, "in" | "during" | "at" | "by")
    {
        out.push(cue(
            "casualties_of",
            true,
            0.7,
            format!("\"N {between} E\""),
        ));
    }
    if matches!(
        between,
        "killed" | "killing" | "left" | "leaving" | "wounded" | "injured" | "claimed the lives of"
    ) {
        out.push(cue(
            "casualties_of",
            false,
            0.65,
            format!("\"E {between} N\""),
        ));
    }
    if !is_person(ta)
        && ta != "GPE"
        && [
            "in the city of",
            "in the town of",
            "in the village of",
            "took place in",
            "held in",
            "headquartered in",
            "located in",
        ]
        .contains(&between)
    {
        out.push(cue("located_in", true, 0.6, format!("\"X {between} Y\"")));
    }
    out
}

#[derive(Clone)]
struct Mention {
    r: SpanRef,
}

/// Exact patterns from the project's relations: the normalised text between the two ends,
/// with their types and order, and the relation type most often stated so.
fn learn_patterns(project: &Project) -> HashMap<Key, (String, usize)> {
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
    counts
        .into_iter()
        .filter_map(|(k, v)| v.into_iter().max_by_key(|(_, n)| *n).map(|best| (k, best)))
        .collect()
}

impl RelationPatterns {
    pub fn learned_patterns(&self) -> usize {
        self.learned.len()
    }

    /// The learned relation classifier, once there are relations to learn from.
    pub fn classifier(&self) -> Option<&RelationClassifier> {
        self.classifier.as_ref()
    }

    /// What the built-in cues (and, with `learned`, the learned exact patterns) propose
    /// between mentions of one sentence, within the project's schema.
    fn cue_relations(
        &self,
        project: &Project,
        doc: &Document,
        analysis: &Analysis,
        mentions: &[Mention],
        learned: bool,
    ) -> Vec<RelationSuggestion> {
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
            // Mentions are sorted by start: only those starting inside the sentence (found
            // by a binary search, not a scan of the whole document per sentence).
            let first = mentions.partition_point(|m| m.r.start < s.start);
            let ms: Vec<&Mention> = mentions[first..]
                .iter()
                .take_while(|m| m.r.start < s.end)
                .filter(|m| m.r.end <= s.end)
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
                    for (src, tgt, fwd) in [(&a.r, &b.r, true), (&b.r, &a.r, false)]
                        .into_iter()
                        .filter(|_| learned)
                    {
                        let key = (
                            src.entity_type.clone(),
                            tgt.entity_type.clone(),
                            fwd,
                            between.clone(),
                        );
                        if let Some((ty, n)) = self.learned.get(&key) {
                            let why = format!(
                                "learned from {} with \"{between}\" between",
                                crate::text::count(*n, "relation", "relations")
                            );
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
                    for cue in pair_cues(&between, ta) {
                        let (src, tgt) = if cue.forward {
                            (&a.r, &b.r)
                        } else {
                            (&b.r, &a.r)
                        };
                        push(src, tgt, cue.relation_type, cue.score, cue.why);
                        // "A, B and C are members of Y": the whole list.
                        if cue.relation_type == "member_of" && cue.forward && cue.list {
                            for m in list_before(doc, &ms, a) {
                                push(
                                    &m.r,
                                    &b.r,
                                    "member_of",
                                    cue.score,
                                    "\"A, B and C are members of Y\"".into(),
                                );
                            }
                        }
                    }
                }
            }
            // "X's President Y" / "CSTO Secretary-General Y": ORG/GPE, ROLE, PER in a row.
            for w in ms.windows(3) {
                let (a, r, p) = (&w[0].r, &w[1].r, &w[2].r);
                // Candidates may overlap (they are not resolved yet).
                if a.end > r.start || r.end > p.start {
                    continue;
                }
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
            for key in MEMBER_LIST_KEYS {
                let Some(k) = sent.find(key) else { continue };
                let k_char = s.start + sent[..k].chars().count();
                let k_end = k_char + key.chars().count();
                let Some(org) = ms
                    .iter()
                    .rfind(|m| m.r.entity_type == "ORG" && m.r.end <= k_char)
                else {
                    continue;
                };
                // The organisation names the list: it stands close before the key.
                if doc.slice(org.r.end, k_char).chars().count() > 40 {
                    continue;
                }
                let mut last = k_end;
                for m in ms.iter().filter(|m| m.r.start >= k_end) {
                    if m.r.start < last {
                        continue;
                    }
                    if !is_list_gap(&norm(doc.slice(last, m.r.start))) {
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
        // Only what the project's schema has, between the types it allows.
        out.retain(|r| {
            project
                .schema
                .relation_type(&r.relation_type)
                .is_some_and(|t| t.allows(&r.source.entity_type, &r.target.entity_type))
        });
        out
    }
}

fn mentions_of(refs: impl Iterator<Item = SpanRef>) -> Vec<Mention> {
    let mut mentions: Vec<Mention> = refs.map(|r| Mention { r }).collect();
    mentions.sort_by(|a, b| a.r.cmp(&b.r));
    mentions.dedup_by(|a, b| a.r == b.r);
    mentions
}

impl Suggester for RelationPatterns {
    fn name(&self) -> &'static str {
        "relations"
    }

    fn learn(&mut self, project: &Project) {
        self.learned = learn_patterns(project);
        let docs = relation_sample(project);
        self.classifier = RelationClassifier::train(project, &docs);
        // How often each built-in cue is right where the analyst has stated relations.
        self.cues = RelationCalibration::measure(&docs, |doc| {
            let mentions = mentions_of(doc.spans.iter().map(SpanRef::of_span));
            self.cue_relations(project, doc, &Analysis::of(&doc.text), &mentions, false)
        });
    }

    fn suggest(&self, _project: &Project, _doc: &Document) -> Vec<Suggestion> {
        Vec::new()
    }

    fn suggest_relations(
        &self,
        project: &Project,
        doc: &Document,
        candidates: &[Suggestion],
    ) -> Vec<RelationSuggestion> {
        let mentions = mentions_of(
            doc.spans.iter().map(SpanRef::of_span).chain(
                candidates
                    .iter()
                    .filter(|c| c.score >= super::DEFAULT_MIN_SCORE)
                    .map(Suggestion::span_ref),
            ),
        );
        let analysis = Analysis::of(&doc.text);
        let mut cues = self.cue_relations(project, doc, &analysis, &mentions, true);
        self.cues.cap(&mut cues);
        let Some(classifier) = &self.classifier else {
            return cues;
        };
        let refs: Vec<SpanRef> = mentions.into_iter().map(|m| m.r).collect();
        combine::either_relation(cues, classifier.suggest(project, doc, &analysis, &refs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocumentId, Relation, RelationId, Span, SpanId};

    fn sugg(doc: &Document, text: &str, ty: &str) -> Suggestion {
        crate::suggest::util::test_docs::suggestion(doc, text, ty, "test")
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

    fn mentions(d: &Document, list: &[(&str, &str)]) -> Vec<Suggestion> {
        list.iter().map(|(x, ty)| sugg(d, x, ty)).collect()
    }

    #[test]
    fn cue_patterns() {
        type Case<'a> = (
            &'a str,
            &'a [(&'a str, &'a str)],
            (&'a str, &'a str, &'a str),
        );
        let cases: &[Case] = &[
            (
                "Dalia Varn, a member of the Lake Forum, spoke.",
                &[("Dalia Varn", "PER"), ("Lake Forum", "ORG")],
                ("Dalia Varn", "member_of", "Lake Forum"),
            ),
            (
                "Ostrava's Coastal Guard patrolled.",
                &[("Ostrava", "GPE"), ("Coastal Guard", "ORG")],
                ("Coastal Guard", "part_of", "Ostrava"),
            ),
            (
                "The Reed Party, led by Mira Tal, won.",
                &[("Reed Party", "ORG"), ("Mira Tal", "PER")],
                ("Mira Tal", "leader_of", "Reed Party"),
            ),
            (
                "Five soldiers were killed in the ambush.",
                &[("Five soldiers", "QUANTITY"), ("ambush", "EVENT")],
                ("Five soldiers", "casualties_of", "ambush"),
            ),
            (
                "The ambush killed five soldiers.",
                &[("ambush", "EVENT"), ("five soldiers", "QUANTITY")],
                ("five soldiers", "casualties_of", "ambush"),
            ),
            (
                "Ostrava has strongly condemned Velen.",
                &[("Ostrava", "GPE"), ("Velen", "GPE")],
                ("Ostrava", "opposes", "Velen"),
            ),
            (
                "Velen accuses Ostrava of shelling.",
                &[("Velen", "GPE"), ("Ostrava", "GPE")],
                ("Velen", "opposes", "Ostrava"),
            ),
            (
                "Velen was attacked by the Reed Party.",
                &[("Velen", "GPE"), ("Reed Party", "ORG")],
                ("Reed Party", "opposes", "Velen"),
            ),
            (
                "Ostrava continues to back Velen.",
                &[("Ostrava", "GPE"), ("Velen", "GPE")],
                ("Ostrava", "supports", "Velen"),
            ),
            (
                "The forum took place in Velen.",
                &[("forum", "EVENT"), ("Velen", "GPE")],
                ("forum", "located_in", "Velen"),
            ),
            (
                "The Lake Forum comprises Ostrava, Velen and Tarn.",
                &[
                    ("Lake Forum", "ORG"),
                    ("Ostrava", "GPE"),
                    ("Velen", "GPE"),
                    ("Tarn", "GPE"),
                ],
                ("Tarn", "member_of", "Lake Forum"),
            ),
        ];
        for (text, list, want) in cases {
            let d = Document::new(DocumentId(1), "t", "t.txt", (*text).into());
            let got = rels(&d, &RelationPatterns::default(), &mentions(&d, list));
            assert!(got.contains(&t(want.0, want.1, want.2)), "{text}: {got:?}");
        }
        // "A, B and C are members of Y": every item of the list.
        let text = "Ostrava, Velen and Tarn are members of the Lake Forum.";
        let d = Document::new(DocumentId(1), "t", "t.txt", text.into());
        let c = mentions(
            &d,
            &[
                ("Ostrava", "GPE"),
                ("Velen", "GPE"),
                ("Tarn", "GPE"),
                ("Lake Forum", "ORG"),
            ],
        );
        let got = rels(&d, &RelationPatterns::default(), &c);
        for x in ["Ostrava", "Velen", "Tarn"] {
            assert!(got.contains(&t(x, "member_of", "Lake Forum")), "{got:?}");
        }
    }

    #[test]
    fn cues_respect_the_schema() {
        let text = "Ostrava has strongly condemned Velen. Five soldiers were killed in the ambush.";
        let d = Document::new(DocumentId(1), "t", "t.txt", text.into());
        let c = mentions(
            &d,
            &[
                ("Ostrava", "GPE"),
                ("Velen", "GPE"),
                ("Five soldiers", "QUANTITY"),
                ("ambush", "EVENT"),
            ],
        );
        // Types the relation does not allow: nothing.
        let wrong_types = mentions(&d, &[("Ostrava", "DATE"), ("Velen", "GPE")]);
        assert!(rels(&d, &RelationPatterns::default(), &wrong_types).is_empty());
        // A schema without the relation types proposes nothing.
        let mut p = Project::new("p");
        p.schema.relation_types.clear();
        assert!(
            RelationPatterns::default()
                .suggest_relations(&p, &d, &c)
                .is_empty()
        );
        p.schema = crate::model::Schema::default_schema();
        p.schema.relation_types.retain(|t| t.id == "casualties_of");
        let got = RelationPatterns::default().suggest_relations(&p, &d, &c);
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!(got[0].relation_type, "casualties_of");
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
            made: None,
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
