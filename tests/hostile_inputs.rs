//! A catalogue of malformed and hostile inputs, run through the real binary. Each bad input
//! must give exit code 1 and a message naming the file, and leave the project file byte for
//! byte as it was; inputs that are hostile but readable (HTML with scripts, titles that look
//! like paths) must give safe output. Every case runs; failures are reported together.
//! The property tests at the end feed random bytes to the loader and each importer.

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::{marginalia, ok, p, stderr};
use marginalia::model::{Document, Project, Relation, Span};
use marginalia::store;
use proptest::prelude::*;
use std::fs;
use std::path::{Path, PathBuf};

/// A small valid project whose RON we can edit by string replacement:
/// document 1 "Armenia and Azerbaijan met in Geneva." with spans 2 (0..7 GPE) and 3 (12..22 GPE),
/// relation 4 (opposes 2 -> 3), entity 5 (Armenia); next_id 6.
fn base_project() -> Project {
    let mut p = Project::new("Hostile base");
    let d = p.new_document_id();
    let mut doc = Document::new(
        d,
        "Talks",
        "a.txt",
        "Armenia and Azerbaijan met in Geneva.".into(),
    );
    let (a, b, r, e) = (
        p.new_span_id(),
        p.new_span_id(),
        p.new_relation_id(),
        p.new_entity_id(),
    );
    let mut first = Span::new(a, 0, 7, "GPE");
    first.entity = Some(e);
    doc.spans.push(first);
    doc.spans.push(Span::new(b, 12, 22, "GPE"));
    doc.relations.push(Relation {
        id: r,
        relation_type: "opposes".into(),
        source: a,
        target: b,
        origin: Default::default(),
        note: String::new(),
        made: None,
    });
    p.documents.push(doc.into());
    p.entities.push(marginalia::model::Entity {
        id: e,
        name: "Armenia".into(),
        entity_type: "GPE".into(),
        aliases: vec![],
        references: Vec::new(),
        note: String::new(),
        made: None,
    });
    p.validate().unwrap();
    p
}

fn base_ron() -> String {
    store::to_ron_string(&base_project()).unwrap()
}

/// Replaces exactly one occurrence (the first), and insists that it is there.
fn edit(text: &str, from: &str, to: &str) -> Vec<u8> {
    assert!(text.contains(from), "the base project has no '{from}'");
    text.replacen(from, to, 1).into_bytes()
}

/// Names of everything under `dir`, recursively, with sizes: a snapshot to compare.
fn tree(dir: &Path) -> Vec<(PathBuf, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let meta = e.metadata().unwrap();
            if meta.is_dir() {
                stack.push(e.path());
            }
            out.push((e.path(), meta.len()));
        }
    }
    out.sort();
    out
}

/// Runs `args`; returns a problem description unless it exits 1 with "error: " and a message
/// containing `names` and `expect`.
fn expect_failure(args: &[&str], names: &str, expect: &str) -> Option<String> {
    let o = marginalia(args);
    let err = stderr(&o);
    if o.status.code() != Some(1) {
        return Some(format!("exit {:?} (want 1): {err}", o.status.code()));
    }
    if !err.starts_with("error: ") {
        return Some(format!("no 'error: ' prefix: {err}"));
    }
    if !err.contains(names) {
        return Some(format!("message does not name {names}: {err}"));
    }
    if !err.to_lowercase().contains(&expect.to_lowercase()) {
        return Some(format!("message lacks '{expect}': {err}"));
    }
    None
}

