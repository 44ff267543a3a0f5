//! Exchange formats end to end through the binary: PDF and spreadsheet import, doccano JSONL in
//! both shapes (with meta, comments, categories, labels with spaces), Label Studio JSON, spaCy's
//! JSON training format (read back with a small reader), and round trips Marginalia -> X ->
//! Marginalia that keep what X can hold and say, with counts, what it cannot.

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

mod common;
use common::*;
use marginalia::model::{Document, DocumentStatus, Entity, Project, Relation, Span, content_hash};
use marginalia::store;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(rel)
}

#[test]
fn pdf_and_spreadsheets_import_with_pages_and_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let project = new_project(dir.path(), "p.ron");
    let o = marginalia(&[
        "import",
        p(&project),
        p(&fixture("brief.pdf")),
        p(&fixture("feed.xlsx")),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("worksheets without a text column not imported: Notes"),
        "{}",
        stderr(&o)
    );
    let v = json_export(&project, dir.path());
    let docs = v["documents"].as_array().unwrap();
    assert_eq!(docs.len(), 3);

    let pdf = &docs[0];
    assert_eq!(pdf["title"], "Quarterly brief: Lachin corridor");
    let text = pdf["text"].as_str().unwrap();
    assert!(
        text.starts_with("Quarterly brief: the Lachin corridor\nMinister Alijév met"),
        "{text:?}"
    );
    assert_eq!(pdf["metadata"]["author"], "Ani Hakobyan");
    assert_eq!(pdf["metadata"]["date"], "2024-03-01T09:30:00+04:00");
    assert_eq!(pdf["metadata"]["language"], "en");
    assert_eq!(pdf["metadata"]["extra"]["subject"], "Monitoring");
    let pages: Vec<usize> = serde_json::from_value(pdf["metadata"]["pages"].clone()).unwrap();
    assert_eq!(pages.len(), 2);
    let second: String = text.chars().skip(pages[1]).collect();
    assert!(second.starts_with("Annex: next steps"), "{second:?}");

    let road = &docs[1];
    assert_eq!(road["title"], "Road reopens");
    assert_eq!(
        road["text"],
        "The Lachin road reopened on Monday.\nTrucks crossed at noon.\n"
    );
    assert_eq!(road["metadata"]["date"], "2024-03-01");
    assert_eq!(road["metadata"]["source"], "Yerevan Daily");
    assert_eq!(road["metadata"]["url"], "https://example.org/road");
    assert_eq!(road["metadata"]["extra"]["Desk"], "Caucasus");
    assert_eq!(docs[2]["metadata"]["date"], "2024-03-02T12:00:00");

    // A scan without a text layer is refused and changes nothing.
    let before = fs::read(&project).unwrap();
    let err = fails(&["import", p(&project), p(&fixture("scan.pdf"))]);
    assert!(
        err.contains("scan.pdf") && err.contains("no text layer") && err.contains("OCR"),
        "{err}"
    );
    assert_eq!(fs::read(&project).unwrap(), before);

    // A damaged PDF on which the PDF reader panics (found by libFuzzer): refused by name,
    // without the reader's panic message or a backtrace on the terminal.
    let damaged =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/import_pdf/damaged-font.pdf");
    let err = fails(&["import", p(&project), p(&damaged)]);
    assert!(
        err.contains("damaged-font.pdf: damaged PDF") && !err.contains("panicked"),
        "{err}"
    );
    assert_eq!(fs::read(&project).unwrap(), before);
}

