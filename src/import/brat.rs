//! brat standoff: folders of `.txt`/`.ann` pairs, plus `annotation.conf`/`visual.conf`.
//!
//! Offsets are code-point offsets into the exact bytes of the `.txt` file, so the text is taken
//! as it is (no line-ending or BOM changes). Every T line's covered text is checked against the
//! text at its offsets, as brat itself does.

use super::ImportError;
use super::ReadDocument;
use super::annotated::{AnnotatedDocument, AnnotatedImport, ReadEntity, ReadRelation, ReadSpan};
use crate::model::{DocumentMetadata, DocumentStatus, RelationType, Schema, parse_hex_color};
use crate::text::CharIndex;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The sidecar a Marginalia brat export writes beside the files: what brat has no place for
/// (titles, statuses, metadata, entity aliases and notes).
pub const SIDECAR: &str = "marginalia.json";

/// Reads brat documents from files and folders (recursively, in name order).
pub fn read(paths: &[PathBuf]) -> Result<AnnotatedImport, ImportError> {
    let mut import = AnnotatedImport::default();
    let mut sidecar = Sidecar::default();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|source| ImportError::Io {
            path: path.clone(),
            source,
        })?;
        let mut stems = BTreeSet::new();
        let mut dirs = Vec::new();
        if meta.is_dir() {
            walk(path, &mut stems, &mut dirs)?;
            if stems.is_empty() {
                return Err(ImportError::NoDocuments { path: path.clone() });
            }
        } else {
            stems.insert(path.with_extension(""));
            if let Some(parent) = path.parent() {
                dirs.push(parent.to_path_buf());
            }
        }
        for dir in &dirs {
            read_conf(dir, &mut import)?;
            sidecar.read(dir)?;
        }
        for stem in stems {
            let mut doc = read_pair(&stem, &mut import)?;
            sidecar.apply_document(&mut doc);
            import.documents.push(doc);
        }
    }
    sidecar.apply_entities(&mut import.entities);
    Ok(import)
}

/// `stem` with `.ext` appended: unlike `with_extension`, keeps dots in the name
/// ("PMID-1.v2" -> "PMID-1.v2.txt").
fn with_suffix(stem: &Path, ext: &str) -> PathBuf {
    let mut name = stem.as_os_str().to_os_string();
    name.push(".");
    name.push(ext);
    PathBuf::from(name)
}

/// Collects the document stems under a folder (`.txt` with `.ann`, or BioNLP `.a1`/`.a2`),
/// and the folders themselves (for confs).
fn walk(
    dir: &Path,
    stems: &mut BTreeSet<PathBuf>,
    dirs: &mut Vec<PathBuf>,
) -> Result<(), ImportError> {
    super::walk_files(dir, &mut |d| dirs.push(d.to_path_buf()), &mut |path| {
        if matches!(
            super::extension(&path).as_str(),
            "ann" | "txt" | "a1" | "a2"
        ) {
            stems.insert(path.with_extension(""));
        }
    })
}

fn malformed(path: &Path, line: usize, message: impl Into<String>) -> ImportError {
    ImportError::Malformed {
        path: path.to_path_buf(),
        line,
        message: message.into(),
    }
}

fn read_pair(stem: &Path, import: &mut AnnotatedImport) -> Result<AnnotatedDocument, ImportError> {
    let txt = with_suffix(stem, "txt");
    let mut files = Vec::new();
    for ext in ["ann", "a1", "a2"] {
        let path = with_suffix(stem, ext);
        if path.is_file() {
            files.push(path);
            if ext == "ann" {
                break;
            }
        }
    }
    if !txt.exists() {
        let ann = files
            .first()
            .cloned()
            .unwrap_or_else(|| with_suffix(stem, "ann"));
        return Err(malformed(
            &ann,
            1,
            format!("no text file {} beside it", txt.display()),
        ));
    }
    let text = super::decode::read_exact_text(&txt)?;
    let mut sources = Vec::new();
    for path in files {
        let content = super::decode::read_exact_text(&path)?;
        sources.push((path, content));
    }
    let sources: Vec<(&Path, &str)> = sources
        .iter()
        .map(|(p, c)| (p.as_path(), c.as_str()))
        .collect();
    document(&txt, text, &sources, import)
}

/// Reads one document from the contents of its `.txt` file (`text`, exactly as in the file)
/// and its `.ann` file; `txt` names the text file (the `.ann` path is derived from it).
pub fn parse_pair(
    txt: &Path,
    text: String,
    annotations: &str,
    import: &mut AnnotatedImport,
) -> Result<AnnotatedDocument, ImportError> {
    let ann = txt.with_extension("ann");
    document(txt, text, &[(&ann, annotations)], import)
}

fn document(
    txt: &Path,
    text: String,
    sources: &[(&Path, &str)],
    import: &mut AnnotatedImport,
) -> Result<AnnotatedDocument, ImportError> {
    if text.trim().is_empty() {
        return Err(ImportError::Empty {
            path: txt.to_path_buf(),
        });
    }
    let (spans, relations) = parse_sources(txt, sources, &text, import)?;
    let title = super::title_from_text(&text, txt);
    let doc = ReadDocument {
        title,
        source: txt.to_path_buf(),
        text,
        metadata: Default::default(),
    };
    Ok(AnnotatedDocument::new("brat", doc, spans, relations))
}

