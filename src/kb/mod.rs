//! The entity knowledge base: finding, linking, merging and splitting `Entity` records, and
//! the derived views the entity panel shows (the entity table, mentions in context).
//!
//! Nothing here changes the project: every operation returns a `Transaction` (or an `Edit`)
//! for the caller to apply through `History`, so it is undoable like any other change.

use crate::edit::{Edit, Transaction};
use crate::model::{Document, DocumentId, Entity, EntityId, Project, Span, SpanId};
use crate::search::kwic;
use crate::text::{acronym_definitions, sentences, tokenize};
use std::collections::{BTreeMap, HashMap, HashSet};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Error)]
pub enum KbError {
    #[error("no entity {0}")]
    NoEntity(EntityId),
    #[error("cannot merge entity {0} into itself")]
    SameEntity(EntityId),
    #[error("span {span} is not a mention of entity {entity}")]
    NotAMention { span: SpanId, entity: EntityId },
    #[error(
        "entities of different types cannot be merged ({keep} is {keep_type}, {absorb} is {absorb_type})"
    )]
    TypeMismatch {
        keep: EntityId,
        keep_type: String,
        absorb: EntityId,
        absorb_type: String,
    },
}

/// The form names are compared in: case-folded, whitespace collapsed, surrounding punctuation
/// trimmed, a leading "the" and a trailing possessive ('s, ’s) removed.
/// "The  CSTO’s" and "csto" normalise alike.
pub fn normalize_name(s: &str) -> String {
    let folded = s
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    let mut n = trim_punct(&folded);
    loop {
        let before = n.len();
        if let Some(rest) = n.strip_prefix("the ") {
            n = trim_punct(rest);
        }
        for suffix in ["'s", "’s", "'", "’"] {
            if let Some(rest) = n.strip_suffix(suffix) {
                n = trim_punct(rest);
            }
        }
        if n.len() == before {
            return n.to_string();
        }
    }
}

fn trim_punct(s: &str) -> &str {
    s.trim_matches(|c: char| {
        c.is_whitespace() || (c.is_ascii_punctuation() && c != '&') || "“”‘’«»–—…".contains(c)
    })
}

/// A surface form tidied for use as a name: whitespace collapsed, leading "the" and trailing
/// possessive removed, case kept ("the CSTO’s" -> "CSTO").
pub fn clean_surface(s: &str) -> String {
    let collapsed = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut n = trim_punct(&collapsed);
    loop {
        let before = n.len();
        if let (Some(head), Some(rest)) = (n.get(..4), n.get(4..))
            && head.eq_ignore_ascii_case("the ")
            && !rest.is_empty()
        {
            n = trim_punct(rest);
        }
        for suffix in ["'s", "’s", "'", "’"] {
            if let Some(rest) = n.strip_suffix(suffix) {
                n = trim_punct(rest);
            }
        }
        if n.len() == before {
            return n.to_string();
        }
    }
}

/// Every normalised name and alias of an entity.
fn entity_names(e: &Entity) -> impl Iterator<Item = String> + '_ {
    std::iter::once(e.name.as_str())
        .chain(e.aliases.iter().map(String::as_str))
        .map(normalize_name)
        .filter(|n| !n.is_empty())
}

/// (type, normalised name or alias) -> entity; the lowest id wins when several match.
fn name_index(project: &Project) -> HashMap<(String, String), EntityId> {
    let mut index = HashMap::new();
    for e in &project.entities {
        for n in entity_names(e) {
            index.entry((e.entity_type.clone(), n)).or_insert(e.id);
        }
    }
    index
}

/// The entity of this type whose name or an alias matches `text` after normalisation.
pub fn find_entity(project: &Project, text: &str, entity_type: &str) -> Option<EntityId> {
    let wanted = normalize_name(text);
    if wanted.is_empty() {
        return None;
    }
    project
        .entities
        .iter()
        .find(|e| e.entity_type == entity_type && entity_names(e).any(|n| n == wanted))
        .map(|e| e.id)
}

