//! Curation: several analysts' versions of a project side by side, per document, and the
//! lead's choice per item written into one ordinary project (the target: a merged project
//! with its conflicts, or any copy).
//!
//! An item is a place in a document: a stretch of text (spans with those offsets) or a pair
//! of ends (relations between spans with those offsets and types). Its readings are the
//! labels (entity or relation types) the versions give it. Where every version and the
//! target agree the item is collapsed; otherwise the lead takes one reading, all of them, or
//! none (`Choice`), which becomes an `Op::Curate` — one undoable step — settling any merge
//! conflict listed on that place.
//!
//! Versions are matched to the target's documents by content hash. Nothing here touches
//! files except the two loaders (a project file, or `git show REV:path`).

use crate::edit::{Edit, Transaction, remove_span_with_relations};
use crate::kb;
use crate::model::{
    Conflict, Document, DocumentId, Made, Origin, Project, Relation, RelationId, Span, SpanId,
    SpanRef,
};
use crate::store::{self, StoreError};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum CurateError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: cannot run git to read revision {rev}: {message}")]
    Git {
        path: PathBuf,
        rev: String,
        message: String,
    },
}

/// One analyst's version of the project.
#[derive(Debug, Clone)]
pub struct Version {
    /// How the view names it: the file name, or the git revision.
    pub label: String,
    pub project: Project,
}

impl Version {
    /// A version read from a project file.
    pub fn from_file(path: &Path) -> Result<Version, CurateError> {
        let project = store::load(path)?;
        let label = path.file_name().map_or_else(
            || path.display().to_string(),
            |n| n.to_string_lossy().into(),
        );
        Ok(Version { label, project })
    }

    /// The project file at `project` as it is in git revision `rev` (a branch, a commit,
    /// `MERGE_HEAD`, or `:3` for THEIRS during a merge), read with `git show REV:./NAME` in
    /// the file's folder.
    pub fn from_git(project: &Path, rev: &str) -> Result<Version, CurateError> {
        let fail = |message: String| CurateError::Git {
            path: project.to_path_buf(),
            rev: rev.to_string(),
            message,
        };
        let (dir, name) = git_place(project).map_err(fail)?;
        // `./` makes the path relative to the file's folder; `:2`/`:3` (merge stages) work too.
        let object = format!("{rev}:./{name}");
        let text = git(dir, &["show", &object]).map_err(fail)?;
        let label = format!("{rev}:{name}");
        let project = store::from_ron_str(&text, Path::new(&label))?;
        Ok(Version { label, project })
    }
}

/// A git revision the project file can be read from, offered in the curation view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Revision {
    /// What `Version::from_git` takes: a branch name or an abbreviated commit id.
    pub rev: String,
    /// How the view shows it: the branch, or the commit with its author, date and subject.
    pub label: String,
}

/// The revisions an analyst's version can come from: the other side of a merge in progress
/// (`MERGE_HEAD`), the local and remote branches, and the last 20 commits on any of them
/// that changed the project file (newest first).
pub fn git_revisions(project: &Path) -> Result<Vec<Revision>, CurateError> {
    let fail = |message: String| CurateError::Git {
        path: project.to_path_buf(),
        rev: "(listing branches and commits)".into(),
        message,
    };
    let (dir, name) = git_place(project).map_err(fail)?;
    let mut out = Vec::new();
    if git(dir, &["rev-parse", "-q", "--verify", "MERGE_HEAD"]).is_ok() {
        out.push(Revision {
            rev: "MERGE_HEAD".into(),
            label: "MERGE_HEAD (the other side of the merge in progress)".into(),
        });
    }
    let branches = git(
        dir,
        &[
            "for-each-ref",
            "--format=%(refname:short)%09%(symref)",
            "refs/heads",
            "refs/remotes",
        ],
    )
    .map_err(fail)?;
    for line in branches.lines() {
        // `origin/HEAD` (a symbolic ref) only points at another branch.
        let Some((branch, "")) = line.split_once('\t') else {
            continue;
        };
        out.push(Revision {
            rev: branch.to_string(),
            label: format!("branch {branch}"),
        });
    }
    let file = format!("./{name}");
    // A repository without commits has no log: then there are no commits to offer.
    let log = git(
        dir,
        &[
            "log",
            "--all",
            "-n",
            "20",
            "--format=%h%x09%an%x09%ad%x09%s",
            "--date=short",
            "--",
            &file,
        ],
    )
    .unwrap_or_default();
    for line in log.lines() {
        let mut parts = line.splitn(4, '\t');
        let (Some(hash), Some(author), Some(date)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let subject = parts.next().unwrap_or("");
        out.push(Revision {
            rev: hash.to_string(),
            label: format!("{hash} {author}, {date}: {subject}"),
        });
    }
    Ok(out)
}

/// The folder git runs in and the project's file name.
fn git_place(project: &Path) -> Result<(&Path, String), String> {
    let name = project
        .file_name()
        .ok_or_else(|| "the project has no file name".to_string())?
        .to_string_lossy()
        .into_owned();
    let dir = match project.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Ok((dir, name))
}

/// Runs git in `dir` and returns its output, or what went wrong.
fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).trim().to_string());
    }
    String::from_utf8(out.stdout).map_err(|_| "git's output is not UTF-8 text".to_string())
}