/// One annotation line: where it is, its id and its tab-separated fields after the id.
struct Line<'a> {
    path: &'a Path,
    n: usize,
    id: &'a str,
    body: &'a str,
    third: Option<&'a str>,
}

/// What an `.ann` file held that Marginalia keeps only approximately, counted for one notice
/// per file.
#[derive(Default)]
struct Losses {
    relation_attributes: usize,
    relation_attribute_notes: usize,
    moved_notes: usize,
    other_notes: usize,
    shared_triggers: usize,
    equiv_types: BTreeSet<String>,
    equiv_conflicts: usize,
}

impl Losses {
    fn report(&self) -> Vec<String> {
        let said = [
            (
                self.relation_attributes,
                "attribute on a relation",
                "attributes on relations",
                "dropped (Marginalia keeps attributes on spans and events)",
            ),
            (
                self.relation_attribute_notes,
                "note on a dropped attribute",
                "notes on dropped attributes",
                "dropped",
            ),
            (
                self.moved_notes,
                "note on an attribute or normalization",
                "notes on attributes or normalizations",
                "kept on their span",
            ),
            (
                self.other_notes,
                "note of a kind other than AnnotatorNotes",
                "notes of a kind other than AnnotatorNotes",
                "kept as span notes",
            ),
            (
                self.shared_triggers,
                "event sharing a trigger with another",
                "events sharing a trigger with another",
                "got a copy of the trigger span",
            ),
            (
                self.equiv_conflicts,
                "equivalence member already linked to another entity",
                "equivalence members already linked to another entity",
                "kept their link",
            ),
        ];
        let mut out: Vec<String> = said
            .iter()
            .filter(|c| c.0 > 0)
            .map(|&(n, one, many, what)| crate::text::counted(n, one, many, what))
            .collect();
        if !self.equiv_types.is_empty() {
            let types: Vec<&str> = self.equiv_types.iter().map(String::as_str).collect();
            out.push(format!(
                "{} {} read as 'same entity' (the type name is not kept)",
                if types.len() == 1 {
                    "equivalence type"
                } else {
                    "equivalence types"
                },
                types.join(", ")
            ));
        }
        out
    }
}

/// Parses one `.ann` file against its text. Spans and relations come out in file order.
#[cfg(test)]
pub(crate) fn parse_ann(
    path: &Path,
    ann: &str,
    text: &str,
    import: &mut AnnotatedImport,
) -> Result<(Vec<ReadSpan>, Vec<ReadRelation>), ImportError> {
    parse_sources(path, &[(path, ann)], text, import)
}