#[test]
fn doccano_lines_keep_meta_comments_categories_and_labels_with_spaces() {
    let dir = tempfile::tempdir().unwrap();
    let project = new_project(dir.path(), "p.ron");
    ok(&["import", p(&project), p(&fixture("doccano-seq.jsonl"))]);
    let loaded = store::load(&project).unwrap();
    let docs = &loaded.documents;
    assert_eq!(docs.len(), 4);
    let m = &docs[0].metadata;
    assert_eq!(m.source.as_deref(), Some("Caucasus Wire"));
    assert_eq!(m.extra["wikiPageID"], "4");
    assert_eq!(m.extra["Comments"], "[\"check the date\"]");
    assert_eq!(docs[1].title, "Border report");
    assert_eq!(docs[1].status, DocumentStatus::Done);
    assert_eq!(docs[1].metadata.date.as_deref(), Some("2024-03-05"));
    assert_eq!(docs[1].spans[0].entity_type.as_str(), "Person name");
    assert_eq!(docs[1].span_text(&docs[1].spans[0]), "Ani Hakobyan");
    assert_eq!(docs[2].metadata.extra["cats"], "[\"calm\"]");
    assert_eq!(
        docs[3].metadata.extra["cats"],
        "[\"escalation\",\"military\"]"
    );
    assert!(loaded.schema.entity_type("Person name").is_some());

    // Exported back (the default, sequence-labelling shape) the lines say the same.
    let out = dir.path().join("out.jsonl");
    ok(&["export", p(&project), "--format", "jsonl", "--out", p(&out)]);
    let lines: Vec<Value> = fs::read_to_string(&out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["label"][0], serde_json::json!([0, 4, "ORG"]));
    assert_eq!(lines[0]["Comments"], serde_json::json!(["check the date"]));
    assert_eq!(lines[0]["wikiPageID"], "4");
    assert_eq!(lines[1]["title"], "Border report");
    assert_eq!(lines[1]["status"], "done");
    assert_eq!(
        lines[3]["cats"],
        serde_json::json!(["escalation", "military"])
    );
    assert!(lines.iter().all(|l| l.get("entities").is_none()));

    // The relation shape, as doccano writes it, imports with its relations.
    let q = new_project(dir.path(), "q.ron");
    ok(&["import", p(&q), p(&fixture("doccano-relation.jsonl"))]);
    let q = store::load(&q).unwrap();
    assert_eq!(q.relation_count(), 2);
    assert_eq!(q.documents[0].metadata.extra["desk"], "politics");
}

#[test]
fn label_studio_tasks_import_with_notes_relations_and_data() {
    let dir = tempfile::tempdir().unwrap();
    let project = new_project(dir.path(), "p.ron");
    ok(&["import", p(&project), p(&fixture("label-studio.json"))]);
    let loaded = store::load(&project).unwrap();
    let d = &loaded.documents[0];
    assert_eq!(d.title, "Jermuk meeting");
    assert_eq!(d.metadata.source.as_deref(), Some("Field desk"));
    assert_eq!(d.metadata.extra["topic"], "[\"diplomacy\"]");
    let spans: Vec<_> = d
        .spans
        .iter()
        .map(|s| (d.span_text(s), s.entity_type.as_str(), s.note.as_str()))
        .collect();
    assert_eq!(
        spans,
        [
            ("Mirzoyan", "PER", "Foreign minister"),
            ("EU", "ORG", ""),
            ("Jermuk", "GPE", "")
        ]
    );
    let r = &d.relations[0];
    assert_eq!(r.relation_type.as_str(), "located_in");
    assert_eq!(d.span_text(d.span(r.source).unwrap()), "EU");
    // The cancelled annotation of the second task is passed over.
    assert_eq!(loaded.documents[1].spans.len(), 1);
}

