//! The gazetteer engine: Aho-Corasick over the name lists in `assets/gazetteer/` plus the
//! project's own knowledge base (entity names and aliases). Matches respect word boundaries
//! and case: entries match as written; an entry starting lowercase ("foreign minister") also
//! matches capitalised at a sentence start.
//!
//! Shipped entries carry a knowledge class (country, city, nationality, ...) rather than a
//! schema type: the project's schema, or what its annotations show, says which entity type
//! each class is suggested as (`Schema::knowledge_type`); classes with no type there are not
//! suggested at all.

use super::knowledge::{LearnedTypes, class_type, learn_knowledge_types};
use super::util::{Analysis, at_word_boundaries, char_range, is_sentence_start};
use super::{Suggester, Suggestion};
use crate::model::{Document, KnowledgeClass, Project};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// The shipped lists: (file name, contents).
pub const LISTS: &[(&str, &str)] = &[
    (
        "countries",
        include_str!("../../assets/gazetteer/countries.tsv"),
    ),
    (
        "demonyms",
        include_str!("../../assets/gazetteer/demonyms.tsv"),
    ),
    ("cities", include_str!("../../assets/gazetteer/cities.tsv")),
    (
        "regions",
        include_str!("../../assets/gazetteer/regions.tsv"),
    ),
    (
        "organisations",
        include_str!("../../assets/gazetteer/organisations.tsv"),
    ),
    ("roles", include_str!("../../assets/gazetteer/roles.tsv")),
    (
        "religions-groups",
        include_str!("../../assets/gazetteer/religions-groups.tsv"),
    ),
];

/// Lists the model engine uses as features only: names too ambiguous for the gazetteer engine
/// to suggest alone ("Bolton", "Chelsea" and "Bury" are towns as often as clubs), but a strong
/// hint to a tagger that also sees the context (a results table, "beat", "coach").
pub const TAGGER_LISTS: &[(&str, &str)] = &[(
    "sports-clubs",
    include_str!("../../assets/tagger/sports-clubs.tsv"),
)];

/// Names that are in the lists but often mean something else (see assets/README.md).
const AMBIGUOUS: &[&str] = &[
    "Georgia",
    "Chad",
    "Jordan",
    "Niger",
    "Jersey",
    "America",
    "US",
    "Victoria",
    "Kingston",
    "Georgetown",
    "Santiago",
    "Tripoli",
    "Birmingham",
    "Perth",
    "Valencia",
    "Engels",
    "Austin",
    "Lyman",
    "ICC",
    "Congress",
    "Wagner",
    "IS",
    "WHO",
    "Quad",
    "Majlis",
    "French",
    "English",
    "Chinese",
    "Washington",
];

/// One gazetteer entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub name: String,
    /// The type written in the list (a default-schema type; the tagger's feature), or the
    /// project type of a knowledge-base entry.
    pub entity_type: String,
    /// The knowledge class of a shipped entry; None for the project's own entries, which
    /// are suggested as their `entity_type`.
    pub class: Option<KnowledgeClass>,
    /// The canonical name when `name` is an alias.
    pub canonical: Option<String>,
    /// Where it comes from: a list name or "project".
    pub list: String,
    /// Matches only at a sentence start (capitalised form of a lowercase entry).
    pub sentence_start_only: bool,
    pub score: f32,
}

/// The knowledge class of a shipped list's entries (`section`: the last `# --- ... ---`
/// heading); None for a list it does not know.
fn list_class(list: &str, section: &str) -> Option<KnowledgeClass> {
    Some(match list {
        "countries" => KnowledgeClass::Country,
        "demonyms" => KnowledgeClass::Nationality,
        "cities" => KnowledgeClass::City,
        "regions" => KnowledgeClass::Region,
        "organisations" if section.starts_with("Armed groups") => KnowledgeClass::ArmedGroup,
        "organisations" | "sports-clubs" => KnowledgeClass::Organisation,
        "roles" => KnowledgeClass::Role,
        "religions-groups" => KnowledgeClass::Religion,
        _ => return None,
    })
}

