//! Test data, not part of the product: a synthetic news-like project, deterministic from a
//! seed, for the scale benchmarks and the crash-safety test. The commands that write it to a
//! file (`generate`, `save-loop`) are in `examples/devtool.rs`, not in the shipped binary.

use crate::model::{
    Document, DocumentStatus, Entity, EntityId, Origin, Project, Relation, Span, SpanId,
};
use std::collections::HashMap;
use std::sync::Arc;

/// The second version `save-loop` alternates with.
pub fn alternate_version(project: &Project) -> Project {
    let mut b = project.clone();
    b.name = format!("{} (alternate)", b.name);
    if let Some(last) = b.documents.last_mut().map(Arc::make_mut) {
        last.relations.clear();
        last.status = DocumentStatus::Done;
    }
    b
}

/// A small deterministic generator (SplitMix64): the same seed gives the same project on
/// every platform, without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            return 0;
        }
        (self.next() % n as u64) as usize
    }

    /// Skewed towards small indexes, like how often real names come up.
    fn popular(&mut self, n: usize) -> usize {
        let a = self.below(n);
        let b = self.below(n);
        a.min(b)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

const FIRST: &[&str] = &[
    "Anna", "Tigran", "Zoë", "José", "Mariam", "Ólafur", "Łukasz", "Chen", "Amara", "Dmitri",
    "Leyla", "Ines", "Kofi", "Nikol", "Sofia", "Hamid", "Eun-ji", "Rustam", "Aylin", "Pedro",
    "Grace", "Arman", "Yusuf", "Marta",
];
const LAST: &[&str] = &[
    "Petrosyan",
    "Müller",
    "Okafor",
    "Haddad",
    "Novak",
    "Aliyev",
    "García",
    "Kowalski",
    "Nakamura",
    "Mensah",
    "Ivanova",
    "Dubois",
    "Sørensen",
    "Rahimi",
    "Costa",
    "Yılmaz",
    "Lindqvist",
    "Abebe",
    "Moreau",
    "Khatri",
];
const LAND_START: &[&str] = &[
    "Val", "Nor", "Ester", "Kar", "Lum", "Os", "Tiran", "Bel", "Ard", "Mira", "Sel", "Vor",
];
const LAND_END: &[&str] = &["oria", "mark", "avia", "istan", "onia", "ia", "land", "ea"];
const ORG_ADJ: &[&str] = &[
    "Northern",
    "Coastal",
    "Eastern",
    "United",
    "Central",
    "Allied",
    "Free",
    "Southern",
    "Continental",
    "Maritime",
];
const ORG_NOUN: &[&str] = &[
    "Trade Council",
    "Defence Forum",
    "Security Organisation",
    "Development Bank",
    "Energy Union",
    "Press Agency",
    "Workers' Party",
    "Observers' Mission",
];
const LOC_NAME: &[&str] = &[
    "Aras", "Kura", "Sevan", "Zangezur", "Tavush", "Lachin", "Goris", "Meghri",
];
const LOC_KIND: &[&str] = &["Valley", "Pass", "River", "corridor", "Highlands", "Lake"];
const NORP: &[&str] = &[
    "Valorian",
    "Normarkish",
    "Esterian",
    "Karistani",
    "Lumonian",
    "Belish",
    "Ardean",
];
const ROLE: &[&str] = &[
    "Prime Minister",
    "Foreign Minister",
    "President",
    "Defence Minister",
    "spokesperson",
    "General",
    "Secretary-General",
];
const MONTH: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const EVENT_KIND: &[&str] = &[
    "Summit",
    "offensive",
    "ceasefire talks",
    "conference",
    "crisis",
];
const QUANTITY_UNIT: &[&str] = &["people", "soldiers", "civilians", "observers", "refugees"];

/// One templated sentence: `{TYPE}` marks a slot; relations name slots by position.
struct Template {
    text: &'static str,
    relations: &'static [(usize, usize, &'static str)],
}