/// A project with everything the model holds: titles, statuses, metadata, pages, notes on
/// spans and relations, links to entity records with aliases and notes.
fn rich_project() -> Project {
    let mut p = Project::new("Caucasus desk: 2024");
    let entity = p.new_entity_id();
    p.entities.push(Entity {
        id: entity,
        name: "Collective Security Treaty Organization".into(),
        entity_type: "ORG".into(),
        aliases: vec!["CSTO".into(), "ОДКБ; the bloc".into()],
        references: Vec::new(),
        note: "Moscow-led alliance".into(),
        made: None,
    });
    for (title, text, status) in [
        (
            "Summit",
            "The CSTO met in Minsk. Armenia stayed away.\n",
            DocumentStatus::Done,
        ),
        (
            "Border 🇦🇲",
            "Shelling near Tegh 🇦🇲 stopped; the CSTO said nothing.\n",
            DocumentStatus::InProgress,
        ),
    ] {
        let id = p.new_document_id();
        let mut d = Document::new(id, title, "wire.txt", text.to_string());
        d.status = status;
        d.metadata.author = Some("Ani Hakobyan".into());
        d.metadata.date = Some("2024-03-01".into());
        d.metadata.url = Some("https://example.org/a".into());
        d.metadata.extra.insert("desk".into(), "Caucasus".into());
        d.metadata
            .extra
            .insert("text".into(), "a clashing key".into());
        d.metadata.pages = vec![0, 10];
        let find = |w: &str| {
            let b = text.find(w).unwrap();
            let s = text[..b].chars().count();
            (s, s + w.chars().count())
        };
        let (a, b) = (p.new_span_id(), p.new_span_id());
        let (s, e) = find("CSTO");
        let mut csto = Span::new(a, s, e, "ORG");
        csto.entity = Some(entity);
        csto.note = "the bloc".into();
        let place = if title == "Summit" { "Minsk" } else { "Tegh" };
        let (s2, e2) = find(place);
        d.spans.push(csto);
        d.spans.push(Span::new(b, s2, e2, "GPE"));
        d.spans.sort_by_key(|s| s.sort_key());
        d.relations.push(Relation {
            id: p.new_relation_id(),
            relation_type: "located_in".into(),
            source: a,
            target: b,
            origin: Default::default(),
            note: "same sentence".into(),
            made: None,
        });
        p.documents.push(d.into());
    }
    p.validate().unwrap();
    p
}

/// A span as a round trip can keep it: offsets, type, note, linked record (name, aliases, note).
type SpanView = (
    usize,
    usize,
    String,
    String,
    Option<(String, Vec<String>, String)>,
);
/// A relation: type, source and target offsets, note.
type RelationView = (String, (usize, usize), (usize, usize), String);
/// Spans read back from spaCy: (start, end, type).
type Spans = BTreeSet<(usize, usize, String)>;

/// Everything a round trip can keep, in a comparable form (ids left out).
#[derive(Debug, PartialEq)]
struct View {
    title: String,
    status: DocumentStatus,
    metadata: marginalia::model::DocumentMetadata,
    spans: BTreeSet<SpanView>,
    relations: BTreeSet<RelationView>,
}

fn view(p: &Project, keep: &dyn Fn(&mut View)) -> Vec<View> {
    p.documents
        .iter()
        .map(|d| {
            let at = |id| {
                let s = d.span(id).unwrap();
                (s.start, s.end)
            };
            let mut v = View {
                title: d.title.clone(),
                status: d.status,
                metadata: d.metadata.clone(),
                spans: d
                    .spans
                    .iter()
                    .map(|s| {
                        let link = s
                            .entity
                            .and_then(|e| p.entity(e))
                            .map(|e| (e.name.clone(), e.aliases.clone(), e.note.clone()));
                        (
                            s.start,
                            s.end,
                            s.entity_type.to_string(),
                            s.note.clone(),
                            link,
                        )
                    })
                    .collect(),
                relations: d
                    .relations
                    .iter()
                    .map(|r| {
                        (
                            r.relation_type.to_string(),
                            at(r.source),
                            at(r.target),
                            r.note.clone(),
                        )
                    })
                    .collect(),
            };
            keep(&mut v);
            v
        })
        .collect()
}

/// Exports the project in `args` and imports the output into a new project: the notices of the
/// export and the project read back.
fn through(
    dir: &Path,
    project: &Path,
    args: &[&str],
    name: &str,
    import_format: &str,
) -> (String, Project) {
    let out = dir.join(name);
    let mut all = vec!["export", p(project), "--out", p(&out)];
    all.extend_from_slice(args);
    let o = marginalia(&all);
    assert!(o.status.success(), "{}", stderr(&o));
    let back = new_project(dir, &format!("{name}.ron"));
    ok(&["import", p(&back), p(&out), "--format", import_format]);
    (stderr(&o), store::load(&back).unwrap())
}