fn report(problems: Vec<String>, total: usize) {
    assert!(
        problems.is_empty(),
        "{} of {total} cases failed:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn malformed_project_files_are_refused_and_left_untouched() {
    let ron = base_ron();
    let version = format!("format_version: {}", marginalia::model::FORMAT_VERSION);
    let half = ron.len() / 2;
    let in_text = ron.find("Armenia and").unwrap() + 5;
    let mut invalid_utf8 = ron.clone().into_bytes();
    invalid_utf8[in_text] = 0xC3;
    invalid_utf8[in_text + 1] = 0x28;
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(ron.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    let nested = format!(
        "Project(format_version: 1, name: \"x\", next_id: 1, schema: {}",
        "(".repeat(50_000)
    );
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty", vec![], "empty"),
        ("whitespace", b" \n\n\t ".to_vec(), "empty"),
        ("truncated", ron.as_bytes()[..half].to_vec(), ":"),
        (
            "truncated-in-string",
            ron.as_bytes()[..in_text].to_vec(),
            "",
        ),
        (
            "binary",
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\x01\0".to_vec(),
            "not UTF-8",
        ),
        ("invalid-utf8", invalid_utf8, "not UTF-8"),
        ("utf16", utf16, "not UTF-8"),
        (
            "wrong-type",
            edit(&ron, "next_id: 6", "next_id: \"six\""),
            "",
        ),
        (
            "huge-number",
            edit(&ron, "next_id: 6", "next_id: 99999999999999999999999999"),
            "",
        ),
        (
            "huge-offset",
            edit(&ron, "end: 22", "end: 18446744073709551615"),
            "characters",
        ),
        ("negative-offset", edit(&ron, "start: 12", "start: -12"), ""),
        (
            "inverted-offsets",
            edit(&ron, "start: 12, end: 22", "start: 22, end: 12"),
            "inverted",
        ),
        (
            "offsets-past-text",
            edit(&ron, "start: 12, end: 22", "start: 30, end: 90"),
            "the text has 37 characters",
        ),
        (
            "dangling-relation",
            edit(&ron, "target: 3", "target: 1"),
            "not in this document",
        ),
        ("duplicate-id", edit(&ron, "id: 3", "id: 2"), "used twice"),
        (
            "id-not-allocated",
            edit(&ron, "next_id: 6", "next_id: 3"),
            "next_id",
        ),
        (
            "newer-version",
            edit(&ron, &version, "format_version: 99"),
            "newer Marginalia",
        ),
        (
            "version-zero",
            edit(&ron, &version, "format_version: 0"),
            "not a Marginalia project version",
        ),
        (
            "version-overflow",
            edit(&ron, &version, "format_version: 4294967296"),
            "",
        ),
        (
            "unknown-entity-type",
            edit(&ron, "type: \"GPE\"", "type: \"WEAPON\""),
            "WEAPON",
        ),
        (
            "unknown-relation-type",
            edit(&ron, "type: \"opposes\"", "type: \"hates\""),
            "hates",
        ),
        (
            "missing-entity",
            edit(&ron, "entity: Some(5)", "entity: Some(4)"),
            "no entity",
        ),
        ("deeply-nested", nested.into_bytes(), ""),
        (
            "json-not-ron",
            br#"{"format_version": 1, "documents": []}"#.to_vec(),
            "",
        ),
        (
            "duplicate-schema-type",
            edit(&ron, "id: \"ORG\"", "id: \"PER\""),
            "twice",
        ),
        (
            "unknown-project-field",
            edit(&ron, "next_id: 6", "next_id: 6, owner: \"x\""),
            "owner",
        ),
        (
            "unknown-document-field",
            edit(
                &ron,
                "title: \"Talks\"",
                "title: \"Talks\", colour: \"red\"",
            ),
            "colour",
        ),
        (
            "unknown-span-field",
            edit(&ron, "start: 12, end: 22", "start: 12, end: 22, weight: 3"),
            "weight",
        ),
        (
            "next-id-at-maximum",
            edit(&ron, "next_id: 6", "next_id: 18446744073709551615"),
            "no room for new ids",
        ),
        (
            "text-changed-after-import",
            edit(&ron, "met in Geneva", "met in Genova"),
            "document D1 (\"Talks\"): content_hash",
        ),
        (
            "text-is-a-number",
            edit(&ron, "text: \"Armenia", "text: 7, x: \"Armenia"),
            "",
        ),
    ];
    let total = cases.len() + 2;
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.txt");
    fs::write(&good, "Geneva hosted the talks.\n").unwrap();
    let mut problems = Vec::new();
    for (name, bytes, expect) in &cases {
        let case_dir = dir.path().join(name);
        fs::create_dir(&case_dir).unwrap();
        let path = case_dir.join(format!("{name}.ron"));
        fs::write(&path, bytes).unwrap();
        let before = tree(&case_dir);
        let out = case_dir.join("out.json");
        let commands: [Vec<&str>; 4] = [
            vec!["stats", p(&path)],
            vec!["import", p(&path), p(&good)],
            vec!["suggest", p(&path), "--engines", "rules", "--accept"],
            vec!["export", p(&path), "--format", "json", "--out", p(&out)],
        ];
        for args in &commands {
            if let Some(problem) = expect_failure(args, p(&path), expect) {
                problems.push(format!("{name} ({}): {problem}", args[0]));
            }
        }
        if fs::read(&path).unwrap() != *bytes {
            problems.push(format!("{name}: the project file changed"));
        }
        if tree(&case_dir) != before {
            problems.push(format!("{name}: files appeared: {:?}", tree(&case_dir)));
        }
    }
    // A folder and a missing file where the project should be.
    let folder = dir.path().join("folder.ron");
    fs::create_dir(&folder).unwrap();
    if let Some(problem) = expect_failure(&["stats", p(&folder)], p(&folder), "") {
        problems.push(format!("folder: {problem}"));
    }
    let missing = dir.path().join("missing.ron");
    if let Some(problem) = expect_failure(&["stats", p(&missing)], p(&missing), "") {
        problems.push(format!("missing: {problem}"));
    }
    report(problems, total);
}

#[test]
fn unknown_fields_are_named_with_their_line_also_in_large_projects() {
    // Small (plain parser) and large (the parallel fast path, which falls back for the error).
    let small = base_ron();
    let mut large = base_project();
    for i in 0..3000 {
        let id = large.new_document_id();
        let text = format!("Document {i} mentions Geneva.");
        large
            .documents
            .push(Document::new(id, &format!("d{i}"), "", text).into());
    }
    let large = store::to_ron_string(&large).unwrap();
    let dir = tempfile::tempdir().unwrap();
    for (name, ron) in [("small", small), ("large", large)] {
        let at = ron
            .rfind("title: \"d2999\"")
            .unwrap_or_else(|| ron.find("title: ").unwrap());
        let line = ron[..at].matches('\n').count() + 1;
        let mut bad = ron.clone();
        bad.insert_str(at, "colour: \"red\", ");
        let path = dir.path().join(format!("{name}.ron"));
        fs::write(&path, &bad).unwrap();
        let o = marginalia(&["stats", p(&path)]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(
            err.starts_with(&format!("error: {}:{line}:", p(&path))),
            "{name}: {err}"
        );
        assert!(err.contains("colour"), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: said once: {err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), bad);
    }
}

#[test]
fn a_byte_order_mark_is_accepted_and_empty_content_hashes_are_filled_in() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bom.ron");
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(base_ron().into_bytes());
    fs::write(&path, &bytes).unwrap();
    let stats: serde_json::Value =
        serde_json::from_str(&ok(&["stats", p(&path), "--json"])).unwrap();
    assert_eq!(stats["documents"], 1, "{stats}");
    let loaded = store::load(&path).unwrap();
    assert_eq!(loaded, base_project());

    let ron = base_ron();
    let hash = &base_project().documents[0].content_hash;
    let blank = ron.replacen(hash.as_str(), "", 1);
    assert_ne!(blank, ron);
    let loaded = store::from_ron_str(&blank, Path::new("blank.ron")).unwrap();
    assert_eq!(&loaded.documents[0].content_hash, hash);
}

/// One import of hostile files into a fresh valid project.
struct ImportCase {
    name: &'static str,
    /// Files to create, relative to the case folder.
    files: Vec<(&'static str, Vec<u8>)>,
    /// What to import, relative to the case folder.
    target: &'static str,
    format: Option<&'static str>,
    /// The file the message must name, relative to the case folder.
    names: &'static str,
    expect: &'static str,
}

fn case(
    name: &'static str,
    file: &'static str,
    bytes: impl Into<Vec<u8>>,
    expect: &'static str,
) -> ImportCase {
    ImportCase {
        name,
        files: vec![(file, bytes.into())],
        target: file,
        format: None,
        names: file,
        expect,
    }
}

fn brat(name: &'static str, txt: &str, ann: &str, expect: &'static str) -> ImportCase {
    ImportCase {
        name,
        files: vec![
            ("doc.txt", txt.as_bytes().to_vec()),
            ("doc.ann", ann.as_bytes().to_vec()),
        ],
        target: "doc.ann",
        format: Some("brat"),
        names: "doc.ann",
        expect,
    }
}

const TXT: &str = "Armenia met Azerbaijan.\n";

#[test]
fn malformed_import_files_are_refused_and_change_nothing() {
    let deep_json = format!(
        "{{\"text\": \"abc\", \"label\": {}{}}}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let cases = vec![
        case("empty-text", "a.txt", "", "empty"),
        case("blank-text", "a.txt", " \n \n", "empty"),
        case(
            "binary-text",
            "a.txt",
            b"\x7fELF\x02\x01\x01\0\0\0".to_vec(),
            "binary",
        ),
        case(
            "invalid-utf8",
            "a.txt",
            b"line one\nline two\nbad \xff\xfe here\n".to_vec(),
            "a.txt:3: invalid UTF-8",
        ),
        case("odd-utf16", "a.txt", b"\xff\xfeA\0B\0C".to_vec(), "UTF-16"),
        case(
            "script-only-html",
            "a.html",
            "<html><head><script>alert(1)</script></head><body></body></html>",
            "empty",
        ),
        case(
            "markdown-only-image",
            "a.md",
            "![x](http://example.invalid/x.png)\n",
            "empty",
        ),
        case(
            "jsonl-truncated",
            "a.jsonl",
            "{\"text\": \"Armenia\", \"label\": [[0, 7, \"GPE\"]",
            "a.jsonl:1",
        ),
        case(
            "jsonl-wrong-type",
            "a.jsonl",
            "{\"text\": 5}\n",
            "a.jsonl:1",
        ),
        case(
            "jsonl-past-text",
            "a.jsonl",
            "{\"text\": \"Armenia\", \"label\": [[0, 70, \"GPE\"]]}\n",
            "does not fit",
        ),
        case(
            "jsonl-inverted",
            "a.jsonl",
            "{\"text\": \"Armenia\", \"label\": [[5, 2, \"GPE\"]]}\n",
            "start must be below end",
        ),
        case(
            "jsonl-negative",
            "a.jsonl",
            "{\"text\": \"Armenia\", \"label\": [[-1, 2, \"GPE\"]]}\n",
            "a.jsonl:1",
        ),
        case(
            "jsonl-huge",
            "a.jsonl",
            "{\"text\": \"Armenia\", \"label\": [[0, 1e300, \"GPE\"]]}\n",
            "a.jsonl:1",
        ),
        case("jsonl-deep", "a.jsonl", deep_json, "a.jsonl:1"),
        case(
            "jsonl-dangling-relation",
            "a.jsonl",
            "{\"text\": \"Armenia\", \"entities\": [{\"id\": 1, \"label\": \"GPE\", \"start_offset\": 0, \"end_offset\": 7}], \"relations\": [{\"id\": 1, \"from_id\": 1, \"to_id\": 9, \"type\": \"opposes\"}]}\n",
            "not on this line",
        ),
        case(
            "jsonl-second-line-bad",
            "a.jsonl",
            "{\"text\": \"Fine.\"}\n{\"text\": \"\"}\n",
            "a.jsonl:2",
        ),
        case(
            "conll-bad-tag",
            "a.conll",
            "Armenia B-GPE\nmet X-ORG\n",
            "a.conll:2",
        ),
        case(
            "conll-too-many-columns",
            "a.conll",
            "Armenia NNP B-NP B-GPE extra\n",
            "a.conll:1",
        ),
        case(
            "conll-binary",
            "a.conll",
            b"Armenia\0B-GPE\n".to_vec(),
            "binary",
        ),
        brat(
            "brat-past-text",
            TXT,
            "T1\tGPE 0 700\tArmenia\n",
            "past the end",
        ),
        brat("brat-inverted", TXT, "T1\tGPE 7 0\tArmenia\n", "inverted"),
        brat(
            "brat-negative",
            TXT,
            "T1\tGPE -1 7\tArmenia\n",
            "bad offsets",
        ),
        brat(
            "brat-huge",
            TXT,
            "T1\tGPE 0 99999999999999999999999\tArmenia\n",
            "bad offsets",
        ),
        brat(
            "brat-dangling-relation",
            TXT,
            "T1\tGPE 0 7\tArmenia\nR1\topposes Arg1:T1 Arg2:T9\n",
            "T9",
        ),
        brat(
            "brat-garbage-line",
            TXT,
            "hello world\n",
            "not an annotation id",
        ),
        brat(
            "brat-duplicate-id",
            TXT,
            "T1\tGPE 0 7\tArmenia\nT1\tGPE 12 22\tAzerbaijan\n",
            "used twice",
        ),
        brat(
            "brat-text-mismatch",
            TXT,
            "T1\tGPE 0 7\tGeorgia\n",
            "Georgia",
        ),
        brat("brat-no-offsets", TXT, "T1\tGPE\tArmenia\n", "doc.ann:1"),
        ImportCase {
            name: "brat-ann-without-txt",
            files: vec![("doc.ann", b"T1\tGPE 0 7\tArmenia\n".to_vec())],
            target: "doc.ann",
            format: Some("brat"),
            names: "doc.ann",
            expect: "no text file",
        },
        ImportCase {
            name: "brat-ann-invalid-utf8",
            files: vec![
                ("doc.txt", TXT.as_bytes().to_vec()),
                ("doc.ann", b"T1\tGPE 0 7\tArm\xffnia\n".to_vec()),
            ],
            target: "doc.ann",
            format: Some("brat"),
            names: "doc.ann",
            expect: "UTF-8",
        },
        ImportCase {
            name: "one-bad-file-among-good",
            files: vec![
                ("docs/a.txt", b"Fine text.\n".to_vec()),
                ("docs/b.txt", b"More fine text.\n".to_vec()),
                ("docs/c.txt", b"\xff\xff\xff".to_vec()),
            ],
            target: "docs",
            format: None,
            names: "docs/c.txt",
            expect: "invalid UTF-8",
        },
        ImportCase {
            name: "missing-file",
            files: vec![],
            target: "nowhere.txt",
            format: None,
            names: "nowhere.txt",
            expect: "",
        },
    ];
    let total = cases.len();
    let dir = tempfile::tempdir().unwrap();
    let ron = base_ron();
    let mut problems = Vec::new();
    for c in &cases {
        let case_dir = dir.path().join(c.name);
        fs::create_dir(&case_dir).unwrap();
        let project = case_dir.join("p.ron");
        fs::write(&project, &ron).unwrap();
        for (name, bytes) in &c.files {
            let path = case_dir.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, bytes).unwrap();
        }
        let before = tree(&case_dir);
        let target = case_dir.join(c.target);
        let mut args = vec!["import", p(&project), p(&target)];
        if let Some(f) = c.format {
            args.extend(["--format", f]);
        }
        let names = case_dir.join(c.names);
        if let Some(problem) = expect_failure(&args, p(&names), c.expect) {
            problems.push(format!("{}: {problem}", c.name));
        }
        if fs::read_to_string(&project).unwrap() != ron {
            problems.push(format!("{}: the project file changed", c.name));
        }
        if tree(&case_dir) != before {
            problems.push(format!("{}: files appeared or changed", c.name));
        }
    }
    report(problems, total);
}

#[test]
fn a_200_mb_single_line_file_is_refused_by_size_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.ron");
    let ron = base_ron();
    fs::write(&project, &ron).unwrap();
    let big = dir.path().join("huge.txt");
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(fs::File::create(&big).unwrap());
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..200 {
            f.write_all(&chunk).unwrap();
        }
        f.flush().unwrap();
    }
    assert_eq!(fs::metadata(&big).unwrap().len(), 200 << 20);
    let problem = expect_failure(
        &["import", p(&project), p(&big)],
        p(&big),
        "the file is 209715200 bytes; the limit for one document is 67108864 bytes",
    );
    assert_eq!(problem, None);
    assert_eq!(fs::read_to_string(&project).unwrap(), ron);
    for format in ["jsonl", "conll", "brat"] {
        let problem = expect_failure(
            &["import", p(&project), p(&big), "--format", format],
            "huge",
            "",
        );
        assert_eq!(problem, None, "{format}");
    }
    assert_eq!(fs::read_to_string(&project).unwrap(), ron);
}