/// The auto-link rule, the same for every way a span comes to be (tagging, accepting a
/// suggestion, annotating search hits, a relation's new ends, imports): a new span without
/// a link joins the entity of its type whose name or alias its text matches after
/// normalisation (lowest id first), counting entities the transaction itself adds.
pub fn link_new_spans(project: &Project, tx: &mut Transaction) {
    let needs_links = tx.edits.iter().any(|e| match e {
        Edit::AddSpan { span, .. } => span.entity.is_none(),
        Edit::InsertDocument { document, .. } => document.spans.iter().any(|s| s.entity.is_none()),
        _ => false,
    });
    if !needs_links {
        return;
    }
    let mut index = name_index(project);
    // No entity to link to, before or during this transaction: nothing to look up (an
    // import into a project without entities would otherwise normalise every span's text).
    if index.is_empty() && !tx.edits.iter().any(|e| matches!(e, Edit::AddEntity(_))) {
        return;
    }
    let docs: HashMap<DocumentId, &Document> =
        project.documents.iter().map(|d| (d.id, &**d)).collect();
    let find = |index: &HashMap<(String, String), EntityId>, text: &str, ty: &str| {
        let n = normalize_name(text);
        if n.is_empty() {
            return None;
        }
        index.get(&(ty.to_string(), n)).copied()
    };
    for edit in &mut tx.edits {
        match edit {
            Edit::AddEntity(e) => {
                for n in entity_names(e) {
                    index.entry((e.entity_type.clone(), n)).or_insert(e.id);
                }
            }
            Edit::AddSpan { doc, span } if span.entity.is_none() => {
                if let Some(d) = docs.get(doc)
                    && span.end <= d.char_len()
                    && span.start < span.end
                {
                    span.entity = find(&index, d.slice(span.start, span.end), &span.entity_type);
                }
            }
            Edit::InsertDocument { document, .. } => {
                let found: Vec<(usize, EntityId)> = document
                    .spans
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| {
                        s.entity.is_none() && s.start < s.end && s.end <= document.char_len()
                    })
                    .filter_map(|(i, s)| {
                        find(&index, document.span_text(s), &s.entity_type).map(|e| (i, e))
                    })
                    .collect();
                if !found.is_empty() {
                    let document = std::sync::Arc::make_mut(document);
                    for (i, e) in found {
                        document.spans[i].entity = Some(e);
                    }
                }
            }
            _ => {}
        }
    }
}

/// Links a span to an entity.
pub fn link(doc: DocumentId, span: SpanId, entity: EntityId) -> Transaction {
    Transaction::single(
        "link mention",
        Edit::LinkSpan {
            doc,
            span,
            entity: Some(entity),
        },
    )
}

/// Removes a span's entity link.
pub fn unlink(doc: DocumentId, span: SpanId) -> Transaction {
    Transaction::single(
        "unlink mention",
        Edit::LinkSpan {
            doc,
            span,
            entity: None,
        },
    )
}

/// Acronym definitions of the whole project as normalised (short, long) pairs with their
/// surface forms, in document order, without repeats.
fn project_acronyms(project: &Project) -> Vec<(String, String, String, String)> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for d in &project.documents {
        for def in acronym_definitions(&d.text) {
            let (short, long) = (normalize_name(&def.short), normalize_name(&def.long));
            if seen.insert((short.clone(), long.clone())) {
                out.push((
                    short,
                    long,
                    clean_surface(&def.short),
                    clean_surface(&def.long),
                ));
            }
        }
    }
    out
}

/// Adds `alias` to `e` unless one of its names already normalises like it.
fn add_alias(e: &mut Entity, alias: &str) -> bool {
    let n = normalize_name(alias);
    if n.is_empty() || entity_names(e).any(|x| x == n) {
        return false;
    }
    e.aliases.push(alias.to_string());
    true
}

/// Types whose mentions `link_all` never turns into new entities: "Monday" or "ceasefire" in
/// two articles are rarely the same thing. Spans of these types still link to entities the
/// analyst created.
pub const GENERIC_TYPES: &[&str] = &["DATE", "QUANTITY", "EVENT", "ROLE"];