#[test]
fn round_trips_keep_what_each_format_holds_and_count_what_it_cannot() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let project = d.join("rich.ron");
    let original = rich_project();
    store::save(&original, &project).unwrap();
    let all = |_: &mut View| {};

    // doccano, relation shape: everything comes back.
    let (notes, back) = through(
        d,
        &project,
        &["--format", "jsonl", "--jsonl-shape", "relation"],
        "rel.jsonl",
        "jsonl",
    );
    assert!(!notes.contains("cannot hold"), "{notes}");
    assert_eq!(view(&back, &all), view(&original, &all));

    // doccano, sequence-labelling shape: spans, titles, statuses and metadata; the rest is
    // counted.
    let (notes, back) = through(d, &project, &["--format", "jsonl"], "seq.jsonl", "jsonl");
    assert!(
        notes.contains(
            "doccano JSONL (seq shape) cannot hold: 2 relations, 2 span notes, 2 relation notes, 2 entity links, 2 entity aliases, 1 entity note"
        ),
        "{notes}"
    );
    let spans_only = |v: &mut View| {
        v.relations.clear();
        v.spans = std::mem::take(&mut v.spans)
            .into_iter()
            .map(|(s, e, t, _, _)| (s, e, t, String::new(), None))
            .collect();
    };
    assert_eq!(view(&back, &spans_only), view(&original, &spans_only));

    // Label Studio: spans with notes, relations, titles, statuses, metadata.
    let (notes, back) = through(
        d,
        &project,
        &["--format", "label-studio"],
        "ls.json",
        "label-studio",
    );
    assert!(
        notes.contains("Label Studio JSON cannot hold: 2 relation notes, 2 entity links, 2 entity aliases, 1 entity note"),
        "{notes}"
    );
    assert!(notes.contains("<Label value=\"ORG\""), "{notes}");
    let no_links = |v: &mut View| {
        v.relations = std::mem::take(&mut v.relations)
            .into_iter()
            .map(|(t, a, b, _)| (t, a, b, String::new()))
            .collect();
        v.spans = std::mem::take(&mut v.spans)
            .into_iter()
            .map(|(s, e, t, n, _)| (s, e, t, n, None))
            .collect();
    };
    assert_eq!(view(&back, &no_links), view(&original, &no_links));

    // The statuses came back by the documents' texts.
    assert_eq!(
        back.documents[1].content_hash,
        content_hash(&original.documents[1].text)
    );
}

/// spaCy's JSON training format read back: the tokens with their spaces give the raw text, and
/// the BILUO tags give the spans (what `spacy convert --converter json` reads).
fn read_spacy(json: &Value) -> Vec<(String, Spans)> {
    let mut out = Vec::new();
    for doc in json.as_array().unwrap() {
        for para in doc["paragraphs"].as_array().unwrap() {
            let raw = para["raw"].as_str().unwrap().to_string();
            let mut rebuilt = String::new();
            let mut spans = BTreeSet::new();
            let mut open: Option<(usize, String)> = None;
            for sent in para["sentences"].as_array().unwrap() {
                for tok in sent["tokens"].as_array().unwrap() {
                    let start = rebuilt.chars().count();
                    let orth = tok["orth"].as_str().unwrap();
                    rebuilt.push_str(orth);
                    let end = rebuilt.chars().count();
                    rebuilt.push_str(tok["space"].as_str().unwrap());
                    let ner = tok["ner"].as_str().unwrap();
                    match ner.split_once('-') {
                        Some(("U", t)) => {
                            spans.insert((start, end, t.to_string()));
                        }
                        Some(("B", t)) => open = Some((start, t.to_string())),
                        Some(("L", t)) => {
                            let (s, ty) = open.take().unwrap();
                            assert_eq!(ty, t);
                            spans.insert((s, end, ty));
                        }
                        Some(("I", _)) => assert!(open.is_some()),
                        _ => assert!(ner == "O" || ner == "-", "{ner}"),
                    }
                }
            }
            assert_eq!(rebuilt, raw);
            let listed: Spans = para["entities"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    (
                        e[0].as_u64().unwrap() as usize,
                        e[1].as_u64().unwrap() as usize,
                        e[2].as_str().unwrap().to_string(),
                    )
                })
                .collect();
            assert_eq!(listed, spans);
            out.push((raw, spans));
        }
    }
    out
}