/// Where an item is in a document.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Place {
    /// Spans with these char offsets.
    Span { start: usize, end: usize },
    /// Relations between spans with these offsets and types.
    Relation { source: SpanRef, target: SpanRef },
}

/// One label a version (or the project being curated) gives an item, as the first one that
/// has it has it (who made it, how, its note).
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    pub label: String,
    /// The versions that have it (indexes into `Curation::versions`).
    pub versions: Vec<usize>,
    /// The project being curated has it too (then `made`, `origin` and `note` are the
    /// project's when no version has it).
    pub in_project: bool,
    pub made: Option<Made>,
    pub origin: Origin,
    pub note: String,
}

/// A place with what every version says about it and what the target has now.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub place: Place,
    pub readings: Vec<Reading>,
    /// The labels the target has there now.
    pub current: Vec<String>,
    /// Merge conflicts listed on this place.
    pub conflicts: Vec<Conflict>,
    /// Every version and the target say the same, and no conflict is listed.
    pub agreed: bool,
}

/// What the lead decides for an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// Only this reading (an index into `Item::readings`).
    Reading(usize),
    /// Every reading.
    All,
    /// Nothing at this place.
    Nothing,
    /// Leave the target as it is, settling the conflicts listed here.
    Keep,
}

/// An item decided: what the target must have at the place afterwards. The payload of
/// `Op::Curate`.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    pub doc: DocumentId,
    pub place: Place,
    /// The labels to have there, with the reading each comes from (for who made it).
    pub keep: Vec<Reading>,
    /// The listed conflicts this settles.
    pub settles: Vec<Conflict>,
}

/// Versions to curate from.
#[derive(Debug, Clone, Default)]
pub struct Curation {
    pub versions: Vec<Version>,
}

impl Curation {
    pub fn new(versions: Vec<Version>) -> Curation {
        Curation { versions }
    }

    /// The items of a target document: every place a version or the target annotates, or a
    /// listed conflict names, in text order (spans first, then relations).
    pub fn items(&self, target: &Project, doc: DocumentId) -> Vec<Item> {
        let Some(d) = target.document(doc) else {
            return Vec::new();
        };
        let mut places: BTreeMap<Place, Vec<Reading>> = BTreeMap::new();
        let mut add = |place: Place, reading: Reading| {
            let readings = places.entry(place).or_default();
            match readings.iter_mut().find(|r| r.label == reading.label) {
                Some(r) => {
                    if !r.versions.contains(&reading.versions[0]) {
                        r.versions.extend(reading.versions);
                    }
                }
                None => readings.push(reading),
            }
        };
        for (i, version) in self.versions.iter().enumerate() {
            let Some(vd) = version
                .project
                .documents
                .iter()
                .find(|v| v.content_hash == d.content_hash)
            else {
                continue;
            };
            for s in &vd.spans {
                add(span_place(s), span_reading(s, Some(i)));
            }
            for r in &vd.relations {
                if let Some(place) = relation_place(vd, r) {
                    add(place, relation_reading(r, Some(i)));
                }
            }
        }
        for (place, readings) in current_readings(d) {
            let entry = places.entry(place).or_default();
            for reading in readings {
                match entry.iter_mut().find(|r| r.label == reading.label) {
                    Some(r) => r.in_project = true,
                    None => entry.push(reading),
                }
            }
        }
        let conflicts = conflict_places(target, d);
        for (place, _) in &conflicts {
            places.entry(place.clone()).or_default();
        }
        let all = self.versions.len();
        places
            .into_iter()
            .map(|(place, mut readings)| {
                readings.sort_by(|a, b| a.label.cmp(&b.label));
                let current: Vec<String> = readings
                    .iter()
                    .filter(|r| r.in_project)
                    .map(|r| r.label.clone())
                    .collect();
                let listed: Vec<Conflict> = conflicts
                    .iter()
                    .filter(|(p, _)| *p == place)
                    .map(|(_, c)| c.clone())
                    .collect();
                let agreed = listed.is_empty()
                    && readings
                        .iter()
                        .all(|r| r.in_project && r.versions.len() == all);
                Item {
                    place,
                    readings,
                    current,
                    conflicts: listed,
                    agreed,
                }
            })
            .collect()
    }

