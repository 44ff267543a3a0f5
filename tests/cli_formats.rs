//! End-to-end tests of annotated import and export: round trips through brat, CoNLL and
//! JSONL, every export format of the sample project parsed back, and malformed inputs.

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

mod common;
use common::*;
use marginalia::model::{Project, ShortName};
use marginalia::store;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

type SpanKey = (usize, usize, ShortName, String, String);
type RelKey = (
    ShortName,
    (usize, usize, ShortName),
    (usize, usize, ShortName),
    String,
);

/// Annotations by document text, independent of ids: spans (offsets, type, note, linked
/// entity name) and relations (type, both ends by offsets and type, note).
fn annotations(p: &Project) -> BTreeMap<String, (BTreeSet<SpanKey>, BTreeSet<RelKey>)> {
    p.documents
        .iter()
        .map(|d| {
            let spans = d
                .spans
                .iter()
                .map(|s| {
                    let entity = s
                        .entity
                        .and_then(|e| p.entity(e))
                        .map(|e| e.name.clone())
                        .unwrap_or_default();
                    (
                        s.start,
                        s.end,
                        s.entity_type.clone(),
                        s.note.clone(),
                        entity,
                    )
                })
                .collect();
            let end = |id| {
                let s = d.span(id).unwrap();
                (s.start, s.end, s.entity_type.clone())
            };
            let rels = d
                .relations
                .iter()
                .map(|r| {
                    (
                        r.relation_type.clone(),
                        end(r.source),
                        end(r.target),
                        r.note.clone(),
                    )
                })
                .collect();
            (d.text.clone(), (spans, rels))
        })
        .collect()
}

/// Token/tag pairs per sentence, ignoring `-DOCSTART-` lines and extra columns.
fn conll_sentences(text: &str) -> Vec<Vec<(String, String)>> {
    let mut out = vec![Vec::new()];
    for line in text.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.first() == Some(&"-DOCSTART-") {
            continue;
        }
        if cols.is_empty() {
            if !out.last().unwrap().is_empty() {
                out.push(Vec::new());
            }
            continue;
        }
        out.last_mut()
            .unwrap()
            .push((cols[0].to_string(), cols[cols.len() - 1].to_string()));
    }
    out.retain(|s| !s.is_empty());
    out
}

#[test]
fn brat_round_trips_spans_relations_links_and_notes() {
    let dir = tempfile::tempdir().unwrap();
    let project = new_project(dir.path(), "p.ron");
    let out = ok(&[
        "import",
        p(&project),
        p(&fixture("sample-brat")),
        p(&fixture("formats/brat")),
        "--format",
        "brat",
    ]);
    assert!(out.contains("imported 7 documents"), "{out}");
    let first = store::load(&project).unwrap();
    first.validate().unwrap();
    assert_eq!(first.entities.len(), 2, "N lines link to two records");

    let folder = dir.path().join("brat-out");
    ok(&[
        "export",
        p(&project),
        "--format",
        "brat",
        "--out",
        p(&folder),
    ]);
    assert!(folder.join("annotation.conf").is_file());
    assert!(folder.join("visual.conf").is_file());
    let names: Vec<String> = fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.iter().filter(|n| n.ends_with(".ann")).count(), 7);

    let again = new_project(dir.path(), "q.ron");
    ok(&["import", p(&again), p(&folder)]); // auto: a folder with .ann files is brat
    let second = store::load(&again).unwrap();
    assert_eq!(annotations(&first), annotations(&second));
    assert_eq!(second.schema, first.schema);
}

#[test]
fn conll_round_trips_iob2_and_iob1() {
    for (file, scheme) in [
        ("formats/iob2.conll", "iob2"),
        ("formats/iob1.conll", "iob1"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let project = new_project(dir.path(), "p.ron");
        ok(&["import", p(&project), p(&fixture(file))]);
        let out = dir.path().join("out.conll");
        ok(&[
            "export",
            p(&project),
            "--format",
            "conll",
            "--scheme",
            scheme,
            "--out",
            p(&out),
        ]);
        let original = fs::read_to_string(fixture(file)).unwrap();
        let exported = fs::read_to_string(&out).unwrap();
        assert_eq!(
            conll_sentences(&original),
            conll_sentences(&exported),
            "{file}"
        );
    }
    // The IOB2 file has two -DOCSTART- documents; MISC-like unknown types are added.
    let dir = tempfile::tempdir().unwrap();
    let project = new_project(dir.path(), "p.ron");
    ok(&[
        "import",
        p(&project),
        p(&fixture("formats/iob2.conll")),
        "--format",
        "conll",
    ]);
    let loaded = store::load(&project).unwrap();
    let titles: Vec<_> = loaded.documents.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles, vec!["iob2 #1", "iob2 #2"]);
    assert!(loaded.documents[0].text.starts_with(
        "Armenian Prime Minister Nikol Pashinyan met CSTO leaders in Yerevan .\nThe talks"
    ));
}