/// Parses the annotation files of one document (one `.ann`, or BioNLP's `.a1` and `.a2`).
fn parse_sources(
    txt: &Path,
    sources: &[(&Path, &str)],
    text: &str,
    import: &mut AnnotatedImport,
) -> Result<(Vec<ReadSpan>, Vec<ReadRelation>), ImportError> {
    let index = CharIndex::new(text);
    let len = index.char_len();
    let mut spans: Vec<ReadSpan> = Vec::new();
    let mut relations: Vec<ReadRelation> = Vec::new();
    // brat id -> index of its span (T, or the trigger span of an E) / its relation.
    let mut span_of: HashMap<&str, usize> = HashMap::new();
    let mut relation_of: HashMap<&str, usize> = HashMap::new();
    let mut events = Vec::new();
    let mut later = Vec::new();
    let mut ids = BTreeSet::new();
    let mut losses = Losses::default();
    let report_path = sources.first().map(|(p, _)| *p).unwrap_or(txt);

    for &(path, ann) in sources {
        for (i, line) in ann.lines().enumerate() {
            let n = i + 1;
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let id = fields[0];
            let kind = id.chars().next().unwrap_or(' ');
            if !"TRN#AME*".contains(kind) {
                return Err(malformed(
                    path,
                    n,
                    format!(
                        "'{id}' is not an annotation id (expected T, R, E, A, M, N, # or * lines)"
                    ),
                ));
            }
            if kind != '*' && !ids.insert(id) {
                return Err(malformed(path, n, format!("the id {id} is used twice")));
            }
            let body = fields.get(1).copied().unwrap_or("");
            if body.trim().is_empty() {
                return Err(malformed(
                    path,
                    n,
                    format!("{id} has no tab-separated annotation"),
                ));
            }
            let line = Line {
                path,
                n,
                id,
                body,
                third: fields.get(2).copied(),
            };
            match kind {
                'T' => {
                    let span = text_bound(&line, text, &index, len)?;
                    span_of.insert(id, spans.len());
                    spans.push(span);
                }
                'E' => events.push(line),
                _ => later.push((kind, line)),
            }
        }
    }

    // Events: each gets its trigger span (a copy when another event has the same trigger),
    // so arguments and later lines can point at E ids.
    let mut triggered = HashSet::new();
    let mut event_args = Vec::new();
    for line in &events {
        let mut parts = line.body.split_whitespace();
        let head = parts.next().unwrap_or("");
        let Some((ty, trigger)) = head.split_once(':') else {
            return Err(malformed(
                line.path,
                line.n,
                format!(
                    "{}: expected 'TYPE:TRIGGER ROLE:ARG ...', found '{}'",
                    line.id, line.body
                ),
            ));
        };
        let &t = span_of
            .get(trigger)
            .filter(|_| trigger.starts_with('T'))
            .ok_or_else(|| {
                malformed(
                    line.path,
                    line.n,
                    format!(
                        "{}: the trigger {trigger} is not a T line of this file",
                        line.id
                    ),
                )
            })?;
        let s = if triggered.insert(t) {
            t
        } else {
            losses.shared_triggers += 1;
            spans.push(spans[t].clone());
            spans.len() - 1
        };
        spans[s].event = true;
        spans[s].entity_type = ty.to_string();
        span_of.insert(line.id, s);
        let args: Vec<&str> = parts.collect();
        event_args.push((line, s, args));
    }
    let span_ref = |line: &Line, name: &str| {
        span_of.get(name).copied().ok_or_else(|| {
            malformed(
                line.path,
                line.n,
                format!(
                    "{}: {name} is not a text-bound annotation or event (T or E line) of this file",
                    line.id
                ),
            )
        })
    };
    for (line, s, args) in &event_args {
        for arg in args {
            let Some((role, target)) = arg.split_once(':') else {
                return Err(malformed(
                    line.path,
                    line.n,
                    format!("{}: argument '{arg}' should look like ROLE:ID", line.id),
                ));
            };
            let target = span_ref(line, target)?;
            // brat numbers repeated roles (Theme, Theme2, Theme3): one relation type.
            let role = role.trim_end_matches(|c: char| c.is_ascii_digit());
            let role = if role.is_empty() { "Arg" } else { role };
            declare_role(import, role);
            relations.push(ReadRelation {
                relation_type: role.to_string(),
                source: *s,
                target,
                note: String::new(),
            });
        }
    }

    // Relations, then normalizations, attributes, equivalences and notes (which may point
    // at relations).
    for (kind, line) in later.iter().filter(|(k, _)| *k == 'R') {
        let _ = kind;
        let parts: Vec<&str> = line.body.split_whitespace().collect();
        let [ty, a, b] = parts.as_slice() else {
            return Err(malformed(
                line.path,
                line.n,
                format!(
                    "{}: expected 'TYPE Arg1:T1 Arg2:T2', found '{}'",
                    line.id, line.body
                ),
            ));
        };
        let arg = |s: &str| s.split_once(':').map(|(_, t)| t.to_string());
        let (Some(a), Some(b)) = (arg(a), arg(b)) else {
            return Err(malformed(
                line.path,
                line.n,
                format!("{}: arguments must look like Arg1:T1", line.id),
            ));
        };
        let source = span_ref(line, &a)?;
        let target = span_ref(line, &b)?;
        relation_of.insert(line.id, relations.len());
        relations.push(ReadRelation {
            relation_type: ty.to_string(),
            source,
            target,
            note: String::new(),
        });
    }
    // Which attribute / normalization ids belong to which span, for notes on them.
    let mut owner_of: HashMap<&str, Option<usize>> = HashMap::new();
    let mut equiv = 0;
    for (kind, line) in later.iter().filter(|(k, _)| *k != 'R' && *k != '#') {
        let parts: Vec<&str> = line.body.split_whitespace().collect();
        match kind {
            'N' => {
                let [_, target, key] = parts.as_slice() else {
                    return Err(malformed(
                        line.path,
                        line.n,
                        format!(
                            "{}: expected 'Reference T1 DB:ID', found '{}'",
                            line.id, line.body
                        ),
                    ));
                };
                if !key.contains(':') {
                    return Err(malformed(
                        line.path,
                        line.n,
                        format!("{}: '{key}' is not DB:ID", line.id),
                    ));
                }
                let s = span_ref(line, target)?;
                owner_of.insert(line.id, Some(s));
                let name = line
                    .third
                    .filter(|t| !t.trim().is_empty())
                    .map(str::to_string)
                    .unwrap_or_else(|| span_text(&index, text, &spans[s]));
                normalize(import, &mut spans[s], key, name);
            }
            'A' | 'M' => {
                let (name, target, value) = match parts.as_slice() {
                    [name, target] => (*name, *target, ""),
                    [name, target, value] => (*name, *target, *value),
                    _ => {
                        return Err(malformed(
                            line.path,
                            line.n,
                            format!(
                                "{}: expected 'NAME ID' or 'NAME ID VALUE', found '{}'",
                                line.id, line.body
                            ),
                        ));
                    }
                };
                if relation_of.contains_key(target) {
                    losses.relation_attributes += 1;
                    owner_of.insert(line.id, None);
                    continue;
                }
                let s = span_ref(line, target)?;
                owner_of.insert(line.id, Some(s));
                spans[s]
                    .attributes
                    .insert(name.to_string(), value.to_string());
            }
            _ => {
                // '*': an equivalence set, read as one entity.
                let Some((ty, members)) = parts.split_first() else {
                    continue;
                };
                if *ty != "Equiv" {
                    losses.equiv_types.insert(ty.to_string());
                }
                let members = members
                    .iter()
                    .map(|m| span_ref(line, m))
                    .collect::<Result<Vec<_>, _>>()?;
                let Some(&first) = members.first() else {
                    continue;
                };
                equiv += 1;
                let key = members
                    .iter()
                    .find_map(|&m| spans[m].link.clone())
                    .unwrap_or_else(|| format!("{}#equiv{equiv}", txt.display()));
                if !import.entities.iter().any(|e| e.key == key) {
                    import.entities.push(ReadEntity {
                        key: key.clone(),
                        name: span_text(&index, text, &spans[first]),
                        entity_type: spans[first].entity_type.clone(),
                        ..ReadEntity::default()
                    });
                }
                for m in members {
                    match &spans[m].link {
                        None => spans[m].link = Some(key.clone()),
                        Some(k) if *k != key => losses.equiv_conflicts += 1,
                        Some(_) => {}
                    }
                }
            }
        }
    }
    for (_, line) in later.iter().filter(|(k, _)| *k == '#') {
        let parts: Vec<&str> = line.body.split_whitespace().collect();
        let [note_kind, target] = parts.as_slice() else {
            return Err(malformed(
                line.path,
                line.n,
                format!(
                    "{}: expected 'AnnotatorNotes T1', found '{}'",
                    line.id, line.body
                ),
            ));
        };
        let mut note = line.third.unwrap_or("").to_string();
        if *note_kind != "AnnotatorNotes" {
            losses.other_notes += 1;
            note = format!("{note_kind}: {note}");
        }
        let add = |existing: &mut String, note: &str| {
            if existing.is_empty() {
                *existing = note.to_string();
            } else {
                existing.push_str("; ");
                existing.push_str(note);
            }
        };
        if let Some(&s) = span_of.get(target) {
            add(&mut spans[s].note, &note);
        } else if let Some(&r) = relation_of.get(target) {
            add(&mut relations[r].note, &note);
        } else if let Some(owner) = owner_of.get(target) {
            match owner {
                Some(s) => {
                    losses.moved_notes += 1;
                    add(&mut spans[*s].note, &format!("{target}: {note}"));
                }
                None => losses.relation_attribute_notes += 1,
            }
        } else {
            return Err(malformed(
                line.path,
                line.n,
                format!(
                    "{}: the note is on {target}, which is not in this file",
                    line.id
                ),
            ));
        }
    }
    let said = losses.report();
    if !said.is_empty() {
        import
            .notices
            .push(format!("{}: {}", report_path.display(), said.join(", ")));
    }
    Ok((spans, relations))
}