#[test]
fn html_import_keeps_text_runs_nothing_and_fetches_nothing() {
    // A local listener stands in for a remote server: any fetch would connect to it.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.ron");
    ok(&["new", p(&project)]);
    let html = format!(
        r#"<!doctype html><html><head>
        <title>Ceasefire holds</title>
        <meta http-equiv="refresh" content="0; url={url}/refresh">
        <link rel="stylesheet" href="{url}/style.css">
        <script src="{url}/remote.js"></script>
        <script>document.write("INJECTED"); fetch("{url}/beacon");</script>
        <style>body {{ background: url({url}/bg.png) }} .SECRETSTYLE {{}}</style>
        </head><body onload="alert('ONLOAD')">
        <h1>Ceasefire holds</h1>
        <p>Armenia and Azerbaijan <b>kept</b> the ceasefire.<img src="{url}/pixel.gif" alt="PIXEL"></p>
        <iframe src="{url}/frame">IFRAMETEXT</iframe>
        <object data="{url}/obj">OBJECTTEXT</object>
        <noscript>NOSCRIPTTEXT</noscript>
        <p><a href="javascript:alert('LINK')">Observers</a> confirmed it.</p>
        <svg><script>alert('SVG')</script><text>SVGTEXT</text></svg>
        </body></html>"#
    );
    let page = dir.path().join("page.html");
    fs::write(&page, html).unwrap();
    ok(&["import", p(&project), p(&page)]);
    let loaded = store::load(&project).unwrap();
    let doc = &loaded.documents[0];
    assert_eq!(doc.title, "Ceasefire holds");
    assert!(
        doc.text
            .contains("Armenia and Azerbaijan kept the ceasefire."),
        "{}",
        doc.text
    );
    assert!(doc.text.contains("Observers confirmed it."), "{}", doc.text);
    for hidden in [
        "INJECTED",
        "fetch",
        "SECRETSTYLE",
        "ONLOAD",
        "PIXEL",
        "IFRAMETEXT",
        "OBJECTTEXT",
        "NOSCRIPTTEXT",
        "javascript",
        "SVG",
        "http://",
    ] {
        assert!(!doc.text.contains(hidden), "{hidden} in {:?}", doc.text);
    }
    assert!(
        listener.accept().is_err(),
        "the import connected to the network"
    );

    // Markdown with raw HTML and remote images: the same.
    let md = dir.path().join("note.md");
    fs::write(
        &md,
        format!(
            "# Talks\n\nThe talks went on.<script>alert('MDSCRIPT')</script>\n\n![PIXEL]({url}/p.png)\n\n<img src=\"{url}/q.png\">\n"
        ),
    )
    .unwrap();
    ok(&["import", p(&project), p(&md)]);
    let loaded = store::load(&project).unwrap();
    let doc = &loaded.documents[1];
    assert!(doc.text.contains("The talks went on."), "{}", doc.text);
    for hidden in ["MDSCRIPT", "PIXEL", "http://", "<img"] {
        assert!(!doc.text.contains(hidden), "{hidden} in {:?}", doc.text);
    }
    assert!(
        listener.accept().is_err(),
        "the import connected to the network"
    );
}

