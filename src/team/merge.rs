//! Three-way merge of projects, object by object (git's merge driver: BASE, OURS, THEIRS).
//!
//! Documents are matched by content hash, everything inside them by id where the id comes
//! from BASE (both sides inherited it) and by content where both sides made something new
//! (a span by offsets and type, a relation by its ends and type, an entity by name and
//! type). Both sides allocate ids from the same counter, so THEIRS' new ids that OURS also
//! uses are renumbered above every counter, with the references to them fixed.
//!
//! Each field merges on its own: one side retypes a span while the other links it to an
//! entity, and both changes are kept. A field both sides changed differently, or an object
//! one side deleted while the other changed it, is a conflict: the project keeps OURS' value
//! (the changed object, for a deletion) and records a `Conflict`, so it still opens.

use super::TeamError;
use crate::model::{
    Conflict, Document, DocumentId, DocumentMetadata, Entity, EntityId, EntityType, IdAllocator,
    Project, Relation, RelationId, RelationType, Span, SpanId,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hash};
use std::sync::Arc;

/// The result of a merge.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The merged project; `project.conflicts` lists every unsettled conflict.
    pub project: Project,
    /// The conflicts this merge found.
    pub conflicts: Vec<Conflict>,
    /// How many of THEIRS' new ids were renumbered because OURS uses them too.
    pub renumbered: usize,
}

impl Merged {
    pub fn is_clean(&self) -> bool {
        self.conflicts.is_empty()
    }

    /// One line for the terminal.
    pub fn summary(&self) -> String {
        let p = &self.project;
        use crate::text::count;
        format!(
            "merged: {}, {}, {}, {}; {} renumbered; {}",
            count(p.documents.len(), "document", "documents"),
            count(p.span_count(), "span", "spans"),
            count(p.relation_count(), "relation", "relations"),
            count(p.entities.len(), "entity", "entities"),
            count(self.renumbered, "id", "ids"),
            count(self.conflicts.len(), "conflict", "conflicts")
        )
    }
}

/// Merges THEIRS' changes since BASE into OURS. An empty BASE (no common ancestor) is
/// `Project::new` with an empty schema: everything is then new on both sides.
pub fn merge(base: &Project, ours: &Project, theirs: &Project) -> Result<Merged, TeamError> {
    let mut m = Merger::new(base, ours, theirs);
    let mut project = ours.clone();
    project.schema = m.schema();
    project.entities = m.entities();
    project.documents = m.documents();
    project.decisions = set_merge(
        &base.decisions,
        &ours.decisions,
        &theirs
            .decisions
            .iter()
            .map(|d| {
                let mut d = d.clone();
                d.document = m.doc_id(d.document);
                d
            })
            .collect::<Vec<_>>(),
    );
    project.relation_decisions = set_merge(
        &base.relation_decisions,
        &ours.relation_decisions,
        &theirs
            .relation_decisions
            .iter()
            .map(|d| {
                let mut d = d.clone();
                d.document = m.doc_id(d.document);
                d
            })
            .collect::<Vec<_>>(),
    );
    let docs: HashSet<DocumentId> = project.documents.iter().map(|d| d.id).collect();
    project.decisions.retain(|d| docs.contains(&d.document));
    project
        .relation_decisions
        .retain(|d| docs.contains(&d.document));
    // The same decision taken on both sides (by different people, at different times) once.
    project.decisions.sort();
    project.decisions.dedup_by(|a, b| {
        (a.document, a.start, a.end, &a.entity_type, a.verdict)
            == (b.document, b.start, b.end, &b.entity_type, b.verdict)
    });
    project.relation_decisions.sort();
    project.relation_decisions.dedup_by(|a, b| {
        (
            a.document,
            &a.relation_type,
            &a.source,
            &a.target,
            a.verdict,
        ) == (
            b.document,
            &b.relation_type,
            &b.source,
            &b.target,
            b.verdict,
        )
    });
    m.fix_entity_links(&mut project);
    m.restore_used_types(&mut project);
    let mut conflicts = set_merge(&base.conflicts, &ours.conflicts, &theirs.conflicts);
    conflicts.extend(m.conflicts.iter().cloned());
    conflicts.dedup();
    project.conflicts = conflicts;
    m.counters(&mut project)?;
    project.revision = ours.revision.wrapping_add(1);
    project.normalize_order();
    project.validate()?;
    Ok(Merged {
        project,
        conflicts: m.conflicts,
        renumbered: m.renumbered,
    })
}

/// The three-way choice of one value: `None` when both sides changed it differently.
fn pick<T: PartialEq + Clone>(base: &T, ours: &T, theirs: &T) -> Option<T> {
    if ours == theirs || theirs == base {
        Some(ours.clone())
    } else if ours == base {
        Some(theirs.clone())
    } else {
        None
    }
}

/// A set-like list merged three ways: what either side added is in, what either side
/// removed is out. OURS' order first, then THEIRS' additions.
fn set_merge<T: PartialEq + Eq + Hash + Clone>(base: &[T], ours: &[T], theirs: &[T]) -> Vec<T> {
    let base_set: HashSet<&T> = base.iter().collect();
    let ours_set: HashSet<&T> = ours.iter().collect();
    let theirs_set: HashSet<&T> = theirs.iter().collect();
    let mut out: Vec<T> = ours
        .iter()
        .filter(|x| theirs_set.contains(x) || !base_set.contains(x))
        .cloned()
        .collect();
    let mut seen: HashSet<T> = out.iter().cloned().collect();
    for x in theirs {
        if !ours_set.contains(x) && !base_set.contains(x) && seen.insert(x.clone()) {
            out.push(x.clone());
        }
    }
    out
}

/// The key a document is matched by: its content hash (its id when it has none).
fn doc_key(d: &Document) -> String {
    if d.content_hash.is_empty() {
        format!("#{}", d.id.0)
    } else {
        d.content_hash.clone()
    }
}