/// A `T` line: type, one or more `START END` fragments, and optionally the covered text.
fn text_bound(
    line: &Line,
    text: &str,
    index: &CharIndex,
    len: usize,
) -> Result<ReadSpan, ImportError> {
    let (path, n, id, body) = (line.path, line.n, line.id, line.body);
    let (ty, offsets) = body.split_once(' ').ok_or_else(|| {
        malformed(
            path,
            n,
            format!("{id}: expected 'TYPE START END', found '{body}'"),
        )
    })?;
    let mut fragments: Vec<(usize, usize)> = Vec::new();
    for part in offsets.split(';') {
        let nums: Vec<&str> = part.split_whitespace().collect();
        let parsed = match nums.as_slice() {
            [a, b] => a.parse::<usize>().ok().zip(b.parse::<usize>().ok()),
            _ => None,
        };
        let (start, end) = parsed.ok_or_else(|| {
            malformed(
                path,
                n,
                format!("{id}: bad offsets '{part}' (expected 'START END')"),
            )
        })?;
        if start >= end {
            return Err(malformed(
                path,
                n,
                format!("{id}: empty or inverted offsets {start} {end}"),
            ));
        }
        if end > len {
            return Err(malformed(
                path,
                n,
                format!(
                    "{id}: offsets {start} {end} are past the end of the text ({len} characters)"
                ),
            ));
        }
        fragments.push((start, end));
    }
    let covered: Vec<&str> = fragments
        .iter()
        .map(|&(s, e)| index.slice(text, s, e))
        .collect();
    let covered = covered.join(" ");
    if let Some(claimed) = line.third
        && claimed != covered
    {
        return Err(malformed(
            path,
            n,
            format!("{id}: the text at {offsets} is '{covered}', but the line says '{claimed}'"),
        ));
    }
    // One span over the fragments: sorted, with touching or overlapping pieces joined.
    fragments.sort_unstable();
    let mut pieces: Vec<(usize, usize)> = Vec::with_capacity(fragments.len());
    for (a, b) in fragments {
        match pieces.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => pieces.push((a, b)),
        }
    }
    let start = pieces[0].0;
    let end = pieces[pieces.len() - 1].1;
    Ok(ReadSpan {
        start,
        end,
        entity_type: ty.to_string(),
        fragments: if pieces.len() > 1 { pieces } else { Vec::new() },
        ..ReadSpan::default()
    })
}

