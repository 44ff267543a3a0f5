use super::*;
use crate::model::{Document, Origin, Relation, Span};

fn annotated() -> Project {
    let mut p = Project::new("Round trip");
    let d = p.new_document_id();
    let mut doc = Document::new(
        d,
        "Kabul’s “support”",
        "a.txt",
        "Kabul’s support for Azerbaijan".into(),
    );
    let (a, b, r) = (p.new_span_id(), p.new_span_id(), p.new_relation_id());
    doc.spans.push(Span::new(a, 0, 5, "GPE"));
    let mut s = Span::new(b, 20, 30, "GPE");
    s.origin = Origin::Suggested {
        engine: "gazetteer".into(),
        score: 0.9,
    };
    s.note = "line one\nline \"two\"".into();
    doc.spans.push(s);
    doc.relations.push(Relation {
        id: r,
        relation_type: "supports".into(),
        source: a,
        target: b,
        origin: Origin::Manual,
        note: String::new(),
        made: None,
    });
    p.documents.push(doc.into());
    p
}

#[test]
fn save_then_load_gives_the_same_project() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("p.ron");
    let p = annotated();
    save(&p, &path).unwrap();
    assert_eq!(load(&path).unwrap(), p);
    // Saving again keeps the previous file as a backup.
    save(&p, &path).unwrap();
    assert_eq!(load(&backup_path(&path)).unwrap(), p);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".tmp") || n.starts_with(".marginalia"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn output_is_pretty_and_starts_with_the_version() {
    let text = to_ron_string(&annotated()).unwrap();
    assert!(
        text.starts_with(&format!("Project(\n  format_version: {FORMAT_VERSION},")),
        "{}",
        &text[..60]
    );
    assert!(text.lines().count() > 10);
}

fn parse(text: &str) -> Result<Project, StoreError> {
    from_ron_str(text, Path::new("case.ron"))
}

#[test]
fn truncated_file_reports_line_and_column() {
    let full = to_ron_string(&annotated()).unwrap();
    let cut = &full[..full.len() / 2];
    match parse(cut) {
        Err(StoreError::Parse {
            line,
            column,
            message,
            ..
        }) => {
            assert!(line > 1 && column >= 1, "{line}:{column}");
            assert!(!message.is_empty());
        }
        other => panic!("{other:?}"),
    }
    let err = parse("Project(format_version: 1, documents: [")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("case.ron:1:"), "{err}");
}

