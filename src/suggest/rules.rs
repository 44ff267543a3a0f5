//! The rules engine: regular expressions for dates and times, quantities and casualty
//! figures, titles before names ("Prime Minister Nikol Pashinyan" -> ROLE + PER, with a
//! has_role relation), acronyms defined in parentheses, organisation names ending in an
//! institutional word, and capitalised sequences as low-score candidates.
//!
//! Each rule recognises a knowledge class (date, quantity, role, person name, organisation);
//! the project's schema, or what its annotations show, says which entity type that class is
//! suggested as (`Schema::knowledge_type`). A class with no type there is not suggested.

use super::gazetteer::shipped_entries;
use super::knowledge::{LearnedTypes, class_type, learn_knowledge_types};
use super::model::is_known_given_name;
use super::util::{Analysis, at_word_boundaries, char_range, is_sentence_start};
use super::{RelationSuggestion, SpanRef, Suggester, Suggestion};
use crate::model::{Document, KnowledgeClass, Project};
use regex::Regex;
use std::collections::HashSet;
use std::sync::OnceLock;

const MONTHS: &str = "January|February|March|April|May|June|July|August|September|October|November|December|Jan\\.|Feb\\.|Mar\\.|Apr\\.|Jun\\.|Jul\\.|Aug\\.|Sept?\\.|Oct\\.|Nov\\.|Dec\\.";
const WEEKDAYS: &str = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday";
const NUMBER_WORDS: &str = "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|a hundred|a thousand|several|a dozen|dozens|hundreds|thousands|tens of thousands|millions";
const PEOPLE: &str = "people|persons|civilians|soldiers|troops|servicemen|peacekeepers|protesters|demonstrators|refugees|fighters|militants|police officers|policemen|officers|children|women|men|residents|migrants|prisoners|detainees|hostages|journalists|observers|monitors|casualties|deaths|dead|wounded|injured|killed|lives|members|delegates|diplomats|workers|families|displaced people|tanks|drones|missiles|rockets|shells|vehicles|trucks|lorries|aircraft|warplanes|villages|tonnes|tons|kilometres|kilometers|miles|dollars|euros";
const ORG_HEADS: &str = "Assembly|Ministry|Council|Committee|Commission|Parliament|Party|Army|Forces|Force|Front|Movement|Organization|Organisation|Union|Agency|Bank|Court|Office|Service|Guard|Guards|Brigade|Battalion|Corps|Navy|Government|Cabinet|Senate|Congress|Federation|Alliance|Coalition|Fund|Institute|Foundation|Secretariat|Mission|Authority|Administration|Directorate|Bureau|Police|Command|Group";

struct Patterns {
    dates: Vec<Regex>,
    quantity: Regex,
    casualty: Regex,
    acronym_def: Regex,
    org_name: Regex,
    capitalised: Regex,
    title_name: Regex,
    particle_name: Regex,
    suffix_name: Regex,
    /// One capitalised word, hyphenated parts included ("Jae-in"): the words of names
    /// written surname first.
    name_word: Regex,
    events: Vec<Regex>,
}

fn patterns() -> Option<&'static Patterns> {
    static P: OnceLock<Option<Patterns>> = OnceLock::new();
    P.get_or_init(|| build().ok()).as_ref()
}

/// Compiles a rule pattern with ASCII word boundaries. A Unicode `\b` makes the regex crate
/// leave its fast engines for its slowest one on any text holding a non-ASCII character (a
/// curly quote, an accent), which made the rules take seconds per megabyte of real news. The
/// two kinds of boundary differ only next to a non-ASCII letter, where the rules' ASCII
/// patterns (`[A-Z][a-z]+`, English words) would not match on either side anyway.
fn regex(pattern: &str) -> Result<Regex, regex::Error> {
    Regex::new(&pattern.replace(r"\b", r"(?-u:\b)"))
}