fn describe_span(doc: &Document, s: &Span) -> String {
    let text = if s.start < s.end && s.end <= doc.char_len() {
        doc.slice(s.start, s.end)
    } else {
        ""
    };
    let mut out = format!("{}..{} {} \"{}\"", s.start, s.end, s.entity_type, text);
    if let Some(e) = s.entity {
        out.push_str(&format!(" -> {e}"));
    }
    if !s.note.is_empty() {
        out.push_str(&format!(" note \"{}\"", s.note));
    }
    out
}

fn describe_relation(r: &Relation) -> String {
    let mut out = format!("{} {} -> {}", r.relation_type, r.source, r.target);
    if !r.note.is_empty() {
        out.push_str(&format!(" note \"{}\"", r.note));
    }
    out
}

fn describe_entity(e: &Entity) -> String {
    let mut out = format!("\"{}\" {}", e.name, e.entity_type);
    if !e.aliases.is_empty() {
        out.push_str(&format!(" aka {}", e.aliases.join(", ")));
    }
    if !e.note.is_empty() {
        out.push_str(&format!(" note \"{}\"", e.note));
    }
    out
}

const DELETED: &str = "deleted";

/// A hasher for ids (which are not attacker-chosen here: both projects are the analysts'
/// own): one multiplication instead of SipHash, for the set of every id of two projects.
#[derive(Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(*b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, id: u64) {
        // Fibonacci hashing; the high bits (author block) and low bits (counter) both mix.
        self.0 = (id ^ (id >> 32)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

struct Merger<'a> {
    base: &'a Project,
    ours: &'a Project,
    theirs: &'a Project,
    /// Ids OURS or BASE use, and every id given to a THEIRS object so far.
    taken: HashSet<u64, BuildHasherDefault<IdHasher>>,
    fresh: IdAllocator,
    conflicts: Vec<Conflict>,
    renumbered: usize,
    /// THEIRS' entity ids -> merged ids (absent: unchanged).
    entity_map: HashMap<EntityId, EntityId>,
    /// THEIRS' document ids -> merged ids (absent: unchanged).
    doc_map: HashMap<DocumentId, DocumentId>,
}