#[test]
fn jsonl_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let project = new_project(dir.path(), "p.ron");
    ok(&["import", p(&project), p(&fixture("formats/doccano.jsonl"))]);
    let first = store::load(&project).unwrap();
    assert_eq!(first.documents.len(), 2);
    let out = dir.path().join("out.jsonl");
    ok(&[
        "export",
        p(&project),
        "--format",
        "jsonl",
        "--jsonl-shape",
        "relation",
        "--out",
        p(&out),
    ]);
    for line in fs::read_to_string(&out).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        for key in ["id", "text", "title", "entities", "relations"] {
            assert!(v.get(key).is_some(), "{key} in {line}");
        }
    }
    // The default shape is the one a sequence-labelling project imports.
    let seq = dir.path().join("seq.jsonl");
    ok(&["export", p(&project), "--format", "jsonl", "--out", p(&seq)]);
    for line in fs::read_to_string(&seq).unwrap().lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(
            v["label"].is_array() && v.get("entities").is_none(),
            "{line}"
        );
    }
    let again = new_project(dir.path(), "q.ron");
    ok(&["import", p(&again), p(&out), "--format", "jsonl"]);
    assert_eq!(
        annotations(&first),
        annotations(&store::load(&again).unwrap())
    );
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/sample.ron")
}