fn build() -> Result<Patterns, regex::Error> {
    let dates = [
        // September 13, 2022 / 13 September 2022 / September 2022 / 13 September / Sept. 3
        format!(r"\b(?:\d{{1,2}} (?:{MONTHS})(?:,? \d{{4}})?|(?:{MONTHS}) \d{{1,2}}(?:st|nd|rd|th)?(?:, \d{{4}})?|(?:{MONTHS}) \d{{4}}|(?:early |mid-|late )?(?:January|February|March|April|June|July|August|September|October|November|December))\b"),
        format!(r"\b(?:(?:last|next|this) )?(?:{WEEKDAYS})(?: (?:morning|afternoon|evening|night))?\b"),
        r"\b(?:(?:earlier|later) )?(?:this|last|next|the previous|the following|the coming|the past) (?:week|weekend|month|year|decade|spring|summer|autumn|fall|winter|few days|few weeks|few months|two weeks|days|weeks|months|years)\b".to_string(),
        r"\b(?:yesterday|today|tonight|overnight)\b".to_string(),
        r"\b(?:(?:a|one|two|three|four|five|six|seven|eight|nine|ten|several|\d+) (?:days?|weeks?|months?|years?|decades?) (?:ago|earlier|later)|within (?:days|weeks|months|hours|a week|a month|a year)|in (?:the )?coming (?:days|weeks|months))\b".to_string(),
        r"\b(?:the )?(?:early |mid-|late )?(?:1[89]|20)\d0s\b".to_string(),
        r"\b(?:in|since|by|until|before|after|from|of|for|to) ((?:1[89]|20)\d{2})\b".to_string(),
        r"\b\d{1,2}(?::\d{2})? ?(?:a\.m\.|p\.m\.|am|pm)(?: local time)?|\b\d{4} (?:GMT|UTC|EST|EDT|CET|CEST|MSK)\b|\bmidnight\b|\bnoon\b".to_string(),
    ];
    let dates = dates
        .iter()
        .map(|d| regex(d))
        .collect::<Result<Vec<_>, _>>()?;
    let num = format!(r"(?:\d[\d,.]*(?: (?:million|billion|thousand))?|(?i:{NUMBER_WORDS}))");
    let qual = r"(?i:(?:at least|more than|over|about|around|nearly|almost|some|up to|fewer than|less than|an estimated|roughly|approximately) )?";
    let quantity = regex(&format!(
        r"\b{qual}{num}(?: of)?(?: [A-Z][a-z]+| [a-z]+-?[a-z]*)? (?:{PEOPLE})\b"
    ))?;
    let casualty = regex(&format!(
        r"\b{qual}{num} (?:were|have been|had been|was) (?:killed|wounded|injured|detained|arrested|displaced)\b"
    ))?;
    let acronym_def = regex(
        r"((?:[A-Z][\w’'-]*)(?: (?:of|for|and|the|on|in|de|[A-Z][\w’'-]*))*) \(([A-Z][A-Z&-]{1,9})\)",
    )?;
    let org_name = regex(&format!(
        r"\b(?:[A-Z][\w-]+ (?:(?:of|for|and|the|on) )?){{0,4}}(?:{ORG_HEADS})\b(?: (?:of|for) (?:the )?(?:[A-Z][\w-]+)(?: [A-Z][\w-]+){{0,3}})?"
    ))?;
    let capitalised = regex(r"\b[A-Z][a-z][\w-]*(?: [A-Z][a-z][\w-]*){1,3}\b")?;
    // Anchored and short-lived (it stops where the name does), so its Unicode `\b` costs
    // nothing; it keeps "President Zoë Costa" from giving the name "Zo". A nasab or nisba
    // belongs to the name ("Prime Minister Nouri al-Maliki").
    let title_name = Regex::new(
        r"^ ((?:[A-Z][a-z]+(?:-[A-Z][a-z]+)? ){0,2}[A-Z][a-z]+(?:-[A-Z][a-z]+)?(?:yan|ov|ova|ev|eva|in|ko|enko|ski|sky|ic|vic|ović)?(?: (?:bin|ibn|bint) [A-Z][a-z]+)?(?: (?:al|el|ad|ar|as|ash|at|az)-[A-Z][a-z]+)?)\b",
    )?;
    // Names with Arabic, Persian or Turkic particles: a kunya or nasab (Abu Musab, Umm Ali,
    // Osama bin Laden) and names ending in an al-/el- nisba (Ayman al-Zawahiri).
    let cap = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?";
    let particle_name = regex(&format!(
        r"\b(?:(?:Abu|Abou|Umm|Ibn|Bin) {cap}(?: (?:{cap}|(?:bin|ibn|bint|abu) {cap}))*(?: (?:al|el|ad|ar|as|ash|at|az)-{cap})?|{cap}(?: {cap})? (?:bin|ibn|bint) {cap}(?: (?:al|el)-{cap})?|{cap}(?: {cap})? (?:al|el|ad|ar|as|ash|at|az)-{cap})\b"
    ))?;
    // A capitalised word before a surname with a typical Armenian, Georgian, Slavic, Turkic,
    // Persian or Baltic ending (Ararat Mirzoyan, Irakli Garibashvili, Sergei Lavrov).
    let suffix_name = regex(&format!(
        r"\b{cap} (?:[A-Z]\. )?[A-Z][a-z]+?(?:yan|ian|yants|shvili|dze|iani|ov|ova|ev|eva|yev|yeva|in|enko|chuk|uk|ski|sky|ić|vić|vich|ovic|evic|oglu|zadeh|pour|nejad|zai|aite|iene|auskas)\b"
    ))?;
    let events = [
        // Operation Inherent Resolve, Operation Euphrates Shield
        format!(r"\bOperation(?: {cap}){{1,3}}"),
        // the Second Karabakh War, the Six-Day War, the Iran-Iraq War, the Gulf War
        format!(r"\b(?:(?:First|Second|Third) )?(?:{cap} ){{1,3}}(?:War|Revolution|Uprising|Intifada|Crisis|Massacre|Offensive)\b"),
        // the Warsaw Summit, the NATO Summit, Astana Talks, Geneva Conference
        format!(r"\b(?:{cap} |[A-Z]{{2,6}} ){{1,3}}(?:Summit|Talks|Conference|Accords?|Agreement|Process)\b"),
        // the 2020 war, the 2008 war, the 1994 ceasefire
        r"\bthe (?:(?:1[89]|20)\d{2}) (?:war|conflict|invasion|uprising|revolution|coup|offensive|elections?)\b".to_string(),
    ];
    let events = events
        .iter()
        .map(|e| regex(e))
        .collect::<Result<Vec<_>, _>>()?;
    let name_word = regex(r"[A-Z][a-z]+(?:-[a-z]+)?")?;
    Ok(Patterns {
        particle_name,
        suffix_name,
        name_word,
        events,
        dates,
        quantity,
        casualty,
        acronym_def,
        org_name,
        capitalised,
        title_name,
    })
}