    /// The resolution of `choice` on `item` of document `doc`.
    pub fn resolve(&self, doc: DocumentId, item: &Item, choice: Choice) -> Resolution {
        let keep = match choice {
            Choice::Reading(i) => item.readings.get(i).cloned().into_iter().collect(),
            Choice::All => item.readings.clone(),
            Choice::Nothing => Vec::new(),
            Choice::Keep => item
                .readings
                .iter()
                .filter(|r| r.in_project)
                .cloned()
                .collect(),
        };
        Resolution {
            doc,
            place: item.place.clone(),
            keep,
            settles: item.conflicts.clone(),
        }
    }
}

fn span_place(s: &Span) -> Place {
    Place::Span {
        start: s.start,
        end: s.end,
    }
}

fn span_reading(s: &Span, version: Option<usize>) -> Reading {
    Reading {
        label: s.entity_type.to_string(),
        versions: version.into_iter().collect(),
        in_project: version.is_none(),
        made: s.made.clone(),
        origin: s.origin.clone(),
        note: s.note.clone(),
    }
}

fn relation_place(d: &Document, r: &Relation) -> Option<Place> {
    let source = d.span(r.source)?;
    let target = d.span(r.target)?;
    Some(Place::Relation {
        source: SpanRef::of_span(source),
        target: SpanRef::of_span(target),
    })
}

fn relation_reading(r: &Relation, version: Option<usize>) -> Reading {
    Reading {
        label: r.relation_type.to_string(),
        versions: version.into_iter().collect(),
        in_project: version.is_none(),
        made: r.made.clone(),
        origin: r.origin.clone(),
        note: r.note.clone(),
    }
}

/// What the project being curated has at each place.
fn current_readings(d: &Document) -> HashMap<Place, Vec<Reading>> {
    let mut out: HashMap<Place, Vec<Reading>> = HashMap::new();
    for s in &d.spans {
        out.entry(span_place(s))
            .or_default()
            .push(span_reading(s, None));
    }
    for r in &d.relations {
        if let Some(place) = relation_place(d, r) {
            out.entry(place)
                .or_default()
                .push(relation_reading(r, None));
        }
    }
    out
}

/// The listed conflicts on objects of this document, with the place of the object.
fn conflict_places(project: &Project, d: &Document) -> Vec<(Place, Conflict)> {
    project
        .conflicts
        .iter()
        .filter(|c| c.document == Some(d.id))
        .filter_map(|c| {
            let number: u64 = c.object.get(1..)?.parse().ok()?;
            let place = match c.object.chars().next()? {
                'T' => span_place(d.span(SpanId(number))?),
                'R' => relation_place(d, d.relation(RelationId(number))?)?,
                _ => return None,
            };
            Some((place, c.clone()))
        })
        .collect()
}