/// Parses one list (`name<TAB>TYPE[<TAB>canonical]`, `#` comments).
pub fn parse_list(list: &str, contents: &str) -> Result<Vec<Entry>, String> {
    let mut out = Vec::new();
    let mut section = "";
    for (i, line) in contents.lines().enumerate() {
        if let Some(heading) = line.strip_prefix("# --- ") {
            section = heading.trim_end_matches(['-', ' ']);
        }
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split('\t');
        let (Some(name), Some(ty)) = (fields.next(), fields.next()) else {
            return Err(format!(
                "{list}.tsv:{}: expected name<TAB>TYPE[<TAB>canonical]",
                i + 1
            ));
        };
        let canonical = fields.next().map(str::to_string);
        let base = if AMBIGUOUS.contains(&name) { 0.6 } else { 0.9 };
        let score = if canonical.is_some() {
            base - 0.05
        } else {
            base
        };
        out.push(Entry {
            name: name.to_string(),
            entity_type: ty.to_string(),
            class: list_class(list, section),
            canonical,
            list: list.to_string(),
            sentence_start_only: false,
            score,
        });
    }
    Ok(out)
}

/// The shipped entries (lines that do not parse are skipped; a unit test checks there are none).
pub fn shipped_entries() -> Vec<Entry> {
    entries_of(LISTS.iter())
}

/// The shipped entries and the tagger-only ones (`TAGGER_LISTS`).
pub fn tagger_entries() -> Vec<Entry> {
    entries_of(LISTS.iter().chain(TAGGER_LISTS))
}

fn entries_of<'a>(lists: impl Iterator<Item = &'a (&'a str, &'a str)>) -> Vec<Entry> {
    lists
        .flat_map(|(l, c)| parse_list(l, c).unwrap_or_default())
        .collect()
}

/// Aho-Corasick name matcher.
#[derive(Clone)]
pub struct Gazetteer {
    /// The shipped (or given) entries.
    base: Vec<Entry>,
    /// What the automaton matches: project entries, base entries, capitalised variants.
    entries: Vec<Entry>,
    automaton: Option<AhoCorasick>,
    /// Per knowledge class, what the project's annotations show (`learn`).
    learned: LearnedTypes,
}

impl Default for Gazetteer {
    fn default() -> Self {
        Gazetteer::new()
    }
}

impl std::fmt::Debug for Gazetteer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gazetteer")
            .field("entries", &self.entries.len())
            .finish()
    }
}

impl Gazetteer {
    /// The shipped lists only.
    pub fn new() -> Gazetteer {
        Gazetteer::with_entries(shipped_entries())
    }

    pub fn with_entries(entries: Vec<Entry>) -> Gazetteer {
        let mut g = Gazetteer {
            base: entries.clone(),
            entries,
            automaton: None,
            learned: LearnedTypes::new(),
        };
        g.rebuild();
        g
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn rebuild(&mut self) {
        // Lowercase-initial entries also match capitalised at a sentence start.
        let mut extra = Vec::new();
        for e in &self.entries {
            let mut chars = e.name.chars();
            if let Some(first) = chars.next()
                && first.is_lowercase()
            {
                let cap: String = first.to_uppercase().chain(chars).collect();
                if !self.entries.iter().any(|x| x.name == cap) {
                    extra.push(Entry {
                        name: cap,
                        sentence_start_only: true,
                        ..e.clone()
                    });
                }
            }
        }
        self.entries.extend(extra);
        self.automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(self.entries.iter().map(|e| e.name.as_str()))
            .ok();
    }

    /// Membership test used by the tagger's features: the type of an exact entry.
    pub fn lookup(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.entity_type.as_str())
    }