/// Words that start sentences or names capitalised but are not names.
const NOT_NAMES: &[&str] = &[
    "The",
    "A",
    "An",
    "In",
    "On",
    "At",
    "But",
    "And",
    "He",
    "She",
    "It",
    "They",
    "We",
    "This",
    "That",
    "These",
    "Those",
    "His",
    "Her",
    "Its",
    "Their",
    "Our",
    "After",
    "Before",
    "When",
    "While",
    "As",
    "If",
    "Since",
    "Outside",
    "Inside",
    "Leaders",
    "Current",
    "Former",
    "Late",
    "Mr",
    "Mrs",
    "Ms",
    "Mr.",
    "Mrs.",
    "Ms.",
    "Dr.",
    "Some",
    "Many",
    "Other",
    "Both",
    "Meanwhile",
    "However",
    "Officials",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
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
    "President",
    "Minister",
    "Prime",
];

/// Titles that make the following capitalised words a person.
fn titles() -> &'static Vec<String> {
    static T: OnceLock<Vec<String>> = OnceLock::new();
    T.get_or_init(|| {
        let mut v: Vec<String> = super::gazetteer::shipped_entries()
            .into_iter()
            .filter(|e| {
                e.class == Some(KnowledgeClass::Role) && e.name.starts_with(char::is_uppercase)
            })
            .map(|e| e.name)
            .collect();
        v.extend(["Mr.", "Mrs.", "Ms.", "Dr."].iter().map(|s| s.to_string()));
        // Longest first, so "Deputy Prime Minister" wins over "Prime Minister".
        v.sort_by_key(|s| std::cmp::Reverse(s.len()));
        v
    })
}

/// `titles()` by their first byte (longest first within each): a word start is compared
/// with the few titles that can match there, not with all of them.
fn titles_by_first_byte() -> &'static [Vec<&'static str>] {
    static T: OnceLock<Vec<Vec<&'static str>>> = OnceLock::new();
    T.get_or_init(|| {
        let mut by_byte = vec![Vec::new(); 256];
        for t in titles() {
            if let Some(&b) = t.as_bytes().first() {
                by_byte[usize::from(b)].push(t.as_str());
            }
        }
        by_byte
    })
}

/// The rules engine. It learns only which entity type each class's matches are annotated
/// with in the project.
#[derive(Debug, Clone, Default)]
pub struct Rules {
    learned: LearnedTypes,
}

impl Rules {
    pub fn new() -> Rules {
        Rules::default()
    }
}

struct Out<'d> {
    doc: &'d Document,
    /// Suggestions with their class (`entity_type` is set from it afterwards).
    list: Vec<(KnowledgeClass, Suggestion)>,
}

impl Out<'_> {
    fn push(&mut self, s: usize, e: usize, class: KnowledgeClass, score: f32, why: String) {
        let text = &self.doc.text;
        if s >= e || !at_word_boundaries(text, s, e) {
            return;
        }
        let (start, end) = char_range(self.doc, s, e);
        self.list.push((
            class,
            Suggestion {
                document: self.doc.id,
                start,
                end,
                entity_type: String::new(),
                score,
                engine: "rules".to_string(),
                explanation: why,
            },
        ));
    }
}