#[test]
fn spacy_export_reads_back_to_the_same_text_and_spans() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("rich.ron");
    let mut original = rich_project();
    // A span inside another ("CST" in "CSTO") and one not ending on a token ("Armeni").
    let doc = std::sync::Arc::make_mut(&mut original.documents[0]);
    doc.spans
        .push(Span::new(marginalia::model::SpanId(900), 4, 7, "ORG"));
    doc.spans
        .push(Span::new(marginalia::model::SpanId(901), 23, 29, "GPE"));
    doc.spans.sort_by_key(|s| s.sort_key());
    original.next_id = 1000;
    store::save(&original, &project).unwrap();
    let out = dir.path().join("train.json");
    let o = marginalia(&["export", p(&project), "--format", "spacy", "--out", p(&out)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let notes = stderr(&o);
    assert!(
        notes.contains("1 span overlapping another left out"),
        "{notes}"
    );
    assert!(
        notes.contains("1 span not on token boundaries written as missing"),
        "{notes}"
    );
    assert!(
        notes.contains("spaCy JSON cannot hold: 2 relations"),
        "{notes}"
    );
    let read = read_spacy(&serde_json::from_str(&fs::read_to_string(&out).unwrap()).unwrap());
    assert_eq!(read.len(), 2);
    for ((raw, spans), d) in read.iter().zip(&original.documents) {
        assert_eq!(raw, &d.text);
        let expected: BTreeSet<_> = d
            .spans
            .iter()
            .filter(|s| s.id.0 < 900)
            .map(|s| (s.start, s.end, s.entity_type.to_string()))
            .collect();
        assert_eq!(spans, &expected);
    }
}

#[test]
fn csv_aliases_are_json_arrays_and_the_graphml_graph_id_is_an_nmtoken() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("rich.ron");
    store::save(&rich_project(), &project).unwrap();
    let csv_dir = dir.path().join("csv");
    ok(&[
        "export",
        p(&project),
        "--format",
        "csv",
        "--out",
        p(&csv_dir),
    ]);
    let mut r = csv::Reader::from_path(csv_dir.join("entities.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let col = header.iter().position(|h| h == "aliases").unwrap();
    let row = r.records().next().unwrap().unwrap();
    let aliases: Vec<String> = serde_json::from_str(&row[col]).unwrap();
    assert_eq!(aliases, ["CSTO", "ОДКБ; the bloc"]);
    // Mentions say their page (the documents start a page at char 10).
    let mut r = csv::Reader::from_path(csv_dir.join("mentions.csv")).unwrap();
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let (text, page) = (
        header.iter().position(|h| h == "text").unwrap(),
        header.iter().position(|h| h == "page").unwrap(),
    );
    let pages: Vec<(String, String)> = r
        .records()
        .map(|x| {
            let x = x.unwrap();
            (x[text].to_string(), x[page].to_string())
        })
        .collect();
    assert!(pages.contains(&("CSTO".into(), "1".into())), "{pages:?}");
    assert!(pages.contains(&("Tegh".into(), "2".into())), "{pages:?}");

    let graphml = dir.path().join("g.graphml");
    ok(&[
        "export",
        p(&project),
        "--format",
        "graphml",
        "--out",
        p(&graphml),
    ]);
    let xml = fs::read_to_string(graphml).unwrap();
    let id = xml
        .split("<graph id=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap();
    assert!(
        !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ':')),
        "{id}"
    );
}