#[test]
fn newer_format_version_is_refused_by_name() {
    let text = to_ron_string(&annotated()).unwrap().replace(
        &format!("format_version: {FORMAT_VERSION}"),
        "format_version: 7",
    );
    let err = parse(&text).unwrap_err();
    assert!(
        matches!(
            err,
            StoreError::NewerVersion {
                found: 7,
                supported: FORMAT_VERSION,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn invalid_model_is_refused() {
    let text = to_ron_string(&annotated()).unwrap();
    let bad_offsets = text.replacen("end: 30", "end: 300", 1);
    assert!(matches!(
        parse(&bad_offsets),
        Err(StoreError::Invalid { .. })
    ));
    let bad_type = text.replacen("type: \"GPE\"", "type: \"WEAPON\"", 1);
    let err = parse(&bad_type).unwrap_err().to_string();
    assert!(err.contains("WEAPON"), "{err}");
}

#[test]
fn binary_and_missing_files_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bin.ron");
    std::fs::write(&path, [0x50, 0xff, 0xfe, 0x00]).unwrap();
    assert!(matches!(
        load(&path),
        Err(StoreError::NotText { offset: 1, .. })
    ));
    assert!(matches!(
        load(&dir.path().join("missing.ron")),
        Err(StoreError::Io { .. })
    ));
}

#[test]
fn deep_nesting_fails_cleanly() {
    let text = format!("Project(format_version: 1, name: {}", "[".repeat(100_000));
    assert!(matches!(parse(&text), Err(StoreError::Parse { .. })));
}

#[test]
fn empty_files_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.ron");
    std::fs::write(&path, " \n").unwrap();
    let err = load(&path).unwrap_err();
    assert!(matches!(err, StoreError::Empty { .. }), "{err}");
    assert!(err.to_string().contains("empty.ron"), "{err}");
}

fn generated(documents: usize) -> Project {
    let mut p = crate::testkit::synthetic_project(documents, 7);
    // Strings that look like structure must not confuse the document splitter.
    std::sync::Arc::make_mut(&mut p.documents[0]).title =
        "documents: [ (\"quoted\" ], 'c', \\ back".into();
    std::sync::Arc::make_mut(&mut p.documents[1]).spans[0].note =
        "],\n  documents: [\"x\"),".into();
    p
}

/// Hands out a few bytes per read, so tokens straddle every possible read boundary.
struct Trickle<'a>(&'a [u8]);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = buf.len().min(self.0.len()).min(7);
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[test]
fn parallel_save_is_byte_for_byte_one_pretty_print() {
    for p in [annotated(), Project::new("empty"), generated(40)] {
        let whole = ron::Options::default()
            .to_string_pretty(&p, pretty_config(4))
            .unwrap();
        assert_eq!(to_ron_string(&p).unwrap(), whole);
    }
}

#[test]
fn parallel_load_reads_what_the_plain_parser_reads() {
    // 400 generated documents are about 3 MB: several batches.
    let p = generated(400);
    let text = to_ron_string(&p).unwrap();
    let plain = parse_whole(&text, Path::new("p.ron")).unwrap();
    assert_eq!(plain, p);
    let fast = parallel::read_project(text.as_bytes()).unwrap().unwrap();
    assert_eq!(finish(fast, Path::new("p.ron")).unwrap(), p);
    let trickled = parallel::read_project(Trickle(text.as_bytes()))
        .unwrap()
        .unwrap();
    assert_eq!(finish(trickled, Path::new("p.ron")).unwrap(), p);
    // One line, no struct names: still the fast path.
    let compact = ron::to_string(&p).unwrap();
    let fast = parallel::read_project(compact.as_bytes()).unwrap().unwrap();
    assert_eq!(finish(fast, Path::new("p.ron")).unwrap(), p);
}

#[test]
fn hand_edited_files_take_the_plain_parser() {
    let text = to_ron_string(&annotated()).unwrap();
    let commented = text.replacen("documents: [", "// checked\n  documents: [", 1);
    let raw = text.replacen("\"a.txt\"", "r\"a.txt\"", 1);
    let attribute = format!("#![enable(implicit_some)]\n{text}");
    for variant in [commented, raw, attribute] {
        assert!(
            parallel::read_project(variant.as_bytes())
                .unwrap()
                .is_none(),
            "{variant}"
        );
        assert_eq!(parse(&variant).unwrap(), annotated());
    }
    // A broken document gives up the fast path, and the plain parser names the place.
    let broken = text.replacen("start: 20", "start: twenty", 1);
    assert!(parallel::read_project(broken.as_bytes()).unwrap().is_none());
    assert!(matches!(parse(&broken), Err(StoreError::Parse { .. })));
}

/// A version 1 file as the previous build wrote it: a rejected entity suggestion and a
/// rejected relation suggestion (stored then as a fake entity type).
const VERSION_1: &str = r##"Project(
  format_version: 1,
  name: "old",
  next_id: 3,
  schema: Schema(
    entity_types: [
      EntityType(id: "PER", label: "Person", color: "#d62728", key: Some('1')),
      EntityType(id: "ROLE", label: "Role", color: "#8c564b", key: Some('2')),
    ],
    relation_types: [
      RelationType(id: "has_role", label: "has role", source_types: ["PER"], target_types: ["ROLE"], symmetric: false),
    ],
  ),
  documents: [
    Document(id: 1, title: "a", source: "a.txt", text: "Prime Minister Nikol Pashinyan spoke.", content_hash: "", spans: [
      Span(id: 2, start: 15, end: 30, type: "PER"),
    ]),
  ],
  decisions: [
    SuggestionDecision(document: 1, start: 31, end: 36, type: "PER", verdict: Rejected),
    SuggestionDecision(document: 1, start: 0, end: 14, type: "relation:has_role 15..30 PER -> ROLE", verdict: Rejected),
  ],
)
"##;