/// A title followed by a name: (title byte range, name byte range).
fn title_names(text: &str, p: &Patterns) -> Vec<((usize, usize), (usize, usize))> {
    let mut out = Vec::new();
    let mut taken_to = 0;
    let ts = titles_by_first_byte();
    for (i, _) in text.char_indices() {
        if i < taken_to || !at_word_boundaries(text, i, i) && i > 0 {
            // Only at word starts.
            if i < taken_to {
                continue;
            }
        }
        if i > 0
            && text[..i]
                .chars()
                .next_back()
                .is_some_and(char::is_alphanumeric)
        {
            continue;
        }
        let rest = &text[i..];
        let Some(t) = ts[usize::from(rest.as_bytes()[0])]
            .iter()
            .find(|t| rest.starts_with(*t))
        else {
            continue;
        };
        let after = i + t.len();
        let Some(m) = p.title_name.captures(&text[after..]) else {
            continue;
        };
        let Some(name) = m.get(1) else { continue };
        let first_word = name.as_str().split(' ').next().unwrap_or("");
        if NOT_NAMES.contains(&first_word) || titles().iter().any(|t| t == first_word) {
            continue;
        }
        let ns = after + name.start();
        let ne = after + name.end();
        out.push(((i, after), (ns, ne)));
        taken_to = ne;
    }
    out
}

fn initials_match(name: &str, acronym: &str) -> bool {
    let initials: String = name
        .split([' ', '-'])
        .filter(|w| w.starts_with(char::is_uppercase))
        .filter_map(|w| w.chars().next())
        .collect();
    let letters: String = acronym.chars().filter(|c| c.is_alphabetic()).collect();
    initials == letters || (letters.len() >= 2 && initials.ends_with(&letters))
}

impl Suggester for Rules {
    fn name(&self) -> &'static str {
        "rules"
    }

    fn learn(&mut self, project: &Project) {
        self.learned = learn_knowledge_types(project, |doc| {
            classified(doc)
                .into_iter()
                .map(|(c, s)| (s.start, s.end, c))
                .collect()
        });
    }

    fn suggest(&self, project: &Project, doc: &Document) -> Vec<Suggestion> {
        classified(doc)
            .into_iter()
            .filter_map(|(c, mut s)| {
                s.entity_type = class_type(&project.schema, c, self.learned.get(&c))?.to_string();
                Some(s)
            })
            .collect()
    }

    fn suggest_relations(
        &self,
        project: &Project,
        doc: &Document,
        candidates: &[Suggestion],
    ) -> Vec<RelationSuggestion> {
        let Some(p) = patterns() else {
            return Vec::new();
        };
        let schema = &project.schema;
        let role = class_type(
            schema,
            KnowledgeClass::Role,
            self.learned.get(&KnowledgeClass::Role),
        );
        let person = class_type(
            schema,
            KnowledgeClass::PersonName,
            self.learned.get(&KnowledgeClass::PersonName),
        );
        let (Some(role), Some(person)) = (role, person) else {
            return Vec::new();
        };
        if schema.relation_type("has_role").is_none() {
            return Vec::new();
        }
        let mut out = Vec::new();
        // Looked up once per title: a set, not a scan of every candidate (a long document
        // has as many candidates as titles, which made this quadratic).
        let candidates: HashSet<(usize, usize, &str)> = candidates
            .iter()
            .map(|c| (c.start, c.end, c.entity_type.as_str()))
            .collect();
        for ((ts, te), (ns, ne)) in title_names(&doc.text, p) {
            let (rs, re) = char_range(doc, ts, te);
            let (ps, pe) = char_range(doc, ns, ne);
            let has = |s: usize, e: usize, ty: &str| {
                doc.has_span(s, e, ty) || candidates.contains(&(s, e, ty))
            };
            if has(rs, re, role) && has(ps, pe, person) {
                out.push(RelationSuggestion {
                    document: doc.id,
                    source: SpanRef::new(ps, pe, person),
                    target: SpanRef::new(rs, re, role),
                    relation_type: "has_role".into(),
                    score: 0.8,
                    engine: "rules".into(),
                    explanation: "title right before a name".into(),
                });
            }
        }
        out
    }
}