const TEMPLATES: &[Template] = &[
    Template {
        text: "{ROLE} {PER} of {GPE} said on {DATE} that talks with the {ORG} would continue.",
        relations: &[(1, 0, "has_role"), (1, 2, "leader_of")],
    },
    Template {
        text: "{GPE} has been a member of the {ORG} since {DATE}, a spokesperson confirmed.",
        relations: &[(0, 1, "member_of")],
    },
    Template {
        text: "{PER}, speaking for the {ORG}, told reporters that {GPE} “supports” the plan.",
        relations: &[(0, 1, "spokesperson_for")],
    },
    Template {
        text: "Fighting near the {LOC} in {GPE} left {QUANTITY} dead during the {EVENT}.",
        relations: &[(0, 1, "located_in"), (2, 3, "casualties_of")],
    },
    Template {
        text: "{NORP} officials accused {GPE} of blocking the {EVENT} held in {GPE}.",
        relations: &[(0, 1, "opposes"), (2, 3, "located_in")],
    },
    Template {
        text: "The {ORG} backed {PER} after the vote, and {GPE} welcomed the decision.",
        relations: &[(0, 1, "supports")],
    },
    Template {
        text: "{ROLE} {PER} arrived in {GPE} on {DATE} for the {EVENT}.",
        relations: &[(1, 0, "has_role"), (1, 2, "located_in")],
    },
    Template {
        text: "Observers from the {ORG} counted {QUANTITY} at the {LOC}.",
        relations: &[],
    },
];

const FILLER: &[&str] = &[
    "Officials did not give further details, and the statement was not signed.",
    "The talks are expected to resume next week, according to people familiar with the matter.",
    "Analysts said the move could change the balance of power in the region for years.",
    "Neither side responded to requests for comment by the time of publication.",
    "Local media reported long queues at the border crossing throughout the day.",
    "The agreement, drafted over several months, still needs approval by parliament.",
    "Critics warned that the plan leaves many questions about funding unanswered.",
    "Residents described a tense but calm night, with shops reopening in the morning.",
    "The figures could not be independently verified.",
    "A joint communiqué is due to be published after the meeting ends.",
];

/// Builds a synthetic project: each document has about 3 KB of news-like text, about 30 spans
/// of every entity type, about 5 relations, and links from person, organisation and country
/// mentions to a shared knowledge base. Valid by `Project::validate`.
pub fn synthetic_project(documents: usize, seed: u64) -> Project {
    let mut rng = Rng(seed ^ 0x005E_ED0F_4A12_61A1);
    let mut project = Project::new(&format!(
        "Synthetic corpus ({documents} documents, seed {seed})"
    ));
    let mut entities: HashMap<(String, String), EntityId> = HashMap::new();
    let pool = (documents * 2).clamp(40, 20_000);
    for i in 0..documents {
        let doc = synthetic_document(&mut project, &mut rng, &mut entities, pool, i);
        project.documents.push(doc.into());
    }
    project.normalize_order();
    project
}

fn slot_text(rng: &mut Rng, ty: &str, pool: usize) -> String {
    match ty {
        "PER" => {
            let k = rng.popular(pool);
            format!(
                "{} {}",
                FIRST[k % FIRST.len()],
                LAST[(k / FIRST.len()) % LAST.len()]
            )
        }
        "GPE" => {
            let k = rng.popular(LAND_START.len() * LAND_END.len());
            format!(
                "{}{}",
                LAND_START[k % LAND_START.len()],
                LAND_END[k / LAND_START.len()]
            )
        }
        "ORG" => {
            let k = rng.popular(ORG_ADJ.len() * ORG_NOUN.len());
            format!(
                "{} {}",
                ORG_ADJ[k % ORG_ADJ.len()],
                ORG_NOUN[k / ORG_ADJ.len()]
            )
        }
        "LOC" => format!("{} {}", rng.pick(LOC_NAME), rng.pick(LOC_KIND)),
        "NORP" => rng.pick(NORP).to_string(),
        "ROLE" => rng.pick(ROLE).to_string(),
        "DATE" => format!(
            "{} {} {}",
            1 + rng.below(28),
            rng.pick(MONTH),
            2015 + rng.below(11)
        ),
        "EVENT" => format!("{} {}", rng.pick(LOC_NAME), rng.pick(EVENT_KIND)),
        _ => format!("{} {}", 2 + rng.below(900), rng.pick(QUANTITY_UNIT)),
    }
}