fn span_text(index: &CharIndex, text: &str, span: &ReadSpan) -> String {
    if span.fragments.is_empty() {
        index.slice(text, span.start, span.end).to_string()
    } else {
        let parts: Vec<&str> = span
            .fragments
            .iter()
            .map(|&(a, b)| index.slice(text, a, b))
            .collect();
        parts.join(" ")
    }
}

/// An `N` line: links the span to an entity. `Marginalia:E12` names a record of the project
/// that exported the file; any other `DB:ID` is an outside reference kept on the entity. The
/// first `N` line of a span picks its entity (by `DB:ID` and the span's type, so spans of two
/// types never merge); later ones add references to it.
fn normalize(import: &mut AnnotatedImport, span: &mut ReadSpan, key: &str, name: String) {
    let internal = key.starts_with("Marginalia:");
    let reference = (!internal).then(|| key.to_string());
    if let Some(link) = &span.link {
        if let (Some(r), Some(e)) = (
            reference,
            import.entities.iter_mut().find(|e| e.key == *link),
        ) && !e.references.contains(&r)
        {
            e.references.push(r);
        }
        return;
    }
    let key = if internal {
        key.to_string()
    } else {
        format!("{key}|{}", span.entity_type)
    };
    if !import.entities.iter().any(|e| e.key == key) {
        import.entities.push(ReadEntity {
            key: key.clone(),
            name,
            entity_type: span.entity_type.clone(),
            references: reference.into_iter().collect(),
            ..ReadEntity::default()
        });
    }
    span.link = Some(key);
}

/// Declares an event role as a relation type of the import's schema.
fn declare_role(import: &mut AnnotatedImport, role: &str) {
    match import
        .declared
        .relation_types
        .iter_mut()
        .find(|t| t.id == role)
    {
        Some(t) => t.event_role = true,
        None => import.declared.relation_types.push(RelationType {
            id: role.to_string(),
            label: role.replace('_', " "),
            source_types: Vec::new(),
            target_types: Vec::new(),
            symmetric: false,
            event_role: true,
            arc_style: String::new(),
        }),
    }
}

/// The sidecar's content (see `SIDECAR`), read from every folder of an import.
#[derive(Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct Sidecar {
    /// By text file name ("001-csto-summit-D3.txt").
    #[serde(default)]
    pub documents: BTreeMap<String, SidecarDocument>,
    /// By the key the import gives the entity (`Marginalia:E3`, or `DB:ID|TYPE`).
    #[serde(default)]
    pub entities: BTreeMap<String, SidecarEntity>,
}

#[derive(Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct SidecarDocument {
    pub title: String,
    #[serde(default)]
    pub status: DocumentStatus,
    #[serde(default)]
    pub metadata: DocumentMetadata,
}

#[derive(Debug, Default, serde::Deserialize, serde::Serialize)]
pub struct SidecarEntity {
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub note: String,
}

impl Sidecar {
    fn read(&mut self, dir: &Path) -> Result<(), ImportError> {
        let path = dir.join(SIDECAR);
        if !path.is_file() {
            return Ok(());
        }
        let text = super::decode::read_exact_text(&path)?;
        let more: Sidecar = serde_json::from_str(&text).map_err(|e| ImportError::Malformed {
            path: path.clone(),
            line: e.line(),
            message: format!("not a Marginalia brat sidecar: {e}"),
        })?;
        self.documents.extend(more.documents);
        self.entities.extend(more.entities);
        Ok(())
    }

    fn apply_document(&self, doc: &mut AnnotatedDocument) {
        let name = doc
            .doc
            .source
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if let Some(d) = self.documents.get(&name) {
            if !d.title.trim().is_empty() {
                doc.doc.title = d.title.clone();
            }
            doc.status = Some(d.status);
            doc.doc.metadata = d.metadata.clone();
        }
    }

    fn apply_entities(&self, entities: &mut [ReadEntity]) {
        for e in entities {
            if let Some(s) = self.entities.get(&e.key) {
                if !s.name.trim().is_empty() {
                    e.name = s.name.clone();
                }
                e.aliases = s.aliases.clone();
                e.note = s.note.clone();
            }
        }
    }
}

/// Merges a folder's `annotation.conf` (types, relation constraints) and `visual.conf`
/// (labels, colours) into the import's declared schema.
fn read_conf(dir: &Path, import: &mut AnnotatedImport) -> Result<(), ImportError> {
    let conf = dir.join("annotation.conf");
    if !conf.is_file() {
        return Ok(());
    }
    let text = super::decode::read_exact_text(&conf)?;
    let visual = dir.join("visual.conf");
    let visual = if visual.is_file() {
        super::decode::read_exact_text(&visual)?
    } else {
        String::new()
    };
    import.extend(AnnotatedImport {
        declared: parse_conf(&text, &visual),
        ..AnnotatedImport::default()
    });
    Ok(())
}