#[test]
fn exports_stay_inside_the_output_and_escape_hostile_text() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.ron");
    ok(&["new", p(&project)]);
    let docs = dir.path().join("docs");
    fs::create_dir(&docs).unwrap();
    let titles = [
        "../../evil",
        "/etc/passwd",
        "..\\..\\evil",
        "NUL",
        "<script>alert('TITLE')</script>",
        "=cmd|' /C calc'!A0",
    ];
    for (i, title) in titles.iter().enumerate() {
        fs::write(
            docs.join(format!("{i}.txt")),
            format!("{title}\n\nArmenia & Azerbaijan <b>met</b> \"here\".\n"),
        )
        .unwrap();
    }
    ok(&["import", p(&project), p(&docs)]);
    let loaded = store::load(&project).unwrap();
    assert_eq!(loaded.documents[0].title, "../../evil");

    let out_dir = dir.path().join("exports");
    fs::create_dir(&out_dir).unwrap();
    let outside_before = tree(dir.path())
        .into_iter()
        .filter(|(path, _)| !path.starts_with(&out_dir))
        .collect::<Vec<_>>();
    let brat = out_dir.join("brat");
    ok(&["export", p(&project), "--format", "brat", "--out", p(&brat)]);
    for (path, _) in tree(&out_dir) {
        let name = path.file_name().unwrap().to_str().unwrap();
        assert!(path.starts_with(&brat), "{}", path.display());
        assert!(
            !name.contains("..") && !name.contains('\\') && !name.contains('/'),
            "{name}"
        );
    }
    for format in ["json", "jsonl", "conll", "csv", "graphml", "html", "ron"] {
        let out = out_dir.join(format!("all.{format}"));
        ok(&["export", p(&project), "--format", format, "--out", p(&out)]);
        // CSV writes a folder of tables.
        let text = if out.is_dir() {
            tree(&out)
                .iter()
                .map(|(path, _)| fs::read_to_string(path).unwrap())
                .collect::<String>()
        } else {
            fs::read_to_string(&out).unwrap()
        };
        match format {
            "html" => {
                assert!(!text.contains("<script>alert"), "raw script in HTML export");
                assert!(!text.contains("<b>met</b>"), "raw markup in HTML export");
            }
            "graphml" => {
                let mut reader = quick_xml::Reader::from_str(&text);
                loop {
                    match reader.read_event() {
                        Ok(quick_xml::events::Event::Eof) => break,
                        Ok(_) => {}
                        Err(e) => panic!("GraphML is not well-formed XML: {e}"),
                    }
                }
            }
            "json" => {
                let _: serde_json::Value = serde_json::from_str(&text).unwrap();
            }
            _ => {}
        }
    }
    let outside_after = tree(dir.path())
        .into_iter()
        .filter(|(path, _)| !path.starts_with(&out_dir))
        .collect::<Vec<_>>();
    assert_eq!(
        outside_before, outside_after,
        "an export wrote outside --out"
    );
}