impl<'a> Merger<'a> {
    fn new(base: &'a Project, ours: &'a Project, theirs: &'a Project) -> Merger<'a> {
        let mut taken = HashSet::with_capacity_and_hasher(
            2 * (ours.span_count() + ours.relation_count() + ours.documents.len()),
            BuildHasherDefault::<IdHasher>::default(),
        );
        for p in [base, ours] {
            taken.extend(p.entities.iter().map(|e| e.id.0));
            for d in &p.documents {
                taken.insert(d.id.0);
                taken.extend(d.spans.iter().map(|s| s.id.0));
                taken.extend(d.relations.iter().map(|r| r.id.0));
            }
        }
        let start = base.next_id.max(ours.next_id).max(theirs.next_id);
        Merger {
            base,
            ours,
            theirs,
            taken,
            fresh: IdAllocator::starting_at(start),
            conflicts: Vec::new(),
            renumbered: 0,
            entity_map: HashMap::new(),
            doc_map: HashMap::new(),
        }
    }

    /// The merged id of a THEIRS object that BASE does not have: its own id unless OURS
    /// (or an earlier THEIRS object) already uses it, else a fresh one above every counter.
    fn assign(&mut self, theirs_id: u64) -> u64 {
        if self.taken.insert(theirs_id) {
            return theirs_id;
        }
        self.renumbered += 1;
        loop {
            let id = self.fresh.span().0;
            if self.taken.insert(id) {
                return id;
            }
        }
    }

    fn doc_id(&self, theirs: DocumentId) -> DocumentId {
        self.doc_map.get(&theirs).copied().unwrap_or(theirs)
    }

    fn entity_id(&self, theirs: EntityId) -> EntityId {
        self.entity_map.get(&theirs).copied().unwrap_or(theirs)
    }

    fn conflict(
        &mut self,
        object: String,
        document: Option<DocumentId>,
        what: &str,
        ours: String,
        theirs: String,
    ) {
        self.conflicts.push(Conflict {
            object,
            document,
            what: what.to_string(),
            ours,
            theirs,
        });
    }

    /// Sets the merged project's counters: every side's counters and author blocks, moved
    /// past every id the merge gave out.
    fn counters(&mut self, project: &mut Project) -> Result<(), TeamError> {
        project.next_id = self
            .fresh
            .next()
            .max(self.base.next_id)
            .max(self.ours.next_id)
            .max(self.theirs.next_id);
        project.id_blocks = self.base.id_blocks.clone();
        for side in [self.ours, self.theirs] {
            for (&block, &counter) in &side.id_blocks {
                let c = project.id_blocks.entry(block).or_insert(0);
                *c = (*c).max(counter);
            }
        }
        project.recount_ids()?;
        Ok(())
    }

    // ---- schema ------------------------------------------------------------------------

    fn schema(&mut self) -> crate::model::Schema {
        let (base, ours, theirs) = (self.base, self.ours, self.theirs);
        let mut schema = ours.schema.clone();
        schema.entity_types = self.typed_list(
            &base.schema.entity_types,
            &ours.schema.entity_types,
            &theirs.schema.entity_types,
            |t: &EntityType| t.id.clone(),
            "entity type",
        );
        schema.relation_types = self.typed_list(
            &base.schema.relation_types,
            &ours.schema.relation_types,
            &theirs.schema.relation_types,
            |t: &RelationType| t.id.clone(),
            "relation type",
        );
        let (b, o, t) = (
            &base.schema.knowledge_types,
            &ours.schema.knowledge_types,
            &theirs.schema.knowledge_types,
        );
        let mut knowledge = BTreeMap::new();
        let keys: std::collections::BTreeSet<&String> =
            b.keys().chain(o.keys()).chain(t.keys()).collect();
        for key in keys {
            let (bv, ov, tv) = (b.get(key), o.get(key), t.get(key));
            let chosen = match pick(&bv, &ov, &tv) {
                Some(v) => v,
                None => {
                    self.conflict(
                        format!("knowledge type {key}"),
                        None,
                        "both sides mapped the knowledge class differently",
                        ov.cloned().unwrap_or_else(|| DELETED.into()),
                        tv.cloned().unwrap_or_else(|| DELETED.into()),
                    );
                    ov
                }
            };
            if let Some(v) = chosen {
                knowledge.insert(key.clone(), v.clone());
            }
        }
        schema.knowledge_types = knowledge;
        schema
    }

    /// A list of schema types merged by id, whole types compared.
    fn typed_list<T: PartialEq + Clone + std::fmt::Debug>(
        &mut self,
        base: &[T],
        ours: &[T],
        theirs: &[T],
        id: impl Fn(&T) -> String,
        kind: &str,
    ) -> Vec<T> {
        let find = |list: &[T], key: &str| list.iter().find(|t| id(t) == key).cloned();
        let mut out = Vec::new();
        for o in ours {
            let key = id(o);
            let b = find(base, &key);
            let t = find(theirs, &key);
            match (&b, &t) {
                (Some(b), None) if b == o => {} // THEIRS removed it
                (_, Some(t)) => match pick(&b.clone().unwrap_or_else(|| o.clone()), o, t) {
                    Some(v) if b.is_some() || o == t => out.push(v),
                    _ => {
                        self.conflict(
                            format!("{kind} {key}"),
                            None,
                            "both sides changed the type differently",
                            format!("{o:?}"),
                            format!("{t:?}"),
                        );
                        out.push(o.clone());
                    }
                },
                (Some(_), None) => {
                    self.conflict(
                        format!("{kind} {key}"),
                        None,
                        "THEIRS removed the type, OURS changed it",
                        format!("{o:?}"),
                        DELETED.into(),
                    );
                    out.push(o.clone());
                }
                (None, None) => out.push(o.clone()),
            }
        }
        for t in theirs {
            let key = id(t);
            if find(ours, &key).is_some() {
                continue;
            }
            match find(base, &key) {
                None => out.push(t.clone()),
                Some(b) if &b == t => {} // OURS removed it
                Some(_) => {
                    self.conflict(
                        format!("{kind} {key}"),
                        None,
                        "OURS removed the type, THEIRS changed it",
                        DELETED.into(),
                        format!("{t:?}"),
                    );
                    out.push(t.clone());
                }
            }
        }
        out
    }

    /// Types a merged span, relation or entity uses but the merged schema lost (one side
    /// removed a type the other used): put back, as a conflict.
    fn restore_used_types(&mut self, project: &mut Project) {
        let sides = [self.ours, self.theirs, self.base];
        // Sets of borrowed names: a large project has hundreds of thousands of spans.
        let used: std::collections::BTreeSet<String> = {
            let mut names: HashSet<&str> = project
                .entities
                .iter()
                .map(|e| e.entity_type.as_str())
                .collect();
            for d in &project.documents {
                names.extend(d.spans.iter().map(|s| s.entity_type.as_str()));
            }
            names.into_iter().map(str::to_string).collect()
        };
        for ty in used {
            if project.schema.entity_type(&ty).is_some() {
                continue;
            }
            let def = sides
                .iter()
                .find_map(|p| p.schema.entity_type(&ty).cloned());
            if let Some(def) = def {
                self.conflict(
                    format!("entity type {ty}"),
                    None,
                    "one side removed the type while the other still uses it; kept",
                    format!("{def:?}"),
                    DELETED.into(),
                );
                project.schema.entity_types.push(def);
            }
        }
        let used: std::collections::BTreeSet<String> = project
            .documents
            .iter()
            .flat_map(|d| d.relations.iter().map(|r| r.relation_type.as_str()))
            .collect::<HashSet<&str>>()
            .into_iter()
            .map(str::to_string)
            .collect();
        for ty in used {
            if project.schema.relation_type(&ty).is_some() {
                continue;
            }
            let def = sides
                .iter()
                .find_map(|p| p.schema.relation_type(&ty).cloned());
            if let Some(def) = def {
                self.conflict(
                    format!("relation type {ty}"),
                    None,
                    "one side removed the type while the other still uses it; kept",
                    format!("{def:?}"),
                    DELETED.into(),
                );
                project.schema.relation_types.push(def);
            }
        }
    }

    // ---- entities ----------------------------------------------------------------------

    fn entities(&mut self) -> Vec<Entity> {
        let (base_p, ours_p, theirs_p) = (self.base, self.ours, self.theirs);
        let base: HashMap<EntityId, &Entity> = base_p.entities.iter().map(|e| (e.id, e)).collect();
        let theirs: HashMap<EntityId, &Entity> =
            theirs_p.entities.iter().map(|e| (e.id, e)).collect();
        let ours_ids: HashSet<EntityId> = ours_p.entities.iter().map(|e| e.id).collect();
        let mut out = Vec::new();
        for o in &ours_p.entities {
            match (base.get(&o.id), theirs.get(&o.id)) {
                (Some(b), Some(t)) => out.push(self.merge_entity(b, o, t)),
                (Some(b), None) => {
                    if *b != o {
                        self.conflict(
                            o.id.to_string(),
                            None,
                            "THEIRS deleted the entity, OURS changed it; kept",
                            describe_entity(o),
                            DELETED.into(),
                        );
                        out.push(o.clone());
                    }
                }
                // New in OURS (a THEIRS entity with the same id is another one: renumbered).
                (None, _) => out.push(o.clone()),
            }
        }
        for t in &theirs_p.entities {
            match base.get(&t.id) {
                Some(b) => {
                    if ours_ids.contains(&t.id) {
                        continue;
                    }
                    if *b != t {
                        self.conflict(
                            t.id.to_string(),
                            None,
                            "OURS deleted the entity, THEIRS changed it; kept",
                            DELETED.into(),
                            describe_entity(t),
                        );
                        out.push(t.clone());
                    }
                }
                None => {
                    let same = out
                        .iter()
                        .position(|e| e.name == t.name && e.entity_type == t.entity_type);
                    if let Some(i) = same {
                        self.entity_map.insert(t.id, out[i].id);
                        for alias in &t.aliases {
                            if !out[i].aliases.contains(alias) {
                                out[i].aliases.push(alias.clone());
                            }
                        }
                    } else {
                        let id = EntityId(self.assign(t.id.0));
                        if id != t.id {
                            self.entity_map.insert(t.id, id);
                        }
                        let mut e = t.clone();
                        e.id = id;
                        out.push(e);
                    }
                }
            }
        }
        out
    }

    fn merge_entity(&mut self, b: &Entity, o: &Entity, t: &Entity) -> Entity {
        let mut e = o.clone();
        let mut clash = Vec::new();
        match pick(&b.name, &o.name, &t.name) {
            Some(v) => e.name = v,
            None => clash.push("name"),
        }
        match pick(&b.entity_type, &o.entity_type, &t.entity_type) {
            Some(v) => e.entity_type = v,
            None => clash.push("type"),
        }
        match pick(&b.note, &o.note, &t.note) {
            Some(v) => e.note = v,
            None => clash.push("note"),
        }
        e.aliases = set_merge(&b.aliases, &o.aliases, &t.aliases);
        if !clash.is_empty() {
            self.conflict(
                o.id.to_string(),
                None,
                &format!("both sides changed the entity's {}", clash.join(" and ")),
                describe_entity(o),
                describe_entity(t),
            );
        }
        e
    }

    /// Spans linked to an entity the merge no longer has: one side merged it into another
    /// (its old mentions now link there), so the other side's links follow; else unlinked.
    fn fix_entity_links(&mut self, project: &mut Project) {
        let present: HashSet<EntityId> = project.entities.iter().map(|e| e.id).collect();
        let dangles = |d: &Document| {
            d.spans
                .iter()
                .any(|s| s.entity.is_some_and(|e| !present.contains(&e)))
        };
        // The usual case (no entity went away): nothing to look up.
        if !project.documents.iter().any(|d| dangles(d)) {
            return;
        }
        let mut redirect: HashMap<EntityId, EntityId> = HashMap::new();
        let base = self.base;
        for side in [self.ours, self.theirs] {
            for bd in &base.documents {
                let Some(sd) = side.document(bd.id) else {
                    continue;
                };
                for bs in &bd.spans {
                    let (Some(old), Some(now)) = (bs.entity, sd.span(bs.id).and_then(|s| s.entity))
                    else {
                        continue;
                    };
                    if old != now && !present.contains(&old) {
                        let now = if std::ptr::eq(side, self.theirs) {
                            self.entity_id(now)
                        } else {
                            now
                        };
                        redirect.entry(old).or_insert(now);
                    }
                }
            }
        }
        for doc in &mut project.documents {
            if !dangles(doc) {
                continue;
            }
            let doc = Arc::make_mut(doc);
            for s in &mut doc.spans {
                let Some(mut e) = s.entity else { continue };
                let mut hops = 0;
                while !present.contains(&e) && hops < 16 {
                    match redirect.get(&e) {
                        Some(next) => e = *next,
                        None => break,
                    }
                    hops += 1;
                }
                s.entity = present.contains(&e).then_some(e);
            }
        }
    }

    // ---- documents ---------------------------------------------------------------------

    fn documents(&mut self) -> Vec<Arc<Document>> {
        let (base_p, ours_p, theirs_p) = (self.base, self.ours, self.theirs);
        let base: HashMap<String, &Arc<Document>> =
            base_p.documents.iter().map(|d| (doc_key(d), d)).collect();
        let theirs: HashMap<String, &Arc<Document>> =
            theirs_p.documents.iter().map(|d| (doc_key(d), d)).collect();
        let ours_keys: HashSet<String> = ours_p.documents.iter().map(|d| doc_key(d)).collect();
        let mut out = Vec::new();
        for o in &ours_p.documents {
            let key = doc_key(o);
            let b = base.get(&key).copied();
            match theirs.get(&key).copied() {
                Some(t) => {
                    if t.id != o.id {
                        self.doc_map.insert(t.id, o.id);
                    }
                    if Arc::ptr_eq(o, t) || **o == **t {
                        out.push(o.clone());
                    } else {
                        out.push(Arc::new(self.merge_document(b.map(|d| &**d), o, t)));
                    }
                }
                None => match b {
                    Some(b) if **b == **o => {} // THEIRS deleted it
                    Some(_) => {
                        self.conflict(
                            o.id.to_string(),
                            Some(o.id),
                            "THEIRS deleted the document, OURS changed it; kept",
                            format!("\"{}\" changed", o.title),
                            DELETED.into(),
                        );
                        out.push(o.clone());
                    }
                    None => out.push(o.clone()),
                },
            }
        }
        for t in &theirs_p.documents {
            let key = doc_key(t);
            if ours_keys.contains(&key) {
                continue;
            }
            match base.get(&key).copied() {
                Some(b) if **b == **t => {} // OURS deleted it
                Some(b) => {
                    self.conflict(
                        t.id.to_string(),
                        Some(t.id),
                        "OURS deleted the document, THEIRS changed it; kept",
                        DELETED.into(),
                        format!("\"{}\" changed", t.title),
                    );
                    // Merged against BASE as OURS: THEIRS' changes all apply.
                    out.push(Arc::new(self.merge_document(Some(b), b, t)));
                }
                None => {
                    let id = DocumentId(self.assign(t.id.0));
                    if id != t.id {
                        self.doc_map.insert(t.id, id);
                    }
                    let mut empty = Document::clone(t);
                    empty.id = id;
                    empty.spans.clear();
                    empty.relations.clear();
                    out.push(Arc::new(self.merge_document(None, &empty, t)));
                }
            }
        }
        out
    }

    /// Document details three ways, field by field (`extra` key by key): a change on one
    /// side is taken; both changing one field differently keeps OURS and lists a conflict.
    fn merge_metadata(
        &mut self,
        doc: DocumentId,
        b: &DocumentMetadata,
        o: &DocumentMetadata,
        t: &DocumentMetadata,
    ) -> DocumentMetadata {
        let mut out = o.clone();
        out.date = self.merge_detail(doc, "date", &b.date, &o.date, &t.date);
        out.author = self.merge_detail(doc, "author", &b.author, &o.author, &t.author);
        out.source = self.merge_detail(doc, "source", &b.source, &o.source, &t.source);
        out.url = self.merge_detail(doc, "url", &b.url, &o.url, &t.url);
        out.language = self.merge_detail(doc, "language", &b.language, &o.language, &t.language);
        out.note = self.merge_detail(doc, "note", &b.note, &o.note, &t.note);
        let keys: std::collections::BTreeSet<&String> = b
            .extra
            .keys()
            .chain(o.extra.keys())
            .chain(t.extra.keys())
            .collect();
        let mut extra = BTreeMap::new();
        for key in keys {
            let (bv, ov, tv) = (
                b.extra.get(key).cloned(),
                o.extra.get(key).cloned(),
                t.extra.get(key).cloned(),
            );
            if let Some(v) = self.merge_detail(doc, key, &bv, &ov, &tv) {
                extra.insert(key.clone(), v);
            }
        }
        out.extra = extra;
        if let Some(pages) = pick(&b.pages, &o.pages, &t.pages) {
            out.pages = pages;
        }
        out
    }

    /// One detail three ways; both sides changing it differently keeps OURS, as a conflict.
    fn merge_detail(
        &mut self,
        doc: DocumentId,
        name: &str,
        b: &Option<String>,
        o: &Option<String>,
        t: &Option<String>,
    ) -> Option<String> {
        match pick(b, o, t) {
            Some(v) => v,
            None => {
                let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| DELETED.into());
                self.conflict(
                    format!("{doc} {name}"),
                    Some(doc),
                    "both sides changed this document detail; OURS kept",
                    shown(o),
                    shown(t),
                );
                o.clone()
            }
        }
    }