/// Plans a resolution: removes what the target has at the place and the resolution does not
/// keep (spans with their relations), adds what it keeps and the target lacks (relation ends
/// too, when missing), retypes in place when one label replaces one (the span keeps its id,
/// links and relations), and takes the settled conflicts off the list.
pub fn plan(project: &Project, r: &Resolution) -> Result<Transaction, crate::model::ModelError> {
    let d = project
        .document(r.doc)
        .ok_or(crate::model::ModelError::NoDocument(r.doc))?;
    let mut tx = Transaction::new(match r.keep.as_slice() {
        [] => "curate: keep nothing".to_string(),
        [one] => format!("curate: keep {}", one.label),
        many => format!("curate: keep {}", labels(many)),
    });
    let mut ids = project.ids();
    let wanted = |label: &str| r.keep.iter().any(|k| k.label == label);
    match &r.place {
        Place::Span { start, end } => {
            let here: Vec<&Span> = d
                .spans
                .iter()
                .filter(|s| s.start == *start && s.end == *end)
                .collect();
            let missing: Vec<&Reading> = r
                .keep
                .iter()
                .filter(|k| !here.iter().any(|s| s.entity_type == k.label))
                .collect();
            let unwanted: Vec<&Span> = here
                .iter()
                .copied()
                .filter(|s| !wanted(&s.entity_type))
                .collect();
            if let ([old], [new]) = (unwanted.as_slice(), missing.as_slice()) {
                tx.push(Edit::SetSpanType {
                    doc: d.id,
                    span: old.id,
                    entity_type: new.label.clone(),
                });
            } else {
                for s in unwanted {
                    tx.edits.extend(remove_span_with_relations(d, s.id));
                }
                for k in missing {
                    let mut span = Span::new(ids.span(), *start, *end, &k.label);
                    span.origin = k.origin.clone();
                    span.note = k.note.clone();
                    span.made = k.made.clone();
                    tx.push(Edit::AddSpan { doc: d.id, span });
                }
            }
        }
        Place::Relation { source, target } => {
            let end_span = |e: &SpanRef| d.span_at(e.start, e.end, &e.entity_type).map(|s| s.id);
            let (source_id, target_id) = (end_span(source), end_span(target));
            let here: Vec<&Relation> = d
                .relations
                .iter()
                .filter(|x| Some(x.source) == source_id && Some(x.target) == target_id)
                .collect();
            for x in here.iter().filter(|x| !wanted(&x.relation_type)) {
                tx.push(Edit::RemoveRelation {
                    doc: d.id,
                    relation: x.id,
                });
            }
            let missing: Vec<&Reading> = r
                .keep
                .iter()
                .filter(|k| !here.iter().any(|x| x.relation_type == k.label))
                .collect();
            if !missing.is_empty() {
                let mut end = |e: &SpanRef, found: Option<SpanId>, tx: &mut Transaction| {
                    found.unwrap_or_else(|| {
                        let span = Span::new(ids.span(), e.start, e.end, &e.entity_type);
                        let id = span.id;
                        tx.push(Edit::AddSpan { doc: d.id, span });
                        id
                    })
                };
                let s = end(source, source_id, &mut tx);
                let t = end(target, target_id, &mut tx);
                for k in missing {
                    let mut relation = Relation::new(ids.relation(), &k.label, s, t);
                    relation.origin = k.origin.clone();
                    relation.note = k.note.clone();
                    relation.made = k.made.clone();
                    tx.push(Edit::AddRelation {
                        doc: d.id,
                        relation,
                    });
                }
            }
        }
    }
    for c in &r.settles {
        if project.conflicts.contains(c) {
            tx.push(Edit::RemoveConflict(c.clone()));
        }
    }
    kb::link_new_spans(project, &mut tx);
    Ok(tx)
}

fn labels(readings: &[Reading]) -> String {
    readings
        .iter()
        .map(|r| r.label.as_str())
        .collect::<Vec<_>>()
        .join(" and ")
}