/// What the rules find in a document, with the knowledge class of each.
fn classified(doc: &Document) -> Vec<(KnowledgeClass, Suggestion)> {
    let Some(p) = patterns() else {
        return Vec::new();
    };
    let text = &doc.text;
    let analysis = Analysis::of(text);
    let starts = analysis.sentence_starts();
    let mut out = Out {
        doc,
        list: Vec::new(),
    };
    for (k, re) in p.dates.iter().enumerate() {
        for c in re.captures_iter(text) {
            // The year pattern captures the year only.
            let Some(m) = c.get(1).or_else(|| c.get(0)) else {
                continue;
            };
            let score = if k == 6 { 0.75 } else { 0.85 };
            // The last pattern is the clock-time one.
            let class = if k == 7 {
                KnowledgeClass::Time
            } else {
                KnowledgeClass::Date
            };
            out.push(
                m.start(),
                m.end(),
                class,
                score,
                "date or time pattern".into(),
            );
        }
    }
    for m in p.quantity.find_iter(text) {
        if p.dates[0].is_match(m.as_str()) {
            continue;
        }
        out.push(
            m.start(),
            m.end(),
            KnowledgeClass::Quantity,
            0.8,
            "quantity pattern".into(),
        );
    }
    for c in p.casualty.captures_iter(text) {
        if let Some(m) = c.get(0) {
            let head = m.as_str().split(" were ").next().unwrap_or("");
            let head = head
                .split(" have ")
                .next()
                .unwrap_or(head)
                .split(" had ")
                .next()
                .unwrap_or(head)
                .split(" was ")
                .next()
                .unwrap_or(head);
            out.push(
                m.start(),
                m.start() + head.len(),
                KnowledgeClass::Quantity,
                0.7,
                "casualty figure".into(),
            );
        }
    }
    let mut persons: Vec<(usize, usize)> = Vec::new();
    for ((ts, te), (ns, ne)) in title_names(text, p) {
        out.push(
            ts,
            te,
            KnowledgeClass::Role,
            0.8,
            "title before a name".into(),
        );
        out.push(
            ns,
            ne,
            KnowledgeClass::PersonName,
            0.85,
            format!("name after the title {}", &text[ts..te]),
        );
        persons.push((ns, ne));
    }
    // Surnames of persons found above, later on their own.
    let mut surnames: HashSet<&str> = HashSet::new();
    for &(s, e) in &persons {
        if let Some(last) = text[s..e].split(' ').next_back()
            && last.len() >= 4
            && text[s..e].contains(' ')
        {
            surnames.insert(last);
        }
    }
    // `title_names` gives the names in text order, never overlapping: a binary search
    // finds the one name that could hold a position.
    let in_person = |i: usize| {
        let at = persons.partition_point(|&(s, _)| s <= i);
        at > 0 && i < persons[at - 1].1
    };
    for name in surnames {
        for (i, _) in text.match_indices(name) {
            if at_word_boundaries(text, i, i + name.len()) && !in_person(i) {
                out.push(
                    i,
                    i + name.len(),
                    KnowledgeClass::PersonName,
                    0.75,
                    format!("surname of a person named earlier ({name})"),
                );
            }
        }
    }
    // Names by their particles and surname endings. They beat a place reading of their first
    // word ("Ararat" of "Ararat Mirzoyan"): the longer person reading scores higher than the
    // gazetteer's 0.9, unless the surname is itself a known place or nationality word.
    let known = gazetteer_names();
    for m in p.suffix_name.find_iter(text) {
        let mut words = m.as_str().split(' ');
        let first = words.next().unwrap_or("");
        let last = m.as_str().rsplit(' ').next().unwrap_or("");
        if NOT_NAMES.contains(&first) || known.contains(last) || titles().iter().any(|t| t == first)
        {
            continue;
        }
        out.push(
            m.start(),
            m.end(),
            KnowledgeClass::PersonName,
            0.92,
            format!("capitalised word and a surname ending like {last}"),
        );
    }
    for m in p.particle_name.find_iter(text) {
        // The words before a nisba may be a title ("Prime Minister Nouri al-Maliki",
        // "Ayatollah Ali al-Sistani"): the name starts after them.
        let mut start = m.start();
        while let Some(space) = text[start..m.end()].find(' ') {
            let word = &text[start..start + space];
            let title_word = titles().iter().any(|t| t.split(' ').any(|w| w == word));
            if !(NOT_NAMES.contains(&word) || title_word) {
                break;
            }
            start += space + 1;
        }
        let name = &text[start..m.end()];
        if known.contains(name) || !name.contains(' ') {
            continue;
        }
        // Led by a known given name ("Abdul-Malik al-Houthi"), the person reading beats a
        // group or place read in its nisba, as the surname endings above do.
        let first = name.split([' ', '-']).next().unwrap_or("");
        let score = if is_known_given_name(first) {
            0.92
        } else {
            0.8
        };
        out.push(
            start,
            m.end(),
            KnowledgeClass::PersonName,
            score,
            "name with an Arabic or Persian particle (Abu, bin, al-)".into(),
        );
    }
    for (start, end) in surname_first_names(text, p) {
        if !known.contains(&text[start..end]) {
            out.push(
                start,
                end,
                KnowledgeClass::PersonName,
                0.75,
                "East Asian surname before a given name".into(),
            );
        }
    }
    for (k, re) in p.events.iter().enumerate() {
        for m in re.find_iter(text) {
            let mut s = m.start();
            let first = m.as_str().split(' ').next().unwrap_or("");
            if k > 0 && k < 3 && NOT_NAMES.contains(&first) {
                match text[s..m.end()].find(' ') {
                    Some(sp) => s += sp + 1,
                    None => continue,
                }
            }
            if known.contains(&text[s..m.end()]) {
                continue;
            }
            out.push(
                s,
                m.end(),
                KnowledgeClass::Event,
                0.8,
                "named operation, war, summit or talks".into(),
            );
        }
    }
    for c in p.acronym_def.captures_iter(text) {
        let (Some(name), Some(acr)) = (c.get(1), c.get(2)) else {
            continue;
        };
        // Trim leading words until the initials match.
        let mut s = name.start();
        let mut found = false;
        loop {
            if initials_match(&text[s..name.end()], acr.as_str()) {
                found = true;
                break;
            }
            match text[s..name.end()].find(' ') {
                Some(sp) => s += sp + 1,
                None => break,
            }
        }
        if !found
            || text[s..name.end()]
                .split(' ')
                .next()
                .is_some_and(|w| w.chars().all(char::is_lowercase))
        {
            continue;
        }
        let why = format!(
            "{} defined as an acronym ({})",
            &text[s..name.end()],
            acr.as_str()
        );
        out.push(
            s,
            name.end(),
            KnowledgeClass::Organisation,
            0.8,
            why.clone(),
        );
        out.push(
            acr.start(),
            acr.end(),
            KnowledgeClass::Organisation,
            0.8,
            format!("acronym: alias of {}", &text[s..name.end()]),
        );
    }
    for m in p.org_name.find_iter(text) {
        let mut s = m.start();
        let first = m.as_str().split(' ').next().unwrap_or("");
        if NOT_NAMES.contains(&first) {
            match text[s..m.end()].find(' ') {
                Some(sp) => s += sp + 1,
                None => continue,
            }
        }
        if !text[s..m.end()].contains(' ') {
            continue;
        }
        out.push(
            s,
            m.end(),
            KnowledgeClass::Organisation,
            0.92,
            "capitalised name ending in an institution word".into(),
        );
    }
    for m in p.capitalised.find_iter(text) {
        let mut s = m.start();
        let first = m.as_str().split(' ').next().unwrap_or("");
        // Two or three capitalised words led by a known given name: a person, even at a
        // sentence start.
        let given = m.as_str().split(' ').count() <= 3
            && !NOT_NAMES.contains(&first)
            && is_known_given_name(first)
            && !gazetteer_first_words().contains(first);
        if !given && (NOT_NAMES.contains(&first) || is_sentence_start(text, &starts, s)) {
            match text[s..m.end()].find(' ') {
                Some(sp)
                    if !NOT_NAMES.contains(&first)
                        || is_sentence_start(text, &starts, s)
                        || NOT_NAMES.contains(&first) =>
                {
                    s += sp + 1
                }
                _ => continue,
            }
        }
        if !text[s..m.end()].contains(' ') {
            continue;
        }
        let (score, why) = if given {
            (
                0.8,
                format!("capitalised sequence starting with the given name {first}"),
            )
        } else {
            (0.3, "capitalised sequence (candidate)".to_string())
        };
        out.push(s, m.end(), KnowledgeClass::PersonName, score, why);
    }
    out.list
}