    /// Matches in a text as (byte start, byte end, entry), leftmost-longest, non-overlapping.
    pub fn find(&self, text: &str, sentence_starts: &[usize]) -> Vec<(usize, usize, &Entry)> {
        let Some(ac) = &self.automaton else {
            return Vec::new();
        };
        let mut found: Vec<(usize, usize, &Entry)> = ac
            .find_overlapping_iter(text)
            .filter_map(|m| {
                let e = &self.entries[m.pattern().as_usize()];
                let ok = at_word_boundaries(text, m.start(), m.end())
                    && (!e.sentence_start_only
                        || is_sentence_start(text, sentence_starts, m.start()));
                ok.then_some((m.start(), m.end(), e))
            })
            .collect();
        // Leftmost, then longest, then the better-scored entry.
        found.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(b.1.cmp(&a.1))
                .then(b.2.score.total_cmp(&a.2.score))
        });
        let mut out: Vec<(usize, usize, &Entry)> = Vec::new();
        for m in found {
            if out.last().is_none_or(|l| l.1 <= m.0) {
                out.push(m);
            }
        }
        out
    }
}

impl Gazetteer {
    /// Matches of shipped (classed) entries in a document: (char start, char end, class).
    fn class_matches(&self, doc: &Document) -> Vec<(usize, usize, KnowledgeClass)> {
        let starts = Analysis::of(&doc.text).sentence_starts();
        self.find(&doc.text, &starts)
            .into_iter()
            .filter_map(|(s, e, entry)| {
                let (start, end) = char_range(doc, s, e);
                Some((start, end, entry.class?))
            })
            .collect()
    }
}