/// Settles every listed conflict of a project by taking each item's reading from `version`
/// where that version has the place, keeping the target's otherwise: one transaction.
pub fn take_version_on_conflicts(
    project: &Project,
    curation: &Curation,
    version: usize,
) -> Result<Transaction, crate::model::ModelError> {
    let mut tx = Transaction::new("curate: settle conflicts");
    let docs: Vec<DocumentId> = project
        .conflicts
        .iter()
        .filter_map(|c| c.document)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut work = project.clone();
    for doc in docs {
        for item in curation.items(&work, doc) {
            if item.conflicts.is_empty() {
                continue;
            }
            let choice = match item
                .readings
                .iter()
                .position(|r| r.versions.contains(&version))
            {
                Some(i) => Choice::Reading(i),
                None => Choice::Keep,
            };
            let step = plan(&work, &curation.resolve(doc, &item, choice))?;
            step.clone().apply(&mut work)?;
            tx.edits.extend(step.edits);
        }
    }
    // Conflicts on objects no place matches (documents, entities, schema) stay listed.
    Ok(tx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Document, Project};

    const TEXT: &str = "Nikol Pashinyan met CSTO officials in Yerevan.";

    fn project_with(spans: &[(usize, usize, &str)]) -> Project {
        let mut p = Project::new("p");
        let id = p.new_document_id();
        let mut d = Document::new(id, "Talks", "talks.txt", TEXT.into());
        for &(start, end, ty) in spans {
            let sid = p.new_span_id();
            d.spans.push(Span::new(sid, start, end, ty));
        }
        p.documents.push(d.into());
        p.normalize_order();
        p
    }

    fn types_at(p: &Project, start: usize, end: usize) -> Vec<String> {
        p.documents[0]
            .spans
            .iter()
            .filter(|s| s.start == start && s.end == end)
            .map(|s| s.entity_type.to_string())
            .collect()
    }

    #[test]
    fn agreements_collapse_and_disagreements_offer_each_side() {
        let alice = project_with(&[(0, 15, "PER"), (20, 24, "ORG")]);
        let bob = project_with(&[(0, 15, "PER"), (20, 24, "GPE")]);
        let target = project_with(&[(0, 15, "PER"), (20, 24, "ORG")]);
        let c = Curation::new(vec![
            Version {
                label: "alice".into(),
                project: alice,
            },
            Version {
                label: "bob".into(),
                project: bob,
            },
        ]);
        let doc = target.documents[0].id;
        let items = c.items(&target, doc);
        assert_eq!(items.len(), 2);
        assert!(items[0].agreed);
        let csto = &items[1];
        assert!(!csto.agreed);
        let labels: Vec<_> = csto.readings.iter().map(|r| r.label.as_str()).collect();
        assert_eq!(labels, ["GPE", "ORG"]);
        assert_eq!(csto.readings[0].versions, [1]);
        assert!(!csto.readings[0].in_project);
        assert_eq!(csto.readings[1].versions, [0]);
        assert!(csto.readings[1].in_project);

        // Bob's reading: a retype in place (same id), undoable.
        let tx = plan(&target, &c.resolve(doc, csto, Choice::Reading(0))).unwrap();
        let mut p = target.clone();
        let undo = tx.apply(&mut p).unwrap();
        assert_eq!(types_at(&p, 20, 24), ["GPE"]);
        undo.apply(&mut p).unwrap();
        p.revision = target.revision;
        assert_eq!(p, target);

        // Both, then neither.
        let mut p = target.clone();
        plan(&target, &c.resolve(doc, csto, Choice::All))
            .unwrap()
            .apply(&mut p)
            .unwrap();
        let mut both = types_at(&p, 20, 24);
        both.sort();
        assert_eq!(both, ["GPE", "ORG"]);
        let item = c.items(&p, doc).remove(1);
        plan(&p, &c.resolve(doc, &item, Choice::Nothing))
            .unwrap()
            .apply(&mut p)
            .unwrap();
        assert!(types_at(&p, 20, 24).is_empty());
        p.validate().unwrap();
    }

    #[test]
    fn choosing_a_side_settles_the_conflict_listed_on_that_span() {
        let mut target = project_with(&[(20, 24, "ORG")]);
        let doc = target.documents[0].id;
        let span = target.documents[0].spans[0].id;
        let conflict = Conflict {
            object: span.to_string(),
            document: Some(doc),
            what: "both sides retyped the span".into(),
            ours: "20..24 ORG".into(),
            theirs: "20..24 GPE".into(),
        };
        target.conflicts.push(conflict.clone());
        let theirs = project_with(&[(20, 24, "GPE")]);
        let c = Curation::new(vec![Version {
            label: "theirs".into(),
            project: theirs,
        }]);
        let items = c.items(&target, doc);
        assert_eq!(items.len(), 1);
        assert_eq!(items[0].conflicts, [conflict]);
        assert!(!items[0].agreed);
        let tx = take_version_on_conflicts(&target, &c, 0).unwrap();
        let mut p = target.clone();
        tx.apply(&mut p).unwrap();
        assert!(p.conflicts.is_empty());
        assert_eq!(types_at(&p, 20, 24), ["GPE"]);
        assert_eq!(p.documents[0].spans[0].id, span);
    }
}