/// Reads an `.ann` against a fixed text through the public brat reader.
fn brat_read(ann: &str) {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("doc.txt"),
        "Armenia met Azerbaijan in Geneva.\n",
    )
    .unwrap();
    let path = dir.path().join("doc.ann");
    fs::write(&path, ann).unwrap();
    let _ = marginalia::import::brat::read(&[path]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The project loader never panics, whatever the bytes.
    #[test]
    fn project_loader_never_panics_on_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let text = String::from_utf8_lossy(&bytes);
        let _ = store::from_ron_str(&text, Path::new("fuzz.ron"));
    }

    /// Nor on a valid project with random damage (cut, bytes replaced, text spliced in).
    #[test]
    fn project_loader_never_panics_on_damaged_projects(
        cut in 0usize..2000,
        at in 0usize..2000,
        insert in "[\\PC\\[\\](){}:,\"0-9-]{0,40}",
    ) {
        let ron = base_ron();
        let cut = ron.floor_char_boundary(cut.min(ron.len()));
        let at = ron.floor_char_boundary(at.min(cut));
        let damaged = format!("{}{}{}", &ron[..at], insert, &ron[at..cut]);
        if let Ok(p) = store::from_ron_str(&damaged, Path::new("fuzz.ron")) {
            prop_assert!(p.validate().is_ok());
        }
    }

    /// The text decoder and every importer never panic on random input.
    #[test]
    fn importers_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..1024), text in "\\PC{0,300}") {
        use marginalia::import::{conll, decode_text, jsonl};
        let path = Path::new("fuzz.txt");
        let _ = decode_text(&bytes, path);
        let lossy = String::from_utf8_lossy(&bytes);
        for input in [lossy.as_ref(), text.as_str()] {
            let _ = jsonl::parse(path, input);
            let _ = conll::parse(path, input);
            brat_read(input);
        }
    }

    /// Structured garbage in the annotated formats: numbers, tabs and ids in odd places.
    #[test]
    fn annotation_lines_never_panic(
        lines in proptest::collection::vec("(T|R|N|#|A|\\*|E|M)[0-9]{0,3}\t[A-Za-z]{0,6} ?(-?[0-9]{1,25})? ?(-?[0-9]{1,25})?(;[0-9 ]{0,6})?(\t[a-zA-Z ]{0,10})?", 0..8),
        json in "\\{\"text\": \"[a-z ]{0,20}\", \"label\": \\[\\[(-?[0-9]{1,22}), (-?[0-9]{1,22}), \"[A-Z]{0,4}\"\\]\\]\\}",
    ) {
        use marginalia::import::jsonl;
        let path = Path::new("fuzz.ann");
        brat_read(&lines.join("\n"));
        let _ = jsonl::parse(path, &json);
    }
}