/// Links every unlinked span to the entity its text names (same type, after normalisation).
/// Spans with no matching entity are grouped by (type, normalised text) and each group gets a
/// new entity named after its most frequent surface form (except `GENERIC_TYPES`). Acronyms defined in the text
/// ("Collective Security Treaty Organization (CSTO)") join their long form's group or entity
/// and are recorded as aliases; a lone surname joins the only person whose full name ends
/// in it.
pub fn link_all(project: &Project) -> Transaction {
    let mut ids = project.ids();
    let mut tx = Transaction::new("link all mentions");
    let acronyms = project_acronyms(project);
    // Short form -> long form, both normalised; a short form defined two ways is ambiguous.
    let mut long_of: HashMap<String, Option<(String, String, String)>> = HashMap::new();
    for (short, long, short_surface, long_surface) in &acronyms {
        long_of
            .entry(short.clone())
            .and_modify(|v| {
                if v.as_ref().is_some_and(|(l, _, _)| l != long) {
                    *v = None;
                }
            })
            .or_insert_with(|| Some((long.clone(), short_surface.clone(), long_surface.clone())));
    }
    let canonical = |n: &str| -> String {
        match long_of.get(n) {
            Some(Some((long, _, _))) => long.clone(),
            _ => n.to_string(),
        }
    };
    let index = name_index(project);
    let lookup = |ty: &str, n: &str| -> Option<EntityId> {
        index
            .get(&(ty.to_string(), n.to_string()))
            .or_else(|| index.get(&(ty.to_string(), canonical(n))))
            .copied()
            .or_else(|| {
                // An entity known only by the short form of this long form.
                long_of.iter().find_map(|(short, v)| match v {
                    Some((long, _, _)) if long == n => {
                        index.get(&(ty.to_string(), short.clone())).copied()
                    }
                    _ => None,
                })
            })
    };

    let mut updated: BTreeMap<EntityId, Entity> = BTreeMap::new();
    let mut links = Vec::new();
    // (type, canonical name) -> surface forms (with first position) and spans.
    struct Group {
        surfaces: Vec<(String, usize)>,
        spans: Vec<(DocumentId, SpanId)>,
        names: HashSet<String>,
        aliases: Vec<String>,
    }
    let mut groups: BTreeMap<(String, String), Group> = BTreeMap::new();
    let mut order = 0usize;
    for d in &project.documents {
        for s in d.spans.iter().filter(|s| s.entity.is_none()) {
            let surface = d.span_text(s);
            let n = normalize_name(surface);
            if n.is_empty() {
                continue;
            }
            if let Some(id) = lookup(&s.entity_type, &n) {
                links.push((d.id, s.id, id));
                // A defined acronym met through an existing entity becomes its alias.
                if let Some(e) = project.entity(id) {
                    let e = updated.entry(id).or_insert_with(|| e.clone());
                    add_alias(e, &clean_surface(surface));
                }
                continue;
            }
            if GENERIC_TYPES.contains(&s.entity_type.as_str()) {
                continue;
            }
            let g = groups
                .entry((s.entity_type.to_string(), canonical(&n)))
                .or_insert_with(|| Group {
                    surfaces: Vec::new(),
                    spans: Vec::new(),
                    names: HashSet::new(),
                    aliases: Vec::new(),
                });
            g.surfaces.push((clean_surface(surface), order));
            g.names.insert(n);
            g.spans.push((d.id, s.id));
            order += 1;
        }
    }
    // A lone surname ("Volkova") joins the one full name ending in it ("Irina Volkova"), when
    // exactly one person in the project (new group or existing entity) has such a name.
    let lone: Vec<(String, String)> = groups
        .keys()
        .filter(|(ty, n)| ty == "PER" && !n.contains(' '))
        .cloned()
        .collect();
    for key in lone {
        let suffix = format!(" {}", key.1);
        let full_groups: Vec<(String, String)> = groups
            .keys()
            .filter(|(ty, n)| ty == "PER" && n.ends_with(&suffix))
            .cloned()
            .collect();
        let full_entities: Vec<&Entity> = project
            .entities
            .iter()
            .filter(|e| e.entity_type == "PER" && entity_names(e).any(|n| n.ends_with(&suffix)))
            .collect();
        match (full_groups.as_slice(), full_entities.as_slice()) {
            ([target], []) => {
                if let Some(g) = groups.remove(&key)
                    && let Some(t) = groups.get_mut(target)
                {
                    t.spans.extend(g.spans);
                    t.aliases.extend(most_frequent(&g.surfaces, |_| true));
                }
            }
            ([], [e]) => {
                if let Some(g) = groups.remove(&key) {
                    let entry = updated.entry(e.id).or_insert_with(|| (*e).clone());
                    if let Some(surname) = most_frequent(&g.surfaces, |_| true) {
                        add_alias(entry, &surname);
                    }
                    links.extend(g.spans.into_iter().map(|(d, s)| (d, s, e.id)));
                }
            }
            _ => {}
        }
    }
    // Keep only updates that really changed something.
    updated.retain(|id, e| project.entity(*id).is_some_and(|old| old != e));

    for ((ty, canon), g) in groups {
        let short_forms: HashSet<&str> = long_of
            .iter()
            .filter(|(_, v)| v.as_ref().is_some_and(|(l, _, _)| *l == canon))
            .map(|(s, _)| s.as_str())
            .collect();
        let name = most_frequent(&g.surfaces, |s| {
            !short_forms.contains(normalize_name(s).as_str())
        })
        .or_else(|| {
            // Only the acronym occurs: name the entity by its defined long form.
            long_of
                .values()
                .flatten()
                .find(|(l, _, _)| *l == canon)
                .map(|(_, _, ls)| ls.clone())
        })
        .or_else(|| most_frequent(&g.surfaces, |_| true))
        .unwrap_or_else(|| canon.clone());
        let id = ids.entity();
        let mut entity = Entity {
            id,
            name,
            entity_type: ty,
            aliases: Vec::new(),
            references: Vec::new(),
            note: String::new(),
            made: None,
        };
        for surface in g.surfaces.iter().map(|(s, _)| s).chain(&g.aliases) {
            add_alias(&mut entity, surface);
        }
        for (short, v) in &long_of {
            if let Some((long, short_surface, _)) = v
                && *long == canon
                && (g.names.contains(short) || g.names.contains(long))
            {
                add_alias(&mut entity, short_surface);
            }
        }
        tx.push(Edit::AddEntity(entity));
        for (doc, span) in g.spans {
            links.push((doc, span, id));
        }
    }
    for e in updated.into_values() {
        tx.push(Edit::UpdateEntity(e));
    }
    for (doc, span, entity) in links {
        tx.push(Edit::LinkSpan {
            doc,
            span,
            entity: Some(entity),
        });
    }
    tx
}

