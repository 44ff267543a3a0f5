//! brat standoff: folders of `.txt`/`.ann` pairs, plus `annotation.conf`/`visual.conf`.
//!
//! Offsets are code-point offsets into the exact bytes of the `.txt` file, so the text is taken
//! as it is (no line-ending or BOM changes). Every T line's covered text is checked against the
//! text at its offsets, as brat itself does.

use super::ImportError;
use super::ReadDocument;
use super::annotated::{AnnotatedDocument, AnnotatedImport, ReadEntity, ReadRelation, ReadSpan};
use crate::model::{RelationType, Schema, parse_hex_color};
use crate::text::CharIndex;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Reads brat documents from files and folders (recursively, in name order).
pub fn read(paths: &[PathBuf]) -> Result<AnnotatedImport, ImportError> {
    let mut import = AnnotatedImport::default();
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
        }
        for stem in stems {
            let doc = read_pair(&stem, &mut import)?;
            import.documents.push(doc);
        }
    }
    Ok(import)
}

/// Collects the `.txt`/`.ann` stems under a folder, and the folders themselves (for confs).
fn walk(
    dir: &Path,
    stems: &mut BTreeSet<PathBuf>,
    dirs: &mut Vec<PathBuf>,
) -> Result<(), ImportError> {
    super::walk_files(dir, &mut |d| dirs.push(d.to_path_buf()), &mut |path| {
        if matches!(super::extension(&path).as_str(), "ann" | "txt") {
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
    let txt = stem.with_extension("txt");
    let ann = stem.with_extension("ann");
    if !txt.exists() {
        return Err(malformed(
            &ann,
            1,
            format!("no text file {} beside it", txt.display()),
        ));
    }
    let text = super::decode::read_exact_text(&txt)?;
    let annotations = if ann.exists() {
        super::decode::read_exact_text(&ann)?
    } else {
        String::new()
    };
    parse_pair(&txt, text, &annotations, import)
}

/// Reads one document from the contents of its `.txt` file (`text`, exactly as in the file)
/// and its `.ann` file; `txt` names the text file (the `.ann` path is derived from it).
pub fn parse_pair(
    txt: &Path,
    text: String,
    annotations: &str,
    import: &mut AnnotatedImport,
) -> Result<AnnotatedDocument, ImportError> {
    if text.trim().is_empty() {
        return Err(ImportError::Empty {
            path: txt.to_path_buf(),
        });
    }
    let ann = txt.with_extension("ann");
    let (spans, relations) = parse_ann(&ann, annotations, &text, import)?;
    let title = super::title_from_text(&text, txt);
    Ok(AnnotatedDocument {
        format: "brat",
        doc: ReadDocument {
            title,
            source: txt.to_path_buf(),
            text,
            metadata: Default::default(),
        },
        spans,
        relations,
    })
}

/// Parses one `.ann` file against its text. Spans and relations come out in file order.
pub(crate) fn parse_ann(
    path: &Path,
    ann: &str,
    text: &str,
    import: &mut AnnotatedImport,
) -> Result<(Vec<ReadSpan>, Vec<ReadRelation>), ImportError> {
    let index = CharIndex::new(text);
    let len = index.char_len();
    let mut spans: Vec<ReadSpan> = Vec::new();
    let mut relations: Vec<ReadRelation> = Vec::new();
    // brat id -> index of its (first) span / its relation.
    let mut span_of: HashMap<&str, usize> = HashMap::new();
    let mut relation_of: HashMap<&str, usize> = HashMap::new();
    let mut later = Vec::new();
    let mut ignored: BTreeSet<char> = BTreeSet::new();
    let mut ids = BTreeSet::new();

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
                format!("'{id}' is not an annotation id (expected T, R, N, #, A, M, E or * lines)"),
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
        match kind {
            'T' => {
                let (ty, offsets) = body.split_once(' ').ok_or_else(|| {
                    malformed(
                        path,
                        n,
                        format!("{id}: expected 'TYPE START END', found '{body}'"),
                    )
                })?;
                let mut fragments = Vec::new();
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
                if let Some(&claimed) = fields.get(2)
                    && claimed != covered
                {
                    return Err(malformed(
                        path,
                        n,
                        format!(
                            "{id}: the text at {offsets} is '{covered}', but the line says '{claimed}'"
                        ),
                    ));
                }
                if fragments.len() > 1 {
                    import.notices.push(format!(
                        "{}:{n}: discontinuous span {id} imported as {} separate spans",
                        path.display(),
                        fragments.len()
                    ));
                }
                span_of.insert(id, spans.len());
                for (start, end) in fragments {
                    spans.push(ReadSpan {
                        start,
                        end,
                        entity_type: ty.to_string(),
                        ..ReadSpan::default()
                    });
                }
            }
            'R' | 'N' | '#' => later.push((n, kind, id, body, fields.get(2).copied())),
            other => {
                ignored.insert(other);
            }
        }
    }

    let span_ref = |n: usize, name: &str| {
        span_of.get(name).copied().ok_or_else(|| {
            malformed(
                path,
                n,
                format!("{name} is not a text-bound annotation (T line) of this file"),
            )
        })
    };
    for &(n, kind, id, body, third) in &later {
        let parts: Vec<&str> = body.split_whitespace().collect();
        match kind {
            'R' => {
                let [ty, a, b] = parts.as_slice() else {
                    return Err(malformed(
                        path,
                        n,
                        format!("{id}: expected 'TYPE Arg1:T1 Arg2:T2', found '{body}'"),
                    ));
                };
                let arg = |s: &str| s.split_once(':').map(|(_, t)| t.to_string());
                let (Some(a), Some(b)) = (arg(a), arg(b)) else {
                    return Err(malformed(
                        path,
                        n,
                        format!("{id}: arguments must look like Arg1:T1"),
                    ));
                };
                let source = span_ref(n, &a)?;
                let target = span_ref(n, &b)?;
                relation_of.insert(id, relations.len());
                relations.push(ReadRelation {
                    relation_type: ty.to_string(),
                    source,
                    target,
                    note: String::new(),
                });
            }
            'N' => {
                let [_, target, key] = parts.as_slice() else {
                    return Err(malformed(
                        path,
                        n,
                        format!("{id}: expected 'Reference T1 DB:ID', found '{body}'"),
                    ));
                };
                if !key.contains(':') {
                    return Err(malformed(path, n, format!("{id}: '{key}' is not DB:ID")));
                }
                let s = span_ref(n, target)?;
                let span = &spans[s];
                let name = third
                    .filter(|t| !t.trim().is_empty())
                    .map(str::to_string)
                    .unwrap_or_else(|| index.slice(text, span.start, span.end).to_string());
                if !import.entities.iter().any(|e| e.key == *key) {
                    import.entities.push(ReadEntity {
                        key: key.to_string(),
                        name,
                        entity_type: span.entity_type.clone(),
                    });
                }
                spans[s].link = Some(key.to_string());
            }
            _ => {
                // '#': AnnotatorNotes on a span or a relation; other note kinds are ignored.
                let [note_kind, target] = parts.as_slice() else {
                    return Err(malformed(
                        path,
                        n,
                        format!("{id}: expected 'AnnotatorNotes T1', found '{body}'"),
                    ));
                };
                if *note_kind != "AnnotatorNotes" {
                    ignored.insert('#');
                    continue;
                }
                let note = third.unwrap_or("").to_string();
                if let Some(&s) = span_of.get(target) {
                    spans[s].note = note;
                } else if let Some(&r) = relation_of.get(target) {
                    relations[r].note = note;
                } else {
                    return Err(malformed(
                        path,
                        n,
                        format!("{id}: the note is on {target}, which is not in this file"),
                    ));
                }
            }
        }
    }
    if !ignored.is_empty() {
        let kinds: Vec<String> = ignored.iter().map(|c| c.to_string()).collect();
        import.notices.push(format!(
            "{}: ignored annotation lines of kind {} (attributes, events, equivalences and other notes are not supported)",
            path.display(),
            kinds.join(", ")
        ));
    }
    Ok((spans, relations))
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

/// Reads the parts of brat's configuration that map onto a schema; the rest is ignored.
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
                _ => "",
            };
            continue;
        }
        // Macros (<ENTITY>=...), abstract types (!Type) and special rows (<OVERLAP>).
        if line.starts_with('<') || line.starts_with('!') || line.contains('=') {
            continue;
        }
        match section {
            "entities" => {
                let name = line.split_whitespace().next().unwrap_or(line);
                schema.ensure_entity_type(name);
            }
            "relations" => {
                let (name, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
                let mut rel = RelationType {
                    id: name.to_string(),
                    label: name.replace('_', " "),
                    source_types: Vec::new(),
                    target_types: Vec::new(),
                    symmetric: false,
                };
                for part in rest.split(',') {
                    let Some((key, value)) = part.trim().split_once(':') else {
                        continue;
                    };
                    let types = || {
                        value
                            .split('|')
                            .map(str::trim)
                            .filter(|t| !t.is_empty() && !t.starts_with('<'))
                            .map(str::to_string)
                            .collect::<Vec<_>>()
                    };
                    match key {
                        "Arg1" => rel.source_types = types(),
                        "Arg2" => rel.target_types = types(),
                        "<REL-TYPE>" => rel.symmetric = value.contains("symmetric"),
                        _ => {}
                    }
                }
                if schema.relation_type(name).is_none() {
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
            let mut parts = line.split('|').map(str::trim);
            let (Some(id), Some(label)) = (parts.next(), parts.next()) else {
                continue;
            };
            if let Some(t) = schema.entity_types.iter_mut().find(|t| t.id == id) {
                t.label = label.to_string();
            } else if let Some(t) = schema.relation_types.iter_mut().find(|t| t.id == id) {
                t.label = label.to_string();
            }
        } else if section == "drawing" {
            let (id, rest) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let color = rest.split(',').find_map(|p| {
                let (k, v) = p.trim().split_once(':')?;
                (k.trim() == "bgColor" && parse_hex_color(v.trim()).is_some())
                    .then(|| v.trim().to_ascii_lowercase())
            });
            if let (Some(color), Some(t)) =
                (color, schema.entity_types.iter_mut().find(|t| t.id == id))
            {
                t.color = color;
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
        assert!(
            import.notices.iter().any(|n| n.contains("ignored")),
            "{:?}",
            import.notices
        );
    }

    #[test]
    fn discontinuous_spans_become_separate_spans_with_a_notice() {
        let text = "North and South Korea";
        let (spans, _, import) = parse("T1\tGPE 0 5;16 21\tNorth Korea\n", text).unwrap();
        assert_eq!(spans.len(), 2);
        assert_eq!((spans[1].start, spans[1].end), (16, 21));
        assert!(import.notices[0].contains("discontinuous"));
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
            "[entities]\nWEAPON\n!Abstract\n  SubType\n[relations]\nuses Arg1:PER|ORG, Arg2:WEAPON\n<OVERLAP> Arg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\nallied Arg1:ORG, Arg2:ORG, <REL-TYPE>:symmetric-transitive\n[events]\n[attributes]\n",
            "[labels]\nWEAPON | Weapon system | W\n[drawing]\nWEAPON\tbgColor:#123456, borderColor:darken\n",
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
        let d = &p.documents[0];
        assert_eq!(d.spans[0].entity, Some(p.entities[0].id));
        assert_eq!(d.relations.len(), 1);
        assert_eq!(d.source, "a.txt");
    }
}