fn synthetic_document(
    project: &mut Project,
    rng: &mut Rng,
    entities: &mut HashMap<(String, String), EntityId>,
    pool: usize,
    index: usize,
) -> Document {
    let id = project.new_document_id();
    let mut text = String::with_capacity(3300);
    let mut chars = 0usize;
    let mut spans: Vec<Span> = Vec::new();
    let mut candidates: Vec<(SpanId, SpanId, &'static str)> = Vec::new();
    let mut sentence = 0usize;
    while chars < 3000 {
        if sentence > 0 {
            let sep = if sentence.is_multiple_of(4) {
                "\n\n"
            } else {
                " "
            };
            text.push_str(sep);
            chars += sep.len();
        }
        sentence += 1;
        if sentence % 4 != 1 {
            let f = rng.pick(FILLER);
            text.push_str(f);
            chars += f.chars().count();
            continue;
        }
        let template = &TEMPLATES[rng.below(TEMPLATES.len())];
        let mut slot_spans: Vec<SpanId> = Vec::new();
        let mut rest = template.text;
        while let Some(open) = rest.find('{') {
            let literal = &rest[..open];
            text.push_str(literal);
            chars += literal.chars().count();
            let close = rest[open..].find('}').map_or(rest.len(), |c| open + c);
            let ty = &rest[open + 1..close];
            rest = rest.get(close + 1..).unwrap_or("");
            let name = slot_text(rng, ty, pool);
            let start = chars;
            text.push_str(&name);
            chars += name.chars().count();
            let span_id = project.new_span_id();
            let mut span = Span::new(span_id, start, chars, ty);
            if matches!(ty, "PER" | "ORG" | "GPE") {
                let key = (ty.to_string(), name.clone());
                let entity = match entities.get(&key) {
                    Some(e) => *e,
                    None => {
                        let e = project.new_entity_id();
                        project.entities.push(Entity {
                            id: e,
                            name: name.clone(),
                            entity_type: ty.to_string(),
                            aliases: Vec::new(),
                            references: Vec::new(),
                            note: String::new(),
                            made: None,
                        });
                        entities.insert(key, e);
                        e
                    }
                };
                span.entity = Some(entity);
            }
            match rng.below(10) {
                0..=5 => {}
                6..=8 => {
                    span.origin = Origin::Suggested {
                        engine: rng.pick(&["gazetteer", "rules", "memory", "model"]).into(),
                        score: (50 + rng.below(50)) as f32 / 100.0,
                    }
                }
                _ => {
                    span.origin = Origin::Imported {
                        format: "brat".into(),
                    }
                }
            }
            if rng.chance(3) {
                span.note = "checked against the \"original\" wire report\nsee source".into();
            }
            spans.push(span);
            slot_spans.push(span_id);
        }
        text.push_str(rest);
        chars += rest.chars().count();
        for &(s, t, ty) in template.relations {
            if let (Some(&s), Some(&t)) = (slot_spans.get(s), slot_spans.get(t)) {
                candidates.push((s, t, ty));
            }
        }
    }
    let mut relations = Vec::new();
    let wanted = 3 + rng.below(5);
    while relations.len() < wanted && !candidates.is_empty() {
        let (source, target, ty) = candidates.swap_remove(rng.below(candidates.len()));
        relations.push(Relation {
            id: project.new_relation_id(),
            relation_type: ty.into(),
            source,
            target,
            origin: Origin::Manual,
            note: String::new(),
            made: None,
        });
    }
    let title_place = slot_text(rng, "GPE", pool);
    let mut doc = Document::new(
        id,
        &format!("{title_place}: report {}", index + 1),
        &format!("synthetic/doc-{:05}.txt", index + 1),
        text,
    );
    doc.status = DocumentStatus::ALL[rng.below(3)];
    doc.spans = spans;
    doc.relations = relations;
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store;
    use std::path::Path;

    #[test]
    fn synthetic_projects_are_valid_deterministic_and_news_sized() {
        let p = synthetic_project(20, 7);
        p.validate().unwrap();
        assert_eq!(p, synthetic_project(20, 7));
        assert_ne!(p, synthetic_project(20, 8));
        let text: usize = p.documents.iter().map(|d| d.text.len()).sum();
        let per_doc = |n: usize| n as f64 / 20.0;
        assert!((2900.0..3600.0).contains(&per_doc(text)), "{text}");
        assert!(
            (20.0..40.0).contains(&per_doc(p.span_count())),
            "{}",
            p.span_count()
        );
        assert!(
            (3.0..8.0).contains(&per_doc(p.relation_count())),
            "{}",
            p.relation_count()
        );
        let types: std::collections::HashSet<_> = p
            .documents
            .iter()
            .flat_map(|d| d.spans.iter().map(|s| s.entity_type.as_str()))
            .collect();
        assert_eq!(types.len(), 9, "{types:?}");
        // Offsets are char offsets: the slices are the names put there.
        let d = &p.documents[0];
        for s in &d.spans {
            assert!(!d.span_text(s).contains('{'), "{}", d.span_text(s));
        }
        // Survives a save and a load unchanged.
        let text = store::to_ron_string(&p).unwrap();
        assert_eq!(store::from_ron_str(&text, Path::new("g.ron")).unwrap(), p);
        let b = alternate_version(&p);
        b.validate().unwrap();
        assert_ne!(b, p);
    }
}