    /// Merges one document both sides have (OURS' id, metadata three-way, annotations by id
    /// and content).
    fn merge_document(&mut self, b: Option<&Document>, o: &Document, t: &Document) -> Document {
        let mut doc = o.clone();
        if let Some(b) = b {
            if let Some(v) = pick(&b.title, &o.title, &t.title) {
                doc.title = v;
            }
            if let Some(v) = pick(&b.source, &o.source, &t.source) {
                doc.source = v;
            }
            if let Some(v) = pick(&b.status, &o.status, &t.status) {
                doc.status = v;
            }
            doc.metadata = self.merge_metadata(o.id, &b.metadata, &o.metadata, &t.metadata);
        }
        let doc_id = o.id;
        let empty: Vec<Span> = Vec::new();
        let base_spans: HashMap<SpanId, &Span> = b
            .map_or(&empty, |b| &b.spans)
            .iter()
            .map(|s| (s.id, s))
            .collect();
        let theirs_spans: HashMap<SpanId, Span> = t
            .spans
            .iter()
            .map(|s| {
                let mut s = s.clone();
                s.entity = s.entity.map(|e| self.entity_id(e));
                (s.id, s)
            })
            .collect();
        let ours_ids: HashSet<SpanId> = o.spans.iter().map(|s| s.id).collect();
        let mut span_map: HashMap<SpanId, SpanId> = HashMap::new();
        let mut spans: Vec<Span> = Vec::new();
        for os in &o.spans {
            match (base_spans.get(&os.id), theirs_spans.get(&os.id)) {
                (Some(bs), Some(ts)) => spans.push(self.merge_span(o, bs, os, ts)),
                (Some(bs), None) => {
                    if *bs != os {
                        self.conflict(
                            os.id.to_string(),
                            Some(doc_id),
                            "THEIRS deleted the span, OURS changed it; kept",
                            describe_span(o, os),
                            DELETED.into(),
                        );
                        spans.push(os.clone());
                    }
                }
                (None, _) => spans.push(os.clone()),
            }
        }
        for ts in &t.spans {
            let Some(ts) = theirs_spans.get(&ts.id) else {
                continue;
            };
            match base_spans.get(&ts.id) {
                Some(bs) => {
                    if ours_ids.contains(&ts.id) {
                        continue;
                    }
                    if *bs != ts {
                        self.conflict(
                            ts.id.to_string(),
                            Some(doc_id),
                            "OURS deleted the span, THEIRS changed it; kept",
                            DELETED.into(),
                            describe_span(t, ts),
                        );
                        spans.push(ts.clone());
                    }
                }
                None => {
                    let same = spans.iter().position(|s| {
                        s.start == ts.start && s.end == ts.end && s.entity_type == ts.entity_type
                    });
                    if let Some(i) = same {
                        span_map.insert(ts.id, spans[i].id);
                        if spans[i].entity.is_none() {
                            spans[i].entity = ts.entity;
                        }
                    } else {
                        let id = SpanId(self.assign(ts.id.0));
                        if id != ts.id {
                            span_map.insert(ts.id, id);
                        }
                        let mut s = ts.clone();
                        s.id = id;
                        spans.push(s);
                    }
                }
            }
        }

        // Relations: THEIRS' ends through the span map first.
        let empty: Vec<Relation> = Vec::new();
        let base_rels: HashMap<RelationId, &Relation> = b
            .map_or(&empty, |b| &b.relations)
            .iter()
            .map(|r| (r.id, r))
            .collect();
        let map_span = |id: SpanId| span_map.get(&id).copied().unwrap_or(id);
        let theirs_rels: Vec<Relation> = t
            .relations
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.source = map_span(r.source);
                r.target = map_span(r.target);
                r
            })
            .collect();
        let theirs_by_id: HashMap<RelationId, &Relation> =
            theirs_rels.iter().map(|r| (r.id, r)).collect();
        let ours_rel_ids: HashSet<RelationId> = o.relations.iter().map(|r| r.id).collect();
        let mut relations: Vec<Relation> = Vec::new();
        for or in &o.relations {
            match (base_rels.get(&or.id), theirs_by_id.get(&or.id)) {
                (Some(br), Some(tr)) => relations.push(self.merge_relation(doc_id, br, or, tr)),
                (Some(br), None) => {
                    if *br != or {
                        self.conflict(
                            or.id.to_string(),
                            Some(doc_id),
                            "THEIRS deleted the relation, OURS changed it; kept",
                            describe_relation(or),
                            DELETED.into(),
                        );
                        relations.push(or.clone());
                    }
                }
                (None, _) => relations.push(or.clone()),
            }
        }
        for tr in &theirs_rels {
            match base_rels.get(&tr.id) {
                Some(br) => {
                    if ours_rel_ids.contains(&tr.id) {
                        continue;
                    }
                    if *br != tr {
                        self.conflict(
                            tr.id.to_string(),
                            Some(doc_id),
                            "OURS deleted the relation, THEIRS changed it; kept",
                            DELETED.into(),
                            describe_relation(tr),
                        );
                        relations.push(tr.clone());
                    }
                }
                None => {
                    let same = relations.iter().any(|r| {
                        r.relation_type == tr.relation_type
                            && r.source == tr.source
                            && r.target == tr.target
                    });
                    if !same {
                        let mut r = tr.clone();
                        r.id = RelationId(self.assign(tr.id.0));
                        relations.push(r);
                    }
                }
            }
        }
        // A relation whose end one side deleted while the other added or changed the
        // relation cannot stay (the project would not open): dropped, as a conflict.
        let present: HashSet<SpanId> = spans.iter().map(|s| s.id).collect();
        let mut kept = Vec::with_capacity(relations.len());
        for r in relations {
            if present.contains(&r.source) && present.contains(&r.target) {
                kept.push(r);
            } else {
                self.conflict(
                    r.id.to_string(),
                    Some(doc_id),
                    "one side deleted an end of a relation the other side added or changed; relation dropped",
                    DELETED.into(),
                    describe_relation(&r),
                );
            }
        }
        doc.spans = spans;
        doc.relations = kept;
        doc
    }

    fn merge_span(&mut self, doc: &Document, b: &Span, o: &Span, t: &Span) -> Span {
        let mut s = o.clone();
        let mut clash = Vec::new();
        match pick(&(b.start, b.end), &(o.start, o.end), &(t.start, t.end)) {
            Some((start, end)) => (s.start, s.end) = (start, end),
            None => clash.push("offsets"),
        }
        match pick(&b.entity_type, &o.entity_type, &t.entity_type) {
            Some(v) => s.entity_type = v,
            None => clash.push("type"),
        }
        match pick(&b.entity, &o.entity, &t.entity) {
            Some(v) => s.entity = v,
            None => clash.push("entity link"),
        }
        match pick(&b.note, &o.note, &t.note) {
            Some(v) => s.note = v,
            None => clash.push("note"),
        }
        // Where it came from is bookkeeping, not a disagreement: OURS' wins a tie.
        s.origin = pick(&b.origin, &o.origin, &t.origin).unwrap_or_else(|| o.origin.clone());
        if !clash.is_empty() {
            self.conflict(
                o.id.to_string(),
                Some(doc.id),
                &format!("both sides changed the span's {}", clash.join(" and ")),
                describe_span(doc, o),
                describe_span(doc, t),
            );
        }
        s
    }

    fn merge_relation(
        &mut self,
        doc: DocumentId,
        b: &Relation,
        o: &Relation,
        t: &Relation,
    ) -> Relation {
        let mut r = o.clone();
        let mut clash = Vec::new();
        match pick(&b.relation_type, &o.relation_type, &t.relation_type) {
            Some(v) => r.relation_type = v,
            None => clash.push("type"),
        }
        match pick(
            &(b.source, b.target),
            &(o.source, o.target),
            &(t.source, t.target),
        ) {
            Some((source, target)) => (r.source, r.target) = (source, target),
            None => clash.push("ends"),
        }
        match pick(&b.note, &o.note, &t.note) {
            Some(v) => r.note = v,
            None => clash.push("note"),
        }
        r.origin = pick(&b.origin, &o.origin, &t.origin).unwrap_or_else(|| o.origin.clone());
        if !clash.is_empty() {
            self.conflict(
                o.id.to_string(),
                Some(doc),
                &format!("both sides changed the relation's {}", clash.join(" and ")),
                describe_relation(o),
                describe_relation(t),
            );
        }
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Span;

    const TEXT: &str = "Armenia and Azerbaijan met NATO officials in Brussels on Monday.";

    /// A project with one document: Armenia (GPE), Azerbaijan (GPE), NATO (ORG), and
    /// Azerbaijan opposes Armenia.
    fn base() -> Project {
        let mut p = Project::new("t");
        let id = p.new_document_id();
        let mut d = Document::new(id, "Talks", "a.txt", TEXT.to_string());
        for (start, end, ty) in [(0, 7, "GPE"), (12, 22, "GPE"), (27, 31, "ORG")] {
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
        p.validate().unwrap();
        p
    }

    fn doc(p: &mut Project) -> &mut Document {
        Arc::make_mut(&mut p.documents[0])
    }

    fn add_span(p: &mut Project, start: usize, end: usize, ty: &str) -> SpanId {
        let id = p.new_span_id();
        let d = doc(p);
        d.spans.push(Span::new(id, start, end, ty));
        d.spans.sort_by_key(|s| s.sort_key());
        id
    }

    fn types(p: &Project) -> Vec<(usize, usize, String)> {
        p.documents[0]
            .spans
            .iter()
            .map(|s| (s.start, s.end, s.entity_type.to_string()))
            .collect()
    }

    #[test]
    fn document_details_merge_field_by_field() {
        let b = base();
        let (mut o, mut t) = (b.clone(), b.clone());
        doc(&mut o).metadata.author = Some("A. Reporter".into());
        doc(&mut o).metadata.url = Some("https://ours.example".into());
        doc(&mut t).metadata.date = Some("2024-05-01".into());
        doc(&mut t).metadata.url = Some("https://theirs.example".into());
        doc(&mut t)
            .metadata
            .extra
            .insert("desk".into(), "Caucasus".into());
        let m = merge(&b, &o, &t).unwrap();
        let got = &m.project.documents[0].metadata;
        assert_eq!(
            got.author.as_deref(),
            Some("A. Reporter"),
            "OURS' change kept"
        );
        assert_eq!(
            got.date.as_deref(),
            Some("2024-05-01"),
            "THEIRS' change taken"
        );
        assert_eq!(got.extra.get("desk").map(String::as_str), Some("Caucasus"));
        assert_eq!(got.url.as_deref(), Some("https://ours.example"));
        assert_eq!(m.project.conflicts.len(), 1, "{:?}", m.project.conflicts);
        assert!(m.project.conflicts[0].object.ends_with(" url"));
        assert_eq!(m.project.conflicts[0].theirs, "https://theirs.example");
    }

    #[test]
    fn identical_sides_merge_to_the_same_project() {
        let b = base();
        let m = merge(&b, &b, &b).unwrap();
        assert!(m.is_clean());
        assert_eq!(m.project.documents, b.documents);
        assert_eq!(m.renumbered, 0);
    }

    #[test]
    fn new_spans_on_both_sides_collide_and_theirs_are_renumbered() {
        let b = base();
        let mut ours = b.clone();
        let o = add_span(&mut ours, 45, 53, "GPE"); // Brussels
        let mut theirs = b.clone();
        let t = add_span(&mut theirs, 57, 63, "DATE"); // Monday
        assert_eq!(o, t, "both sides allocate from the same counter");
        // THEIRS relates its new span: the relation's end must follow the renumbering.
        let rid = theirs.new_relation_id();
        let src = theirs.documents[0].spans[2].id; // NATO
        doc(&mut theirs).relations.push(Relation {
            id: rid,
            relation_type: "located_in".into(),
            source: src,
            target: t,
            origin: Default::default(),
            note: String::new(),
            made: None,
        });
        let m = merge(&b, &ours, &theirs).unwrap();
        assert!(m.is_clean(), "{:?}", m.conflicts);
        assert!(m.renumbered >= 1);
        let d = &m.project.documents[0];
        assert_eq!(d.spans.len(), 5);
        let monday = d.span_at(57, 63, "DATE").unwrap();
        assert_ne!(monday.id, o);
        assert!(monday.id.0 >= ours.next_id.max(theirs.next_id));
        let rel = d
            .relations
            .iter()
            .find(|r| r.relation_type == "located_in")
            .unwrap();
        assert_eq!(rel.target, monday.id);
        assert!(m.project.next_id > monday.id.0);
        m.project.validate().unwrap();
    }

    #[test]
    fn the_same_addition_on_both_sides_is_kept_once() {
        let b = base();
        let mut ours = b.clone();
        add_span(&mut ours, 45, 53, "GPE");
        let mut theirs = b.clone();
        theirs.next_id += 5; // allocated and dropped a few ids meanwhile
        add_span(&mut theirs, 45, 53, "GPE");
        let m = merge(&b, &ours, &theirs).unwrap();
        assert!(m.is_clean());
        assert_eq!(m.project.documents[0].spans.len(), 4);
    }

    #[test]
    fn a_deletion_applies_when_the_other_side_left_the_object_alone() {
        let b = base();
        let mut ours = b.clone();
        // OURS deletes NATO; THEIRS retypes Armenia.
        doc(&mut ours).spans.retain(|s| s.start != 27);
        let mut theirs = b.clone();
        doc(&mut theirs).spans[0].entity_type = "LOC".into();
        let m = merge(&b, &ours, &theirs).unwrap();
        assert!(m.is_clean());
        assert_eq!(
            types(&m.project),
            vec![(0, 7, "LOC".into()), (12, 22, "GPE".into())]
        );
    }

    #[test]
    fn deleting_what_the_other_side_retyped_is_a_conflict_and_keeps_the_span() {
        let b = base();
        let mut ours = b.clone();
        doc(&mut ours).spans[0].entity_type = "LOC".into();
        let mut theirs = b.clone();
        doc(&mut theirs).relations.clear();
        doc(&mut theirs).spans.remove(0);
        let m = merge(&b, &ours, &theirs).unwrap();
        assert_eq!(m.conflicts.len(), 1, "{:?}", m.conflicts);
        assert!(m.conflicts[0].what.contains("THEIRS deleted the span"));
        assert_eq!(m.project.conflicts, m.conflicts);
        assert!(m.project.documents[0].has_span(0, 7, "LOC"));
        // The relation THEIRS deleted (unchanged by OURS) is gone.
        assert!(m.project.documents[0].relations.is_empty());
    }

    #[test]
    fn both_retyping_differently_keeps_ours_and_records_theirs() {
        let b = base();
        let mut ours = b.clone();
        doc(&mut ours).spans[2].entity_type = "NORP".into();
        let mut theirs = b.clone();
        doc(&mut theirs).spans[2].entity_type = "EVENT".into();
        let m = merge(&b, &ours, &theirs).unwrap();
        assert_eq!(m.conflicts.len(), 1);
        let c = &m.conflicts[0];
        assert!(c.what.contains("type"), "{c:?}");
        assert!(
            c.ours.contains("NORP") && c.theirs.contains("EVENT"),
            "{c:?}"
        );
        assert!(m.project.documents[0].has_span(27, 31, "NORP"));
        // It survives a save and a load.
        let text = crate::store::to_ron_string(&m.project).unwrap();
        let back = crate::store::from_ron_str(&text, std::path::Path::new("m.ron")).unwrap();
        assert_eq!(back.conflicts, m.project.conflicts);
    }

    #[test]
    fn both_editing_a_note_differently_is_a_conflict() {
        let b = base();
        let mut ours = b.clone();
        doc(&mut ours).spans[1].note = "check spelling".into();
        let mut theirs = b.clone();
        doc(&mut theirs).spans[1].note = "the country".into();
        let m = merge(&b, &ours, &theirs).unwrap();
        assert_eq!(m.conflicts.len(), 1);
        assert!(m.conflicts[0].what.contains("note"));
        assert_eq!(m.project.documents[0].spans[1].note, "check spelling");
    }

    #[test]
    fn different_fields_of_one_span_merge_without_conflict() {
        let b = base();
        let mut ours = b.clone();
        doc(&mut ours).spans[1].note = "check".into();
        let mut theirs = b.clone();
        doc(&mut theirs).spans[1].entity_type = "LOC".into();
        let m = merge(&b, &ours, &theirs).unwrap();
        assert!(m.is_clean());
        let s = &m.project.documents[0].spans[1];
        assert_eq!((s.entity_type.as_str(), s.note.as_str()), ("LOC", "check"));
    }

    #[test]
    fn documents_entities_decisions_and_types_from_both_sides() {
        let b = base();
        let mut ours = b.clone();
        let did = ours.new_document_id();
        ours.documents.push(Arc::new(Document::new(
            did,
            "Ours",
            "o.txt",
            "Baku said no.".into(),
        )));
        let eid = ours.new_entity_id();
        ours.entities.push(Entity {
            id: eid,
            name: "NATO".into(),
            entity_type: "ORG".into(),
            aliases: vec![],
            references: Vec::new(),
            note: String::new(),
            made: None,
        });
        let mut theirs = b.clone();
        let tdid = theirs.new_document_id();
        let mut td = Document::new(tdid, "Theirs", "t.txt", "Yerevan agreed.".into());
        let sid = theirs.new_span_id();
        td.spans.push(Span::new(sid, 0, 7, "GPE"));
        theirs.documents.push(Arc::new(td));
        let teid = theirs.new_entity_id();
        theirs.entities.push(Entity {
            id: teid,
            name: "Yerevan".into(),
            entity_type: "GPE".into(),
            aliases: vec!["Erevan".into()],
            references: Vec::new(),
            note: String::new(),
            made: None,
        });
        Arc::make_mut(&mut theirs.documents[1]).spans[0].entity = Some(teid);
        theirs.decisions.push(crate::model::SuggestionDecision {
            document: tdid,
            start: 8,
            end: 14,
            entity_type: "EVENT".into(),
            verdict: crate::model::Verdict::Rejected,
            made: None,
        });
        theirs.schema.entity_types.push(EntityType {
            id: "WEAPON".into(),
            label: "Weapon".into(),
            color: "#123456".into(),
            key: None,
            short_label: String::new(),
        });
        let m = merge(&b, &ours, &theirs).unwrap();
        assert!(m.is_clean(), "{:?}", m.conflicts);
        let p = &m.project;
        assert_eq!(p.documents.len(), 3);
        assert_eq!(p.entities.len(), 2);
        let yerevan = p.entities.iter().find(|e| e.name == "Yerevan").unwrap();
        let tdoc = p.documents.iter().find(|d| d.title == "Theirs").unwrap();
        assert_ne!(tdoc.id, did, "THEIRS' document was renumbered");
        assert_eq!(tdoc.spans[0].entity, Some(yerevan.id));
        assert_eq!(p.decisions.len(), 1);
        assert_eq!(p.decisions[0].document, tdoc.id);
        assert!(p.schema.entity_type("WEAPON").is_some());
        p.validate().unwrap();
    }

    #[test]
    fn an_entity_merged_on_one_side_takes_the_other_sides_new_mentions() {
        let mut b = base();
        let e1 = b.new_entity_id();
        let e2 = b.new_entity_id();
        for (id, name) in [(e1, "NATO"), (e2, "North Atlantic Treaty Organization")] {
            b.entities.push(Entity {
                id,
                name: name.into(),
                entity_type: "ORG".into(),
                aliases: vec![],
                references: Vec::new(),
                note: String::new(),
                made: None,
            });
        }
        doc(&mut b).spans[2].entity = Some(e2);
        // OURS merges e2 into e1.
        let mut ours = b.clone();
        doc(&mut ours).spans[2].entity = Some(e1);
        ours.entities.retain(|e| e.id != e2);
        // THEIRS links a new mention to e2.
        let mut theirs = b.clone();
        let s = add_span(&mut theirs, 32, 41, "ROLE");
        doc(&mut theirs)
            .spans
            .iter_mut()
            .find(|x| x.id == s)
            .unwrap()
            .entity = Some(e2);
        let m = merge(&b, &ours, &theirs).unwrap();
        assert!(m.is_clean(), "{:?}", m.conflicts);
        let d = &m.project.documents[0];
        assert_eq!(d.span_at(32, 41, "ROLE").unwrap().entity, Some(e1));
        m.project.validate().unwrap();
    }

    #[test]
    fn a_relation_to_a_span_the_other_side_deleted_is_dropped_as_a_conflict() {
        let b = base();
        let mut ours = b.clone();
        doc(&mut ours).spans.retain(|s| s.start != 27);
        let mut theirs = b.clone();
        let rid = theirs.new_relation_id();
        let (src, tgt) = (
            theirs.documents[0].spans[2].id,
            theirs.documents[0].spans[0].id,
        );
        doc(&mut theirs).relations.push(Relation {
            id: rid,
            relation_type: "supports".into(),
            source: src,
            target: tgt,
            origin: Default::default(),
            note: String::new(),
            made: None,
        });
        let m = merge(&b, &ours, &theirs).unwrap();
        assert_eq!(m.conflicts.len(), 1, "{:?}", m.conflicts);
        assert_eq!(m.project.documents[0].relations.len(), 1);
        m.project.validate().unwrap();
    }
}
