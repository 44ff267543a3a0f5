//! End-to-end tests of the foundation commands: new, import, stats, export ron/json.

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

mod common;
use common::*;
use std::fs;

#[test]
fn new_import_stats_export_and_reload() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    fs::create_dir_all(docs.join("more")).unwrap();
    fs::write(
        docs.join("a.txt"),
        "Talks resume\n\nArmenia and Azerbaijan resumed talks in Geneva on Monday.\n",
    )
    .unwrap();
    fs::write(
        docs.join("more/b.md"),
        "# Summit\n\nThe **CSTO** met in Yerevan.\n",
    )
    .unwrap();
    fs::write(
        docs.join("more/c.html"),
        "<title>Aid</title><script>x()</script><p>Trucks reached Goris.</p>",
    )
    .unwrap();
    let project = dir.path().join("case.ron");

    ok(&["new", p(&project), "--name", "Caucasus desk"]);
    let out = ok(&["import", p(&project), p(&docs)]);
    assert!(out.contains("imported 3 documents"), "{out}");

    let stats: serde_json::Value =
        serde_json::from_str(&ok(&["stats", p(&project), "--json"])).unwrap();
    assert_eq!(stats["name"], "Caucasus desk");
    assert_eq!(stats["documents"], 3);
    // "Talks resume" (2) + the sentence (10 with its period) + "Summit" (1)
    // + "The CSTO met in Yerevan ." (6) + "Trucks reached Goris ." (4)
    assert_eq!(stats["tokens"], 2 + 10 + 1 + 6 + 4);
    assert_eq!(stats["spans"], 0);

    // Importing the same folder again is detected and skipped.
    let o = marginalia(&["import", p(&project), p(&docs)]);
    assert!(o.status.success());
    assert!(
        stderr(&o).contains("already in the project"),
        "{}",
        stderr(&o)
    );

    let exported = dir.path().join("copy.ron");
    ok(&[
        "export",
        p(&project),
        "--format",
        "ron",
        "--out",
        p(&exported),
    ]);
    let original = marginalia::store::load(&project).unwrap();
    let copy = marginalia::store::load(&exported).unwrap();
    assert_eq!(original, copy);
    assert_eq!(original.documents.len(), 3);

    let json = dir.path().join("p.json");
    ok(&["export", p(&project), "--format", "json", "--out", p(&json)]);
    let v: serde_json::Value = serde_json::from_slice(&fs::read(&json).unwrap()).unwrap();
    assert_eq!(v["documents"].as_array().unwrap().len(), 3);
    assert_eq!(v["documents"][2]["title"], "Aid");

    // An existing output needs --force.
    let err = fails(&["export", p(&project), "--format", "json", "--out", p(&json)]);
    assert!(err.contains("--force"), "{err}");
    ok(&[
        "export",
        p(&project),
        "--format",
        "json",
        "--out",
        p(&json),
        "--force",
    ]);
}

#[test]
fn shared_corpus_imports_with_its_token_count() {
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    if !corpus.exists() {
        eprintln!("skipped: ../shared/corpus is not here");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.ron");
    ok(&["new", p(&project)]);
    ok(&["import", p(&project), p(&corpus)]);
    let stats: serde_json::Value =
        serde_json::from_str(&ok(&["stats", p(&project), "--json"])).unwrap();
    assert_eq!(stats["documents"], 1);
    assert!(stats["tokens"].as_u64().unwrap() > 400, "{stats}");
}

#[test]
fn bad_inputs_exit_1_with_a_message_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.ron");
    ok(&["new", p(&project)]);
    let before = fs::read(&project).unwrap();

    let empty = dir.path().join("empty.txt");
    fs::write(&empty, "").unwrap();
    let binary = dir.path().join("blob.txt");
    fs::write(&binary, [0u8, 159, 146, 150]).unwrap();
    let latin1 = dir.path().join("latin1.txt");
    fs::write(&latin1, b"caf\xe9").unwrap();
    let no_docs = dir.path().join("nodocs");
    fs::create_dir(&no_docs).unwrap();
    fs::write(no_docs.join("x.bin"), [1, 2]).unwrap();
    for (input, expected) in [
        (&empty, "empty"),
        (&binary, "binary"),
        (&latin1, "invalid UTF-8"),
        (&no_docs, "no readable documents"),
        (&dir.path().join("missing.txt"), "missing.txt"),
    ] {
        let err = fails(&["import", p(&project), p(input)]);
        assert!(err.contains(expected), "{err}");
        assert_eq!(
            fs::read(&project).unwrap(),
            before,
            "project changed by {input:?}"
        );
    }

    let text = String::from_utf8(before.clone()).unwrap();
    let cases = [
        (
            "newer.ron",
            text.replace(
                &format!("format_version: {}", marginalia::model::FORMAT_VERSION),
                "format_version: 99",
            ),
            "newer Marginalia",
        ),
        (
            "truncated.ron",
            text[..text.len() / 2].to_string(),
            "truncated.ron:",
        ),
        (
            "broken.ron",
            "Project(format_version: 1, documents: [".to_string(),
            "broken.ron:1:",
        ),
    ];
    for (name, content, expected) in cases {
        let path = dir.path().join(name);
        fs::write(&path, &content).unwrap();
        let err = fails(&["stats", p(&path)]);
        assert!(err.contains(expected), "{name}: {err}");
        // Even a command that would write leaves a broken project alone.
        fails(&["import", p(&path), p(&latin1)]);
        assert_eq!(fs::read_to_string(&path).unwrap(), content);
    }

    let err = fails(&["new", p(&project)]);
    assert!(err.contains("already exists"), "{err}");
}

#[test]
fn usage_errors_exit_2() {
    assert_eq!(marginalia(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(marginalia(&["export", "x.ron"]).status.code(), Some(2));
}