/// Reads the parts of brat's configuration that map onto a schema: entity types, relation
/// types with their constraints, event types (as entity types of their triggers) and their
/// roles (as event-role relation types); from visual.conf labels, short labels, span colours
/// and arc styles. Attribute declarations need nothing: values are kept on the spans.
pub(crate) fn parse_conf(annotation: &str, visual: &str) -> Schema {
    let mut schema = Schema::default();
    let mut section = "";
    for line in annotation.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('-') {
            continue;
        }
        if line.starts_with('[') && line.ends_with(']') {
            section = match line {
                "[entities]" => "entities",
                "[relations]" => "relations",
                "[events]" => "events",
                _ => "",
            };
            continue;
        }
        // Macros (<ENTITY>=...), abstract types (!Type) and special rows (<OVERLAP>).
        if line.starts_with('<') || line.starts_with('!') || line.contains('=') {
            continue;
        }
        let (name, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
        let types = |value: &str| {
            value
                .split('|')
                .map(str::trim)
                .filter(|t| !t.is_empty() && !t.starts_with('<'))
                .map(str::to_string)
                .collect::<Vec<_>>()
        };
        match section {
            "entities" => {
                schema.ensure_entity_type(name);
            }
            "events" => {
                schema.ensure_entity_type(name);
                for part in rest.split(',') {
                    let Some((role, _)) = part.trim().split_once(':') else {
                        continue;
                    };
                    // "Theme+", "Site?", "Theme2": one role.
                    let role = role
                        .trim()
                        .trim_end_matches(['?', '*', '+', '{', '}'])
                        .trim_end_matches(|c: char| c.is_ascii_digit());
                    if role.is_empty() || role.starts_with('<') {
                        continue;
                    }
                    match schema.relation_types.iter_mut().find(|t| t.id == role) {
                        Some(t) => t.event_role = true,
                        None => {
                            schema.ensure_relation_type(role);
                            if let Some(t) = schema.relation_types.last_mut() {
                                t.event_role = true;
                            }
                        }
                    }
                }
            }
            "relations" => {
                let mut rel = RelationType {
                    id: name.to_string(),
                    label: name.replace('_', " "),
                    source_types: Vec::new(),
                    target_types: Vec::new(),
                    symmetric: false,
                    event_role: false,
                    arc_style: String::new(),
                };
                for part in rest.split(',') {
                    let Some((key, value)) = part.trim().split_once(':') else {
                        continue;
                    };
                    match key {
                        "Arg1" => rel.source_types = types(value),
                        "Arg2" => rel.target_types = types(value),
                        "<REL-TYPE>" => rel.symmetric = value.contains("symmetric"),
                        _ => {}
                    }
                }
                // Equivalence sets (`*` lines) become entities, not relations.
                if schema.relation_type(name).is_none() && name != "Equiv" {
                    schema.relation_types.push(rel);
                }
            }
            _ => {}
        }
    }
    // visual.conf: "[labels] TYPE | Long label | short" and "[drawing] TYPE bgColor:#rrggbb".
    let mut section = "";
    for line in visual.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if line.starts_with('[') {
            section = if line == "[labels]" {
                "labels"
            } else if line == "[drawing]" {
                "drawing"
            } else {
                ""
            };
            continue;
        }
        if section == "labels" {
            let parts: Vec<&str> = line.split('|').map(str::trim).collect();
            let (Some(id), Some(label)) = (parts.first(), parts.get(1)) else {
                continue;
            };
            // The last of several abbreviations is the shortest.
            let short = if parts.len() > 2 {
                parts[parts.len() - 1]
            } else {
                ""
            };
            if let Some(t) = schema.entity_types.iter_mut().find(|t| t.id == *id) {
                t.label = label.to_string();
                t.short_label = short.to_string();
            } else if let Some(t) = schema.relation_types.iter_mut().find(|t| t.id == *id) {
                t.label = label.to_string();
            }
        } else if section == "drawing" {
            let (id, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let color = rest.split(',').find_map(|p| {
                let (k, v) = p.trim().split_once(':')?;
                (k.trim() == "bgColor" && parse_hex_color(v.trim()).is_some())
                    .then(|| v.trim().to_ascii_lowercase())
            });
            if let Some(t) = schema.entity_types.iter_mut().find(|t| t.id == id) {
                if let Some(color) = color {
                    t.color = color;
                }
            } else if let Some(t) = schema.relation_types.iter_mut().find(|t| t.id == id) {
                t.arc_style = rest.trim().to_string();
            }
        }
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::annotated::annotated_transaction;
    use crate::model::Project;
    use std::fs;

    fn parse(
        ann: &str,
        text: &str,
    ) -> Result<(Vec<ReadSpan>, Vec<ReadRelation>, AnnotatedImport), ImportError> {
        let mut import = AnnotatedImport::default();
        let (s, r) = parse_ann(Path::new("x.ann"), ann, text, &mut import)?;
        Ok((s, r, import))
    }

    #[test]
    fn reads_spans_relations_links_and_notes() {
        let text = "CSTO met in Yerevan. Collective Security Treaty Organization";
        let ann = "T1\tORG 0 4\tCSTO\nT2\tGPE 12 19\tYerevan\nR1\tlocated_in Arg1:T1 Arg2:T2\n\
                   N1\tReference T1 Marginalia:E12\tCollective Security Treaty Organization\n\
                   #1\tAnnotatorNotes T2\tcapital\nA1\tNegated T1\n";
        let (spans, rels, import) = parse(ann, text).unwrap();
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[0].link.as_deref(), Some("Marginalia:E12"));
        assert_eq!(spans[1].note, "capital");
        assert_eq!(rels[0].relation_type, "located_in");
        assert_eq!((rels[0].source, rels[0].target), (0, 1));
        assert_eq!(
            import.entities[0].name,
            "Collective Security Treaty Organization"
        );
        assert!(import.entities[0].references.is_empty());
        assert_eq!(
            spans[0].attributes.get("Negated").map(String::as_str),
            Some("")
        );
        assert!(import.notices.is_empty(), "{:?}", import.notices);
    }

    #[test]
    fn discontinuous_spans_stay_one_span_with_fragments() {
        let text = "North and South Korea";
        let (spans, _, import) = parse("T1\tGPE 16 21;0 5\tKorea North\n", text).unwrap();
        assert_eq!(spans.len(), 1);
        assert_eq!((spans[0].start, spans[0].end), (0, 21));
        assert_eq!(spans[0].fragments, vec![(0, 5), (16, 21)]);
        assert!(import.notices.is_empty());
    }

    #[test]
    fn events_with_event_arguments_notes_and_attributes() {
        // The tutorial's shapes: an event whose argument is another event, a note and an
        // attribute on an event, a relation from an event, an attribute on a relation.
        let text = "Rebels shelled the town and the army answered.";
        let ann = "T1\tGroup 0 6\tRebels\nT2\tAttack 7 14\tshelled\nT3\tPlace 19 23\ttown\n\
                   T4\tGroup 28 36\tthe army\nT5\tResponse 37 45\tanswered\n\
                   E1\tAttack:T2 Attacker:T1 Target:T3\nE2\tResponse:T5 Agent:T4 Cause:E1\n\
                   E3\tAttack:T2 Target2:T3 Target:T4\n\
                   R1\tfollows Arg1:E2 Arg2:E1\nA1\tNegation E2\nA2\tCertainty E1 High\n\
                   A3\tRumour R1\n#1\tAnnotatorNotes E1\tfirst strike\n#2\tAnnotatorNotes A2\tsource says\n";
        let (spans, rels, import) = parse(ann, text).unwrap();
        // Five T lines and a copy of T2 for E3, which shares its trigger with E1.
        assert_eq!(spans.len(), 6);
        let e1 = &spans[1];
        assert!(e1.event && e1.entity_type == "Attack");
        assert_eq!(e1.note, "first strike; A2: source says");
        assert_eq!(
            e1.attributes.get("Certainty").map(String::as_str),
            Some("High")
        );
        assert_eq!(
            spans[4].attributes.get("Negation").map(String::as_str),
            Some("")
        );
        let args: Vec<(&str, usize, usize)> = rels
            .iter()
            .map(|r| (r.relation_type.as_str(), r.source, r.target))
            .collect();
        assert_eq!(
            args,
            vec![
                ("Attacker", 1, 0),
                ("Target", 1, 2),
                ("Agent", 4, 3),
                ("Cause", 4, 1),
                ("Target", 5, 2),
                ("Target", 5, 3),
                ("follows", 4, 1),
            ]
        );
        let target = import.declared.relation_type("Target").unwrap();
        assert!(target.event_role);
        let notice = import.notices.join("\n");
        assert!(
            notice.contains("1 attribute on a relation dropped"),
            "{notice}"
        );
        assert!(notice.contains("1 event sharing a trigger"), "{notice}");
        assert!(
            notice.contains("1 note on an attribute or normalization"),
            "{notice}"
        );
    }

    #[test]
    fn normalizations_keep_their_ids_and_never_merge_types() {
        let text = "Aspirin eases pain; aspirin the brand.";
        let ann = "T1\tChemical 0 7\tAspirin\nT2\tBrand 20 27\taspirin\nT3\tChemical 20 27\taspirin\n\
                   N1\tReference T1 MESH:D001241\tAspirin\nN2\tReference T2 MESH:D001241\tAspirin\n\
                   N3\tReference T3 MESH:D001241\tAspirin\nN4\tReference T1 Wikidata:Q18216\tAspirin\n";
        let (spans, _, import) = parse(ann, text).unwrap();
        assert_eq!(import.entities.len(), 2);
        assert_eq!(spans[0].link, spans[2].link);
        assert_ne!(spans[0].link, spans[1].link);
        let chem = import
            .entities
            .iter()
            .find(|e| e.entity_type == "Chemical")
            .unwrap();
        assert_eq!(chem.references, vec!["MESH:D001241", "Wikidata:Q18216"]);
    }

    #[test]
    fn equivalence_sets_become_one_entity() {
        let text = "IL-2 and interleukin-2 and IL2";
        let ann = "T1\tProtein 0 4\tIL-2\nT2\tProtein 9 22\tinterleukin-2\nT3\tProtein 27 30\tIL2\n\
                   *\tEquiv T1 T2 T3\n";
        let (spans, _, import) = parse(ann, text).unwrap();
        assert_eq!(import.entities.len(), 1);
        assert_eq!(import.entities[0].name, "IL-2");
        assert!(
            spans
                .iter()
                .all(|s| s.link == spans[0].link && s.link.is_some())
        );
    }

    #[test]
    fn file_names_with_dots_are_kept_whole() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("PMID-1.v2.txt"), "Rebels shelled it.").unwrap();
        fs::write(dir.path().join("PMID-1.v2.ann"), "T1\tGroup 0 6\tRebels\n").unwrap();
        let import = read(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(import.documents.len(), 1);
        assert_eq!(import.documents[0].spans.len(), 1);
        let import = read(&[dir.path().join("PMID-1.v2.ann")]).unwrap();
        assert_eq!(
            import.documents[0].doc.source,
            dir.path().join("PMID-1.v2.txt")
        );
    }

    #[test]
    fn offsets_count_code_points_of_the_raw_text() {
        let text = "Ərdoğan\r\nmet Aliyev";
        let (spans, _, _) = parse("T1\tPER 13 19\tAliyev\n", text).unwrap();
        assert_eq!(spans[0].start, 13);
    }

    #[test]
    fn malformed_lines_name_the_line() {
        let text = "Armenia and Azerbaijan";
        for (ann, want) in [
            ("T1\tGPE 0 7\tArmenia\nT2\tGPE 0 7\tArmenix\n", "x.ann:2:"),
            ("T1\tGPE 0 99\tArmenia\n", "x.ann:1:"),
            ("T1\tGPE 7 0\tArmenia\n", "x.ann:1:"),
            ("T1\tGPE x 7\tArmenia\n", "x.ann:1:"),
            (
                "T1\tGPE 0 7\tArmenia\n\nR1\topposes Arg1:T1 Arg2:T9\n",
                "x.ann:3:",
            ),
            ("T1\tGPE 0 7\tArmenia\nT1\tGPE 0 7\tArmenia\n", "x.ann:2:"),
            ("hello\n", "x.ann:1:"),
        ] {
            let err = parse(ann, text).unwrap_err().to_string();
            assert!(err.starts_with(want), "{ann:?}: {err}");
        }
    }

    #[test]
    fn conf_gives_types_constraints_labels_and_colours() {
        let schema = parse_conf(
            "[entities]\nWEAPON\n!Abstract\n  SubType\n[relations]\nuses Arg1:PER|ORG, Arg2:WEAPON\n<OVERLAP> Arg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\nallied Arg1:ORG, Arg2:ORG, <REL-TYPE>:symmetric-transitive\n[events]\nStrike\tAttacker+:ORG, Target*:GPE, Site2?:LOC\n[attributes]\nNegation Arg:<EVENT>\n",
            "[labels]\nWEAPON | Weapon system | Weapon | W\n[drawing]\nWEAPON\tbgColor:#123456, borderColor:darken\nuses\tcolor:#3fa03f, dashArray:3-3\n",
        );
        assert_eq!(schema.entity_type("WEAPON").unwrap().short_label, "W");
        assert!(schema.entity_type("Strike").is_some());
        for role in ["Attacker", "Target", "Site"] {
            assert!(schema.relation_type(role).unwrap().event_role, "{role}");
        }
        assert_eq!(
            schema.relation_type("uses").unwrap().arc_style,
            "color:#3fa03f, dashArray:3-3"
        );
        let w = schema.entity_type("WEAPON").unwrap();
        assert_eq!(
            (w.label.as_str(), w.color.as_str()),
            ("Weapon system", "#123456")
        );
        assert!(schema.entity_type("SubType").is_some());
        assert!(schema.entity_type("Abstract").is_none());
        let uses = schema.relation_type("uses").unwrap();
        assert_eq!(uses.source_types, vec!["PER", "ORG"]);
        assert!(schema.relation_type("allied").unwrap().symmetric);
        assert!(schema.relation_type("<OVERLAP>").is_none());
    }

    #[test]
    fn folder_import_adds_unknown_types_and_links_entities() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.txt"), "CSTO troops in Syunik.\n").unwrap();
        fs::write(
            dir.path().join("a.ann"),
            "T1\tORG 0 4\tCSTO\nT2\tTROOPS 5 11\ttroops\nR1\tdeployed_in Arg1:T2 Arg2:T1\nN1\tReference T1 Wikidata:Q7184\tCSTO\n",
        )
        .unwrap();
        let import = read(&[dir.path().to_path_buf()]).unwrap();
        let mut p = Project::new("t");
        let (tx, report) = annotated_transaction(&p, import);
        tx.apply(&mut p).unwrap();
        p.validate().unwrap();
        assert_eq!(report.added, 1);
        assert!(p.schema.entity_type("TROOPS").is_some());
        assert!(p.schema.relation_type("deployed_in").is_some());
        assert!(report.notices.iter().any(|n| n.contains("TROOPS")));
        assert_eq!(p.entities.len(), 1);
        assert_eq!(p.entities[0].references, vec!["Wikidata:Q7184"]);
        let d = &p.documents[0];
        assert_eq!(d.spans[0].entity, Some(p.entities[0].id));
        assert_eq!(d.relations.len(), 1);
        assert_eq!(d.source, "a.txt");
    }
}