/// The most frequent surface form passing `keep`; ties go to the earliest.
fn most_frequent(surfaces: &[(String, usize)], keep: impl Fn(&str) -> bool) -> Option<String> {
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    for (s, order) in surfaces.iter().filter(|(s, _)| !s.is_empty() && keep(s)) {
        let c = counts.entry(s.as_str()).or_insert((0, *order));
        c.0 += 1;
    }
    counts
        .into_iter()
        .max_by_key(|(_, (count, first))| (*count, std::cmp::Reverse(*first)))
        .map(|(s, _)| s.to_string())
}

/// Merges `absorb` into `keep`: every mention of `absorb` links to `keep`, `absorb`'s name
/// and aliases become aliases of `keep`, and `absorb` is removed.
pub fn merge_entities(
    project: &Project,
    keep: EntityId,
    absorb: EntityId,
) -> Result<Transaction, KbError> {
    if keep == absorb {
        return Err(KbError::SameEntity(keep));
    }
    let k = project.entity(keep).ok_or(KbError::NoEntity(keep))?;
    let a = project.entity(absorb).ok_or(KbError::NoEntity(absorb))?;
    if k.entity_type != a.entity_type {
        return Err(KbError::TypeMismatch {
            keep,
            keep_type: k.entity_type.clone(),
            absorb,
            absorb_type: a.entity_type.clone(),
        });
    }
    let mut tx = Transaction::new(format!("merge {} into {}", a.name, k.name));
    for (d, s) in project.mentions_of(absorb) {
        tx.push(Edit::LinkSpan {
            doc: d.id,
            span: s.id,
            entity: Some(keep),
        });
    }
    let mut merged = k.clone();
    for name in std::iter::once(&a.name).chain(&a.aliases) {
        add_alias(&mut merged, name);
    }
    if !a.note.is_empty() && !merged.note.contains(&a.note) {
        if !merged.note.is_empty() {
            merged.note.push('\n');
        }
        merged.note.push_str(&a.note);
    }
    if merged != *k {
        tx.push(Edit::UpdateEntity(merged));
    }
    tx.push(Edit::RemoveEntity(absorb));
    Ok(tx)
}

/// Moves some mentions of `entity` to a new entity of the same type called `new_name`.
pub fn split_entity(
    project: &Project,
    entity: EntityId,
    mentions: &[SpanId],
    new_name: &str,
) -> Result<Transaction, KbError> {
    let e = project.entity(entity).ok_or(KbError::NoEntity(entity))?;
    let entity_type = e.entity_type.clone();
    let mut links = Vec::new();
    for &span in mentions {
        match project.find_span(span) {
            Some((d, s)) if s.entity == Some(entity) => links.push((d.id, span)),
            _ => return Err(KbError::NotAMention { span, entity }),
        }
    }
    let id = project.ids().entity();
    let mut tx = Transaction::new(format!("split {new_name} off"));
    tx.push(Edit::AddEntity(Entity {
        id,
        name: new_name.to_string(),
        entity_type,
        aliases: Vec::new(),
        references: Vec::new(),
        note: String::new(),
        made: None,
    }));
    for (doc, span) in links {
        tx.push(Edit::LinkSpan {
            doc,
            span,
            entity: Some(id),
        });
    }
    Ok(tx)
}