#[test]
fn version_1_opens_saves_as_the_current_version_and_reopens_equal() {
    let old = parse(VERSION_1).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(old.format_version, FORMAT_VERSION);
    assert_eq!(old.decisions.len(), 1, "{:?}", old.decisions);
    assert!(old.is_rejected(crate::model::DocumentId(1), 31, 36, "PER"));
    assert_eq!(old.relation_decisions.len(), 1);
    let r = &old.relation_decisions[0];
    assert_eq!(r.relation_type, "has_role");
    assert_eq!(r.source, SpanRef::new(15, 30, "PER"));
    assert_eq!(r.target, SpanRef::new(0, 14, "ROLE"));
    assert!(old.is_relation_rejected(r.document, "has_role", &r.source, &r.target));

    let text = to_ron_string(&old).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        text.contains(&format!("format_version: {FORMAT_VERSION}")),
        "{text}"
    );
    assert!(!text.contains("relation:"), "{text}");
    let again = parse(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(again, old);
}

#[test]
fn an_unparseable_version_1_relation_key_is_kept_not_lost() {
    let text = VERSION_1.replace("relation:has_role 15..30 PER -> ROLE", "relation:garbled");
    let p = parse(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(p.decisions.len(), 2);
    assert!(p.relation_decisions.is_empty());
}

/// Version 2 to 3 keeps every id on the shared counter; version 3 adds author blocks and
/// `made` stamps, which round-trip through both readers and are not written when absent.
#[test]
fn version_2_keeps_its_ids_and_version_3_round_trips_blocks_and_stamps() {
    let v2 = VERSION_1.replace("format_version: 1", "format_version: 2");
    let old = parse(&v2).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(old.format_version, FORMAT_VERSION);
    assert_eq!(old.next_id, 3);
    assert!(old.id_blocks.is_empty());
    assert_eq!(old.documents[0].id.0, 1);
    assert_eq!(old.documents[0].spans[0].id.0, 2);
    let text = to_ron_string(&old).unwrap();
    assert!(
        !text.contains("id_blocks") && !text.contains("made"),
        "{text}"
    );

    // An author edits it: a block id and a stamp.
    let mut p = old.clone();
    let author = crate::session::Author::named("ani");
    author.bind(&mut p);
    let id = p.ids().span();
    assert!(crate::model::block_of(id.0).is_some());
    let mut tx = crate::edit::Transaction::single(
        "tag",
        crate::edit::Edit::AddSpan {
            doc: p.documents[0].id,
            span: crate::model::Span::new(id, 0, 14, "ROLE"),
        },
    );
    author.stamp(&mut tx, std::time::UNIX_EPOCH);
    tx.apply(&mut p).unwrap();
    assert_eq!(p.next_id, 3, "the shared counter does not move");
    assert_eq!(p.id_blocks.get(&author.id_block), Some(&1));
    assert!(!p.is_fresh_id(id.0));
    assert!(p.is_fresh_id(p.ids().span().0));
    let text = to_ron_string(&p).unwrap();
    assert!(text.contains("id_blocks: {"), "{text}");
    assert!(text.contains("made: Some(Made(by: \"ani\""), "{text}");
    let fast = parallel::read_project(text.as_bytes())
        .unwrap()
        .expect("fast path");
    assert_eq!(fast.documents, p.documents);
    let mut again = parse(&text).unwrap();
    again.revision = p.revision;
    assert_eq!(again, p);
    // A block id above its block's counter was never handed out: refused on load.
    let forged = text.replace(
        &format!("{}: 1", author.id_block),
        &format!("{}: 0", author.id_block),
    );
    let err = parse(&forged).unwrap_err().to_string();
    assert!(err.contains("never handed out"), "{err}");
}