/// The names of the shipped gazetteer entries.
fn gazetteer_names() -> &'static HashSet<String> {
    static W: OnceLock<HashSet<String>> = OnceLock::new();
    W.get_or_init(|| shipped_entries().into_iter().map(|e| e.name).collect())
}

/// First words of the shipped gazetteer entries: a given name that also starts a place,
/// group or title ("Sydney", "Hong Kong", "Sultan") does not make a capitalised sequence a
/// person.
fn gazetteer_first_words() -> &'static HashSet<String> {
    static W: OnceLock<HashSet<String>> = OnceLock::new();
    W.get_or_init(|| {
        shipped_entries()
            .into_iter()
            .filter_map(|e| e.name.split(' ').next().map(str::to_string))
            .collect()
    })
}

/// Names written surname first, as Chinese, Korean and (in the news, often) Japanese names
/// are: a known East Asian surname, then a known given name ("Li Qiang", "Moon Jae-in"), two
/// joined given-name syllables ("Xi Jinping"), a hyphenated Korean given name, or two short
/// syllables ending the name ("Kim Jong Un", "Sun Yat Sen"). Returns byte ranges.
fn surname_first_names(text: &str, p: &Patterns) -> Vec<(usize, usize)> {
    let (surnames, given) = super::model::east_asian_names();
    let syllable = |w: &str| given.contains(w) || surnames.contains(w);
    // "Jinping": a known syllable, then a known given name written on.
    let joined = |w: &str| {
        (2..w.len().saturating_sub(1)).any(|k| {
            w.is_char_boundary(k) && syllable(&w[..k]) && {
                let rest = &w[k..];
                let mut cap = rest[..1].to_uppercase();
                cap.push_str(&rest[1..]);
                given.contains(cap.as_str())
            }
        })
    };
    let korean = |w: &str| {
        w.split_once('-')
            .is_some_and(|(a, b)| (2..=4).contains(&a.len()) && (1..=5).contains(&b.len()))
    };
    let short = |w: &str| (2..=4).contains(&w.len()) && !NOT_NAMES.contains(&w);
    let words: Vec<(usize, usize)> = p
        .name_word
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect();
    let next_to = |a: (usize, usize), b: Option<&(usize, usize)>| {
        b.filter(|b| b.0 == a.1 + 1 && text.as_bytes()[a.1] == b' ')
            .copied()
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let name = &text[w.0..w.1];
        let found = surnames
            .contains(name)
            .then(|| next_to(w, words.get(i + 1)))
            .flatten()
            .and_then(|g| {
                let second = &text[g.0..g.1];
                let third = next_to(g, words.get(i + 2));
                let fourth = third.and_then(|t| next_to(t, words.get(i + 3)));
                match third {
                    // Two short syllables that end the name.
                    Some(t) if fourth.is_none() && short(second) && short(&text[t.0..t.1]) => {
                        Some((t.1, 3))
                    }
                    _ if given.contains(second) || joined(second) || korean(second) => {
                        Some((g.1, 2))
                    }
                    _ => None,
                }
            });
        match found {
            Some((end, n)) => {
                out.push((w.0, end));
                i += n;
            }
            None => i += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::DocumentId;

    fn run(text: &str) -> Vec<(String, String)> {
        let d = Document::new(DocumentId(1), "t", "t.txt", text.to_string());
        let mut s = Rules::new().suggest(&Project::new("p"), &d);
        s.retain(|s| s.score >= 0.5);
        s.into_iter()
            .map(|s| (d.slice(s.start, s.end).to_string(), s.entity_type))
            .collect()
    }

    fn has(got: &[(String, String)], text: &str, ty: &str) -> bool {
        got.iter().any(|(t, y)| t == text && y == ty)
    }

    #[test]
    fn dates_and_times() {
        let got = run(
            "On September 13, 2022 and 13 September troops moved; this week and last month too. In the 1990s, and in 2002, at 0530 EST on Monday.",
        );
        for d in [
            "September 13, 2022",
            "13 September",
            "this week",
            "last month",
            "the 1990s",
            "2002",
            "0530 EST",
            "Monday",
        ] {
            assert!(has(&got, d, "DATE"), "{d}: {got:?}");
        }
    }

    #[test]
    fn quantities_and_casualties() {
        let got = run(
            "At least 49 soldiers died. Dozens of civilians fled. About 2,000 troops left. Officials said 12 soldiers were killed.",
        );
        for q in [
            "49 soldiers",
            "Dozens of civilians",
            "About 2,000 troops",
            "12 soldiers",
        ] {
            assert!(
                got.iter().any(|(t, y)| y == "QUANTITY" && t.ends_with(q)),
                "{q}: {got:?}"
            );
        }
        assert!(has(&got, "At least 49 soldiers", "QUANTITY"), "{got:?}");
    }

    #[test]
    fn sequences_led_by_a_known_given_name_are_persons() {
        let got = run("Marta Lind said on Monday that talks with Dmitry Orlov would go on.");
        assert!(has(&got, "Marta Lind", "PER"), "{got:?}");
        assert!(has(&got, "Dmitry Orlov", "PER"), "{got:?}");
        // A bare first name or an unknown capitalised pair is no suggestion.
        let got = run("Talks with Marta went on in Upper Norland near Hong Kong Disneyland.");
        assert!(!got.iter().any(|(_, y)| y == "PER"), "{got:?}");
    }

    #[test]
    fn titles_names_and_has_role() {
        let text = "Talks began. Prime Minister Nikol Pashinyan spoke, and later Pashinyan left.";
        let got = run(text);
        assert!(has(&got, "Prime Minister", "ROLE"), "{got:?}");
        assert!(has(&got, "Nikol Pashinyan", "PER"), "{got:?}");
        assert!(has(&got, "Pashinyan", "PER"), "{got:?}");
        let d = Document::new(DocumentId(1), "t", "t.txt", text.to_string());
        let p = Project::new("p");
        let r = Rules::new();
        let s = r.suggest(&p, &d);
        let rel = r.suggest_relations(&p, &d, &s);
        assert_eq!(rel.len(), 1);
        assert_eq!(rel[0].relation_type, "has_role");
        assert_eq!(
            d.slice(rel[0].source.start, rel[0].source.end),
            "Nikol Pashinyan"
        );
    }

    #[test]
    fn acronym_definitions() {
        let got = run("Members of the Collective Security Treaty Organization (CSTO) met.");
        assert!(
            has(&got, "Collective Security Treaty Organization", "ORG"),
            "{got:?}"
        );
        assert!(has(&got, "CSTO", "ORG"), "{got:?}");
    }

    #[test]
    fn institution_names() {
        let got = run(
            "Afghanistan’s Ministry of Foreign Affairs wrote to the Armenian National Assembly today.",
        );
        assert!(has(&got, "Ministry of Foreign Affairs", "ORG"), "{got:?}");
        assert!(has(&got, "Armenian National Assembly", "ORG"), "{got:?}");
    }

    #[test]
    fn east_asian_names_written_surname_first() {
        let text = "Chinese President Xi Jinping and Premier Li Qiang met Kim Jong Un, Moon Jae-in and Sun Yat Sen's heirs. Hong Kong, Long Island and the Song Contest are no people; Wang said so.";
        let found: Vec<&str> = surname_first_names(text, patterns().unwrap())
            .into_iter()
            .map(|(s, e)| &text[s..e])
            .collect();
        assert_eq!(
            found,
            [
                "Xi Jinping",
                "Li Qiang",
                "Kim Jong Un",
                "Moon Jae-in",
                "Sun Yat Sen"
            ]
        );
    }

    #[test]
    fn names_by_particles_and_surname_endings_beat_a_place_reading() {
        let text = "Ararat Mirzoyan met Irakli Garibashvili. Abu Musab al-Zarqawi and Osama bin Laden were named, as was Ayman al-Zawahiri. Former Foreign Minister Sergei Lavrov spoke. Syrian Armenians and Libyan forces stayed. Prime Minister Nouri al-Maliki met Ayatollah Ali al-Sistani. Houthi leader Abdul-Malik al-Houthi spoke.";
        let d = Document::new(DocumentId(1), "t", "t.txt", text.to_string());
        // With the gazetteer's readings too ("Houthi" is a group, "Ararat" a mountain).
        let mut got = Rules::new().suggest(&Project::new("p"), &d);
        got.extend(crate::suggest::gazetteer::Gazetteer::new().suggest(&Project::new("p"), &d));
        let best = crate::suggest::resolve_overlaps(&Project::new("p"), &got);
        let found: Vec<(&str, &str)> = best
            .iter()
            .filter(|s| s.score >= 0.5)
            .map(|s| (d.slice(s.start, s.end), s.entity_type.as_str()))
            .collect();
        for name in [
            "Ararat Mirzoyan",
            "Irakli Garibashvili",
            "Abu Musab al-Zarqawi",
            "Osama bin Laden",
            "Ayman al-Zawahiri",
            "Sergei Lavrov",
            "Nouri al-Maliki",
            "Ali al-Sistani",
            "Abdul-Malik al-Houthi",
        ] {
            assert!(found.contains(&(name, "PER")), "{name}: {found:?}");
        }
        assert!(found.contains(&("Foreign Minister", "ROLE")), "{found:?}");
        assert!(
            !found.iter().any(|(t, _)| t.contains("Former")),
            "{found:?}"
        );
        assert!(
            !found
                .iter()
                .any(|(t, ty)| *ty == "PER" && (t.contains("Armenians") || t.contains("Libyan"))),
            "{found:?}"
        );
    }

    #[test]
    fn named_operations_wars_and_summits_are_events() {
        let got = run(
            "Operation Inherent Resolve went on. The Second Karabakh War ended; the 2020 war left scars. Leaders met at the Vilnius Summit.",
        );
        for e in [
            "Operation Inherent Resolve",
            "Second Karabakh War",
            "the 2020 war",
            "Vilnius Summit",
        ] {
            assert!(has(&got, e, "EVENT"), "{e}: {got:?}");
        }
    }
}