/// Aliases worth adding, from acronyms defined in the texts: an entity known by one form of
/// a definition gets the other. Each (entity, alias) appears once.
pub fn propose_aliases(project: &Project) -> Vec<(EntityId, String)> {
    let mut by_name: HashMap<String, Vec<&Entity>> = HashMap::new();
    for e in &project.entities {
        for n in entity_names(e).collect::<HashSet<_>>() {
            by_name.entry(n).or_default().push(e);
        }
    }
    let mut out: Vec<(EntityId, String)> = Vec::new();
    for (short, long, short_surface, long_surface) in project_acronyms(project) {
        for (have, other, other_surface) in [
            (&long, &short, &short_surface),
            (&short, &long, &long_surface),
        ] {
            for e in by_name.get(have).into_iter().flatten() {
                let known = entity_names(e).any(|n| n == *other);
                if !known
                    && !out
                        .iter()
                        .any(|(id, a)| *id == e.id && normalize_name(a) == *other)
                {
                    out.push((e.id, other_surface.clone()));
                }
            }
        }
    }
    out
}

/// A row of the entity table.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityRow {
    pub id: EntityId,
    pub name: String,
    pub entity_type: String,
    pub aliases: Vec<String>,
    /// Linked spans.
    pub mentions: usize,
    /// Documents with at least one linked span.
    pub documents: usize,
}

/// One row per entity, in id order, with mention and document counts.
pub fn entity_table(project: &Project) -> Vec<EntityRow> {
    let mut counts: HashMap<EntityId, (usize, usize)> = HashMap::new();
    for d in &project.documents {
        let mut in_doc = HashSet::new();
        for e in d.spans.iter().filter_map(|s| s.entity) {
            let c = counts.entry(e).or_default();
            c.0 += 1;
            if in_doc.insert(e) {
                c.1 += 1;
            }
        }
    }
    project
        .entities
        .iter()
        .map(|e| {
            let (mentions, documents) = counts.get(&e.id).copied().unwrap_or_default();
            EntityRow {
                id: e.id,
                name: e.name.clone(),
                entity_type: e.entity_type.clone(),
                aliases: e.aliases.clone(),
                mentions,
                documents,
            }
        })
        .collect()
}

/// A mention in context (keyword in context) for the entity panel.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    pub doc: DocumentId,
    pub span: SpanId,
    /// Char range of the sentence holding the mention.
    pub sentence_start: usize,
    pub sentence_end: usize,
    /// Up to `search::CONTEXT_CHARS` chars before the mention, on one line.
    pub left: String,
    pub hit: String,
    /// Up to `search::CONTEXT_CHARS` chars after the mention, on one line.
    pub right: String,
}

/// Every mention of an entity with its context, in document order.
pub fn mentions_with_context(project: &Project, entity: EntityId) -> Vec<Mention> {
    let mut out = Vec::new();
    for d in &project.documents {
        let spans: Vec<&Span> = d
            .spans
            .iter()
            .filter(|s| s.entity == Some(entity))
            .collect();
        if spans.is_empty() {
            continue;
        }
        let bounds = sentence_bounds(d);
        for s in spans {
            let (sentence_start, sentence_end) = enclosing(&bounds, s.start, s.end);
            let (left, hit, right) = kwic(d, s.start, s.end);
            out.push(Mention {
                doc: d.id,
                span: s.id,
                sentence_start,
                sentence_end,
                left,
                hit,
                right,
            });
        }
    }
    out
}

/// Char ranges of a document's sentences.
pub(crate) fn sentence_bounds(d: &Document) -> Vec<(usize, usize)> {
    let tokens = tokenize(&d.text);
    sentences(&d.text, &tokens)
        .into_iter()
        .map(|s| (s.start, s.end))
        .collect()
}

/// The range from the sentence holding `start` to the sentence holding `end - 1`; the span's
/// own range when it lies outside every sentence.
pub(crate) fn enclosing(bounds: &[(usize, usize)], start: usize, end: usize) -> (usize, usize) {
    let first = bounds.partition_point(|&(_, e)| e <= start);
    let last = bounds.partition_point(|&(s, _)| s < end);
    if first >= last {
        return (start, end);
    }
    (bounds[first].0.min(start), bounds[last - 1].1.max(end))
}

#[cfg(test)]
mod tests;