#[test]
fn every_format_of_the_sample_project_parses_back() {
    let dir = tempfile::tempdir().unwrap();
    let project = sample();
    let sample = store::load(&project).unwrap();
    let export = |format: &str| {
        let out = dir.path().join(format!("out.{format}"));
        ok(&["export", p(&project), "--format", format, "--out", p(&out)]);
        out
    };

    // ron and json carry the whole project.
    assert_eq!(store::load(&export("ron")).unwrap(), sample);
    let json: Project = serde_json::from_str(&fs::read_to_string(export("json")).unwrap()).unwrap();
    assert_eq!(annotations(&json), annotations(&sample));

    // brat re-imports to the same annotations.
    let brat = export("brat");
    let q = new_project(dir.path(), "q.ron");
    ok(&["import", p(&q), p(&brat), "--format", "brat"]);
    assert_eq!(annotations(&store::load(&q).unwrap()), annotations(&sample));

    // jsonl: one line per document, offsets matching the text.
    let jsonl = fs::read_to_string(export("jsonl")).unwrap();
    assert_eq!(jsonl.lines().count(), sample.documents.len());

    // conll: one -DOCSTART- per document; every token tagged.
    let conll = fs::read_to_string(export("conll")).unwrap();
    assert_eq!(
        conll.matches("-DOCSTART- O").count(),
        sample.documents.len()
    );
    assert!(
        conll
            .lines()
            .all(|l| l.is_empty() || l.split(' ').count() == 2)
    );
    assert!(conll.contains(" B-ORG\n"));

    // csv: three tables with one row per entity, span and relation.
    let csv_dir = export("csv");
    let rows = |name: &str| {
        let mut r = csv::Reader::from_path(csv_dir.join(name)).unwrap();
        let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
        let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        (header, rows)
    };
    let (header, mentions) = rows("mentions.csv");
    assert_eq!(mentions.len(), sample.span_count());
    let text_col = header.iter().position(|h| h == "text").unwrap();
    let first = &sample.documents[0];
    assert_eq!(&mentions[0][text_col], first.span_text(&first.spans[0]));
    assert_eq!(rows("relations.csv").1.len(), sample.relation_count());
    assert_eq!(rows("entities.csv").1.len(), sample.entities.len());

    // graphml: well-formed XML with key declarations, nodes and edges that resolve.
    let xml = fs::read_to_string(export("graphml")).unwrap();
    let mut reader = quick_xml::Reader::from_str(&xml);
    let (mut keys, mut nodes, mut edges) = (BTreeSet::new(), BTreeSet::new(), Vec::new());
    loop {
        match reader.read_event().unwrap() {
            quick_xml::events::Event::Eof => break,
            quick_xml::events::Event::Start(e) | quick_xml::events::Event::Empty(e) => {
                let attr = |name: &[u8]| {
                    e.attributes()
                        .map(|a| a.unwrap())
                        .find(|a| a.key.as_ref() == name)
                        .map(|a| a.unescape_value().unwrap().into_owned())
                };
                match e.name().as_ref() {
                    b"key" => {
                        keys.insert(attr(b"attr.name").unwrap());
                    }
                    b"node" => {
                        nodes.insert(attr(b"id").unwrap());
                    }
                    b"edge" => edges.push((attr(b"source").unwrap(), attr(b"target").unwrap())),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    for k in ["type", "label", "mentions", "count"] {
        assert!(keys.contains(k), "key {k}");
    }
    assert!(!edges.is_empty());
    for (a, b) in &edges {
        assert!(nodes.contains(a) && nodes.contains(b), "{a} -> {b}");
    }

    // html: every span's text is there (escaped), nothing executable or remote.
    let html = fs::read_to_string(export("html")).unwrap();
    let lower = html.to_lowercase();
    assert!(!lower.contains("<script"));
    assert!(!lower.contains("src="));
    assert!(!lower.contains("<link"));
    for d in &sample.documents {
        for s in &d.spans {
            let escaped = d
                .span_text(s)
                .replace('&', "&amp;")
                .replace('<', "&lt;")
                .replace('>', "&gt;")
                .replace('"', "&quot;")
                .replace('\'', "&#39;");
            assert!(html.contains(&escaped), "{escaped}");
            assert!(
                html.contains(&format!("id=\"m-{}\"", s.id)),
                "anchor of {}",
                s.id
            );
        }
    }
}

#[test]
fn export_refuses_to_overwrite_and_filters_documents_and_types() {
    let dir = tempfile::tempdir().unwrap();
    let project = sample();
    let loaded = store::load(&project).unwrap();
    let out = dir.path().join("x.jsonl");
    fs::write(&out, "keep").unwrap();
    let err = fails(&["export", p(&project), "--format", "jsonl", "--out", p(&out)]);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(fs::read_to_string(&out).unwrap(), "keep");

    let second = &loaded.documents[1];
    ok(&[
        "export",
        p(&project),
        "--format",
        "jsonl",
        "--jsonl-shape",
        "relation",
        "--out",
        p(&out),
        "--force",
        "--doc",
        &second.id.to_string(),
        "--types",
        "PER,ROLE",
    ]);
    let text = fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(v["text"], second.text.as_str());
    let labels: BTreeSet<&str> = v["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, BTreeSet::from(["PER", "ROLE"]));
    // has_role links PER to ROLE, so some relations survive the filter, and only those.
    let kept = v["relations"].as_array().unwrap();
    assert!(!kept.is_empty());
    assert!(kept.iter().all(|r| r["type"] == "has_role"), "{kept:?}");

    let err = fails(&[
        "export",
        p(&project),
        "--format",
        "html",
        "--out",
        p(&dir.path().join("a.html")),
        "--doc",
        "D99999",
    ]);
    assert!(err.contains("D99999"), "{err}");
    let err = fails(&[
        "export",
        p(&project),
        "--format",
        "html",
        "--out",
        p(&dir.path().join("a.html")),
        "--types",
        "WEAPON",
    ]);
    assert!(err.contains("WEAPON"), "{err}");
    assert!(!dir.path().join("a.html").exists());
}

#[test]
fn malformed_inputs_name_file_and_line_and_import_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let conll = dir.path().join("bad-input.conll");
    fs::copy(fixture("formats/bad.conll"), &conll).unwrap();
    let cases = [
        (
            fixture("formats/brat"),
            fixture("formats/bad-brat"),
            "brat",
            "clash.ann:3:",
        ),
        (
            fixture("formats/iob2.conll"),
            conll,
            "conll",
            "bad-input.conll:8:",
        ),
        (
            fixture("formats/doccano.jsonl"),
            fixture("formats/bad.jsonl"),
            "jsonl",
            "bad.jsonl:2:",
        ),
    ];
    for (good, input, format, want) in cases {
        let project = new_project(dir.path(), &format!("{format}.ron"));
        let before = fs::read(&project).unwrap();
        // A good file alongside: the whole import is refused, not just the bad file.
        let err = fails(&[
            "import",
            p(&project),
            p(&good),
            p(&input),
            "--format",
            format,
        ]);
        assert!(err.contains(want), "{format}: {err}");
        assert_eq!(
            fs::read(&project).unwrap(),
            before,
            "{format}: project changed"
        );
    }
    // A T line whose text does not match the offsets.
    let bad = dir.path().join("mismatch");
    fs::create_dir(&bad).unwrap();
    fs::write(bad.join("a.txt"), "Armenia and Azerbaijan\n").unwrap();
    fs::write(
        bad.join("a.ann"),
        "T1\tGPE 0 7\tArmenia\nT2\tGPE 12 22\tAzerbaijam\n",
    )
    .unwrap();
    let project = new_project(dir.path(), "m.ron");
    let err = fails(&["import", p(&project), p(&bad)]);
    assert!(
        err.contains("a.ann:2:") && err.contains("Azerbaijam"),
        "{err}"
    );
}

/// The full CoNLL-2003 test file (from ../shared, never copied here) round-trips.
#[test]
fn conll2003_test_file_round_trips_every_token_and_tag() {
    let data =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/benchmarks/conll2003/test.txt");
    if !data.exists() {
        eprintln!("skipped: {} is absent", data.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = new_project(dir.path(), "p.ron");
    ok(&["import", p(&project), p(&data), "--format", "conll"]);
    let out = dir.path().join("out.conll");
    ok(&["export", p(&project), "--format", "conll", "--out", p(&out)]);
    let original = conll_sentences(&fs::read_to_string(&data).unwrap());
    let exported = conll_sentences(&fs::read_to_string(&out).unwrap());
    assert_eq!(original.len(), exported.len());
    for (i, (a, b)) in original.iter().zip(&exported).enumerate() {
        assert_eq!(a, b, "sentence {i}");
    }
}

/// brat's tutorial shapes: events whose arguments are events, notes on events, relations
/// from events, binary and multi-valued attributes (one on a relation), normalizations of
/// two types to one id, an equivalence set, a discontinuous span and a name with dots.
#[test]
fn brat_events_attributes_normalizations_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let project = new_project(dir.path(), "p.ron");
    let o = marginalia(&["import", p(&project), p(&fixture("formats/brat-full"))]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("clash.v2.ann: 1 attribute on a relation dropped")
            && err.contains("1 note on an attribute or normalization kept on their span"),
        "{err}"
    );
    let first = store::load(&project).unwrap();
    first.validate().unwrap();
    let d = &first.documents[0];
    assert_eq!(d.source, "clash.v2.txt");
    let by_text = |t: &str| d.spans.iter().find(|s| d.span_text(s) == t).unwrap();
    // Events: trigger spans with role relations; E2's Cause is the event E1.
    let shelled = by_text("shelled");
    let answered = by_text("answered");
    assert!(shelled.event && answered.event);
    assert_eq!(shelled.note, "First reported by local media.");
    assert!(
        d.relations.iter().any(|r| r.relation_type == "Cause"
            && r.source == answered.id
            && r.target == shelled.id)
    );
    assert!(first.schema.relation_type("Cause").unwrap().event_role);
    assert!(
        !first
            .schema
            .relation_type("located_near")
            .unwrap()
            .event_role
    );
    assert_eq!(
        answered.attributes.get("Certainty").map(String::as_str),
        Some("Likely")
    );
    // The discontinuous span is one span with two fragments.
    let brigade = d.spans.iter().find(|s| !s.fragments.is_empty()).unwrap();
    assert_eq!(brigade.fragments.len(), 2);
    // One DB:ID on a Place and a Facility: two entities, the id kept on both.
    let geo: Vec<_> = first
        .entities
        .iter()
        .filter(|e| e.references == ["GeoNames:148619"])
        .collect();
    assert_eq!(geo.len(), 2);
    // The equivalence set joins the militia and the brigade into one entity.
    assert_eq!(by_text("Militia fighters").entity, brigade.entity);
    // Short labels and arc styles from visual.conf.
    assert_eq!(first.schema.entity_type("Group").unwrap().short_label, "G");
    assert!(
        first
            .schema
            .relation_type("located_near")
            .unwrap()
            .arc_style
            .contains("dashArray")
    );

    let folder = dir.path().join("out");
    ok(&[
        "export",
        p(&project),
        "--format",
        "brat",
        "--out",
        p(&folder),
    ]);
    let ann_file = fs::read_dir(&folder)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "ann"))
        .unwrap();
    let ann = fs::read_to_string(&ann_file).unwrap();
    assert!(
        ann.contains("\tReference T") && ann.contains(" GeoNames:148619\tLachin"),
        "{ann}"
    );
    assert!(
        ann.contains("\tGroup 0 7;143 155\tMilitia 12th Brigade"),
        "{ann}"
    );
    assert!(
        ann.lines()
            .any(|l| l.starts_with('E') && l.contains(" Target2:")),
        "{ann}"
    );
    assert!(
        ann.lines()
            .any(|l| l.starts_with('A') && l.ends_with(" Likely")),
        "{ann}"
    );
    let conf = fs::read_to_string(folder.join("annotation.conf")).unwrap();
    assert!(conf.contains("[events]\nAttack\t"), "{conf}");

    let again = new_project(dir.path(), "q.ron");
    ok(&["import", p(&again), p(&folder)]);
    let second = store::load(&again).unwrap();
    second.validate().unwrap();
    assert_eq!(annotations(&first), annotations(&second));
    let shape = |p: &Project| {
        let d = &p.documents[0];
        let mut spans: Vec<_> = d
            .spans
            .iter()
            .map(|s| {
                let refs = s
                    .entity
                    .and_then(|e| p.entity(e))
                    .map(|e| e.references.clone())
                    .unwrap_or_default();
                (
                    s.start,
                    s.end,
                    s.fragments.clone(),
                    s.event,
                    s.attributes.clone(),
                    refs,
                )
            })
            .collect();
        spans.sort();
        spans
    };
    assert_eq!(shape(&first), shape(&second));
}

/// What brat has no place for travels in the sidecar: titles, statuses, metadata, entity
/// aliases and notes.
#[test]
fn marginalia_brat_marginalia_keeps_titles_statuses_aliases_and_notes() {
    use marginalia::model::{Document, DocumentStatus, Entity, Span};
    let dir = tempfile::tempdir().unwrap();
    let mut p0 = Project::new("t");
    let e = p0.new_entity_id();
    p0.entities.push(Entity {
        id: e,
        name: "Collective Security Treaty Organization".into(),
        entity_type: "ORG".into(),
        aliases: vec!["CSTO".into(), "ODKB".into()],
        references: vec![],
        note: "Moscow-led alliance".into(),
        made: None,
    });
    let id = p0.new_document_id();
    let mut d = Document::new(id, "Summit, day two", "a.txt", "The CSTO met.".into());
    d.status = DocumentStatus::Done;
    d.metadata.author = Some("A. Reporter".into());
    let s = p0.new_span_id();
    let mut span = Span::new(s, 4, 8, "ORG");
    span.entity = Some(e);
    d.spans.push(span);
    p0.documents.push(d.into());
    let project = dir.path().join("p.ron");
    store::save(&p0, &project).unwrap();
    let folder = dir.path().join("out");
    ok(&[
        "export",
        p(&project),
        "--format",
        "brat",
        "--out",
        p(&folder),
    ]);
    let again = new_project(dir.path(), "q.ron");
    ok(&["import", p(&again), p(&folder)]);
    let p1 = store::load(&again).unwrap();
    let d1 = &p1.documents[0];
    assert_eq!(d1.title, "Summit, day two");
    assert_eq!(d1.status, DocumentStatus::Done);
    assert_eq!(d1.metadata.author.as_deref(), Some("A. Reporter"));
    let e1 = p1.entity(d1.spans[0].entity.unwrap()).unwrap();
    assert_eq!(e1.aliases, vec!["CSTO", "ODKB"]);
    assert_eq!(e1.note, "Moscow-led alliance");
    assert_eq!(e1.name, "Collective Security Treaty Organization");
}

/// A pretokenised CoNLL-2003 file (4 columns, -DOCSTART-) comes back byte for byte: the
/// same tokens (none split or joined), POS and chunk columns, tags and documents.
#[test]
fn conll_keeps_tokens_columns_and_schemes() {
    let dir = tempfile::tempdir().unwrap();
    let project = new_project(dir.path(), "p.ron");
    let file = fixture("formats/conll2003-4col.conll");
    ok(&["import", p(&project), p(&file)]);
    let out = dir.path().join("out.conll");
    let o = marginalia(&["export", p(&project), "--format", "conll", "--out", p(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(&out).unwrap(),
        fs::read_to_string(&file).unwrap()
    );
    // Tab-separated, for doccano: the same lines with tabs.
    let tabbed = dir.path().join("tab.conll");
    ok(&[
        "export",
        p(&project),
        "--format",
        "conll",
        "--separator",
        "tab",
        "--out",
        p(&tabbed),
    ]);
    assert_eq!(
        fs::read_to_string(&tabbed).unwrap(),
        fs::read_to_string(&file).unwrap().replace(' ', "\t")
    );
    // BIOES in, BIOES out.
    let project = new_project(dir.path(), "b.ron");
    let file = fixture("formats/bioes.conll");
    ok(&["import", p(&project), p(&file)]);
    let out = dir.path().join("b.conll");
    ok(&[
        "export",
        p(&project),
        "--format",
        "conll",
        "--scheme",
        "bioes",
        "--separator",
        "tab",
        "--out",
        p(&out),
    ]);
    let exported = fs::read_to_string(&out).unwrap();
    assert_eq!(
        exported.strip_prefix("-DOCSTART-\tO\n\n").unwrap(),
        fs::read_to_string(&file).unwrap()
    );
}

/// WebAnno TSV 3.3 with a POS layer, stacked and multi-token spans, relations between them
/// (with disambiguation ids) and UTF-16 offsets past an emoji.
#[test]
fn webanno_tsv_imports_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let project = new_project(dir.path(), "p.ron");
    let o = marginalia(&["import", p(&project), p(&fixture("formats/webanno"))]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("pos.POS not imported (15 lines annotated)"),
        "{}",
        stderr(&o)
    );
    let first = store::load(&project).unwrap();
    let d = &first.documents[0];
    assert_eq!(
        d.text,
        "Prime Minister Nikol Pashinyan visited Yerevan .\nThe CSTO \\ Ə 😊 summit ended ."
    );
    let spans: BTreeSet<(String, String)> = d
        .spans
        .iter()
        .map(|s| (d.span_text(s).to_string(), s.entity_type.to_string()))
        .collect();
    let want: BTreeSet<(String, String)> = [
        ("Prime Minister", "ROLE"),
        ("Nikol Pashinyan", "PER"),
        ("Nikol", "GIVEN"),
        ("Yerevan", "GPE"),
        ("CSTO", "ORG"),
        ("😊", "EMOJI"),
        ("summit", "EVENT"),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(spans, want);
    let rels: BTreeSet<(String, String, String)> = d
        .relations
        .iter()
        .map(|r| {
            let t = |id| d.span_text(d.span(id).unwrap()).to_string();
            (r.relation_type.to_string(), t(r.source), t(r.target))
        })
        .collect();
    let want: BTreeSet<(String, String, String)> = [
        ("has_role", "Nikol Pashinyan", "Prime Minister"),
        ("located_in", "Nikol Pashinyan", "Yerevan"),
        ("part_of", "CSTO", "summit"),
        ("located_in", "Yerevan", "summit"),
    ]
    .iter()
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
    .collect();
    assert_eq!(rels, want);
    let per = d.spans.iter().find(|s| s.entity_type == "PER").unwrap();
    assert_eq!(
        per.attributes.get("identifier").map(String::as_str),
        Some("http://www.wikidata.org/entity/Q7171")
    );

    let out = dir.path().join("tsv-out");
    ok(&[
        "export",
        p(&project),
        "--format",
        "webanno",
        "--out",
        p(&out),
    ]);
    let again = new_project(dir.path(), "q.ron");
    ok(&["import", p(&again), p(&out)]);
    let second = store::load(&again).unwrap();
    assert_eq!(annotations(&first), annotations(&second));
    assert_eq!(first.documents[0].tokens, second.documents[0].tokens);
}