impl Suggester for Gazetteer {
    fn name(&self) -> &'static str {
        "gazetteer"
    }

    fn learn(&mut self, project: &Project) {
        let mut entries = Vec::new();
        for e in &project.entities {
            for (name, canonical) in std::iter::once((&e.name, None))
                .chain(e.aliases.iter().map(|a| (a, Some(e.name.clone()))))
            {
                if name.trim().is_empty() {
                    continue;
                }
                entries.push(Entry {
                    name: name.clone(),
                    entity_type: e.entity_type.clone(),
                    class: None,
                    canonical,
                    list: "project knowledge base".to_string(),
                    sentence_start_only: false,
                    score: 0.9,
                });
            }
        }
        // Project entries win over shipped ones with the same name.
        let names: std::collections::HashSet<String> =
            entries.iter().map(|e| e.name.clone()).collect();
        entries.extend(
            self.base
                .iter()
                .filter(|e| !names.contains(&e.name))
                .cloned(),
        );
        self.entries = entries;
        self.rebuild();
        self.learned = learn_knowledge_types(project, |doc| self.class_matches(doc));
    }

    fn suggest(&self, project: &Project, doc: &Document) -> Vec<Suggestion> {
        let analysis = Analysis::of(&doc.text);
        let starts = analysis.sentence_starts();
        self.find(&doc.text, &starts)
            .into_iter()
            .filter_map(|(s, e, entry)| {
                let entity_type = match entry.class {
                    Some(c) => class_type(&project.schema, c, self.learned.get(&c))?,
                    None => entry.entity_type.as_str(),
                };
                let (start, end) = char_range(doc, s, e);
                let explanation = match &entry.canonical {
                    Some(c) => format!("in gazetteer: {} (alias of {c})", entry.list),
                    None => format!("in gazetteer: {}", entry.list),
                };
                Some(Suggestion {
                    document: doc.id,
                    start,
                    end,
                    entity_type: entity_type.to_string(),
                    score: entry.score,
                    engine: "gazetteer".to_string(),
                    explanation,
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocumentId, Entity, EntityId};

    fn doc(text: &str) -> Document {
        Document::new(DocumentId(1), "t", "t.txt", text.to_string())
    }

    fn found(g: &Gazetteer, text: &str) -> Vec<(String, String)> {
        let d = doc(text);
        g.suggest(&Project::new("p"), &d)
            .into_iter()
            .map(|s| (d.slice(s.start, s.end).to_string(), s.entity_type))
            .collect()
    }

    #[test]
    fn shipped_lists_all_parse() {
        for (l, c) in LISTS.iter().chain(TAGGER_LISTS) {
            let entries = parse_list(l, c).unwrap_or_else(|e| panic!("{e}"));
            assert!(entries.len() > 100, "{l}");
        }
    }

    #[test]
    fn tagger_only_lists_stay_out_of_the_engine() {
        let text = "Bolton Wanderers beat Chelsea in Bolton.";
        assert!(found(&Gazetteer::new(), text).is_empty());
        let tagger = Gazetteer::with_entries(tagger_entries());
        let got = found(&tagger, text);
        assert!(
            got.contains(&("Bolton Wanderers".into(), "ORG".into())),
            "{got:?}"
        );
        assert!(got.contains(&("Chelsea".into(), "ORG".into())), "{got:?}");
    }

    #[test]
    fn respects_word_boundaries_and_case() {
        let g = Gazetteer::new();
        let got = found(
            &g,
            "We USE this. The US and Iranian envoys met in Yerevan; the armenian side left.",
        );
        assert!(got.contains(&("US".into(), "GPE".into())), "{got:?}");
        assert!(got.contains(&("Iranian".into(), "NORP".into())), "{got:?}");
        assert!(got.contains(&("Yerevan".into(), "GPE".into())), "{got:?}");
        assert!(
            !got.iter().any(|(t, _)| t == "Iran" || t == "armenian"),
            "{got:?}"
        );
        assert_eq!(got.iter().filter(|(t, _)| t == "US").count(), 1, "{got:?}");
    }

    #[test]
    fn prefers_longest_and_explains_aliases() {
        let g = Gazetteer::new();
        let d = doc("The Collective Security Treaty Organization met. The CSTO said no.");
        let s = g.suggest(&Project::new("p"), &d);
        let texts: Vec<&str> = s.iter().map(|s| d.slice(s.start, s.end)).collect();
        assert!(
            texts.contains(&"Collective Security Treaty Organization"),
            "{texts:?}"
        );
        let csto = s.iter().find(|s| d.slice(s.start, s.end) == "CSTO");
        let csto = csto.map(|s| s.explanation.clone()).unwrap_or_default();
        assert!(
            csto.contains("alias of Collective Security Treaty Organization"),
            "{csto}"
        );
    }

    #[test]
    fn lowercase_roles_match_capitalised_only_at_sentence_start() {
        let g = Gazetteer::with_entries(vec![Entry {
            name: "foreign minister".into(),
            entity_type: "ROLE".into(),
            class: Some(KnowledgeClass::Role),
            canonical: None,
            list: "roles".into(),
            sentence_start_only: false,
            score: 0.9,
        }]);
        assert_eq!(found(&g, "Foreign minister spoke.").len(), 1);
        assert_eq!(found(&g, "The Foreign minister spoke.").len(), 0);
        assert_eq!(found(&g, "The foreign minister spoke.").len(), 1);
    }

    #[test]
    fn learns_project_entities_and_aliases() {
        let mut p = Project::new("p");
        p.entities.push(Entity {
            id: EntityId(1),
            name: "Hayk Avetisyan".into(),
            entity_type: "PER".into(),
            aliases: vec!["Avetisyan".into()],
            references: Vec::new(),
            note: String::new(),
            made: None,
        });
        let mut g = Gazetteer::new();
        let before = g.len();
        g.learn(&p);
        let got = found(&g, "Avetisyan met Hayk Avetisyan's aides.");
        assert_eq!(got.iter().filter(|(_, t)| t == "PER").count(), 2, "{got:?}");
        g.learn(&p);
        assert!(g.len() >= before);
        let d = doc("Avetisyan spoke.");
        let s = g.suggest(&p, &d);
        assert!(
            s[0].explanation
                .contains("project knowledge base (alias of Hayk Avetisyan)")
        );
    }
}
