//! End to end through the binary: exports that never touch the project, saves that keep the
//! file's mode and links, output that survives a closed pipe.
#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::{fails, marginalia, ok, p, stderr};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn project_with_a_document(dir: &Path) -> PathBuf {
    let project = dir.join("p.ron");
    ok(&["new", p(&project)]);
    let doc = dir.join("a.txt");
    fs::write(
        &doc,
        "Talks in Geneva\n\nArmenia and Azerbaijan met in Geneva.\n",
    )
    .unwrap();
    ok(&["import", p(&project), p(&doc)]);
    fs::remove_file(&doc).unwrap();
    project
}

#[test]
fn exports_never_overwrite_the_project_or_its_companions() {
    let dir = tempfile::tempdir().unwrap();
    let project = project_with_a_document(dir.path());
    let second = dir.path().join("c.txt");
    fs::write(&second, "More\n\nBaku replied.\n").unwrap();
    ok(&["import", p(&project), p(&second)]); // leaves a .bak beside it
    let before = fs::read(&project).unwrap();
    let bak = dir.path().join("p.ron.bak");
    let backup = fs::read(&bak).unwrap();
    let link = dir.path().join("link.json");
    std::os::unix::fs::symlink(&project, &link).unwrap();
    let sub = dir.path().join("sub");
    fs::create_dir(&sub).unwrap();
    let roundabout = sub.join("..").join("p.ron");
    let cases: Vec<(&str, PathBuf, &str)> = vec![
        ("ron", project.clone(), "is the file of the project"),
        ("ron", roundabout, "is the file of the project"),
        ("json", link, "is the file of the project"),
        ("json", bak.clone(), "is the backup file"),
        (
            "json",
            dir.path().join(".p.ron.recovery"),
            "is the recovery file",
        ),
        ("json", dir.path().join(".p.ron.lock"), "is the lock file"),
        (
            "brat",
            dir.path().to_path_buf(),
            "is a folder holding the file",
        ),
        ("csv", PathBuf::from("."), ""),
    ];
    for (format, out, expect) in &cases {
        let o = Command::new(env!("CARGO_BIN_EXE_marginalia"))
            .current_dir(dir.path())
            .args([
                "export",
                p(&project),
                "--format",
                format,
                "--out",
                p(out),
                "--force",
            ])
            .output()
            .unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{format} {out:?}: {err}");
        assert!(err.starts_with("error: ") && err.contains(expect), "{err}");
        assert!(err.contains(p(out)), "{err}");
    }
    assert_eq!(fs::read(&project).unwrap(), before);
    assert_eq!(fs::read(&bak).unwrap(), backup);
}

#[test]
fn folder_exports_replace_only_earlier_exports_and_clean_stale_staging() {
    let dir = tempfile::tempdir().unwrap();
    let project = project_with_a_document(dir.path());
    // A folder of somebody's files is never replaced, even with --force.
    let notes = dir.path().join("notes");
    fs::create_dir(&notes).unwrap();
    fs::write(notes.join("thesis.txt"), "years of work").unwrap();
    let err = fails(&[
        "export",
        p(&project),
        "--format",
        "brat",
        "--out",
        p(&notes),
        "--force",
    ]);
    assert!(
        err.contains("is a folder that is not an earlier brat export"),
        "{err}"
    );
    assert_eq!(
        fs::read(notes.join("thesis.txt")).unwrap(),
        b"years of work"
    );
    // An earlier export of the same format is replaced; of another format, it is not.
    let out = dir.path().join("out");
    ok(&["export", p(&project), "--format", "brat", "--out", p(&out)]);
    assert!(out.join(".marginalia-export").is_file());
    ok(&[
        "export",
        p(&project),
        "--format",
        "brat",
        "--out",
        p(&out),
        "--force",
    ]);
    let err = fails(&[
        "export",
        p(&project),
        "--format",
        "csv",
        "--out",
        p(&out),
        "--force",
    ]);
    assert!(err.contains("not an earlier csv export"), "{err}");
    // An empty folder may be filled.
    let empty = dir.path().join("empty");
    fs::create_dir(&empty).unwrap();
    ok(&[
        "export",
        p(&project),
        "--format",
        "csv",
        "--out",
        p(&empty),
        "--force",
    ]);
    // A missing parent folder is named.
    let deep = dir.path().join("no").join("such").join("dir/");
    let err = fails(&["export", p(&project), "--format", "brat", "--out", p(&deep)]);
    assert!(err.contains("does not exist; create it first"), "{err}");
    // What a killed export leaves is removed by the next one (once it is stale).
    let stale = dir.path().join(".marginalia-export-killed");
    fs::create_dir(&stale).unwrap();
    fs::write(stale.join("a.txt"), "half").unwrap();
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    fs::File::open(&stale).unwrap().set_modified(old).unwrap();
    let fresh = dir.path().join(".marginalia-export-running");
    fs::create_dir(&fresh).unwrap();
    ok(&[
        "export",
        p(&project),
        "--format",
        "brat",
        "--out",
        p(&out),
        "--force",
    ]);
    assert!(!stale.exists());
    assert!(fresh.exists(), "a running export's staging folder stays");
}

#[test]
fn saves_keep_mode_refuse_read_only_and_follow_symlinks_and_exports_follow_the_umask() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    let project = project_with_a_document(dir.path());
    let doc = dir.path().join("b.txt");
    fs::write(&doc, "Second\n\nBaku replied.\n").unwrap();
    fs::set_permissions(&project, fs::Permissions::from_mode(0o640)).unwrap();
    ok(&["import", p(&project), p(&doc)]);
    assert_eq!(fs::metadata(&project).unwrap().mode() & 0o777, 0o640);
    // Read-only: refused, unchanged.
    fs::set_permissions(&project, fs::Permissions::from_mode(0o444)).unwrap();
    let before = fs::read(&project).unwrap();
    let err = fails(&["import", p(&project), p(&doc)]);
    assert!(
        err.contains(p(&project)) && err.contains("read-only; nothing saved"),
        "{err}"
    );
    assert_eq!(fs::read(&project).unwrap(), before);
    fs::set_permissions(&project, fs::Permissions::from_mode(0o644)).unwrap();
    // Through a symlink: the project changes, the link stays.
    let link = dir.path().join("link.ron");
    std::os::unix::fs::symlink(&project, &link).unwrap();
    let third = dir.path().join("c.txt");
    fs::write(&third, "Third\n\nYerevan answered.\n").unwrap();
    ok(&["import", p(&link), p(&third)]);
    assert!(
        fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(
        fs::read_to_string(&project)
            .unwrap()
            .contains("Yerevan answered")
    );
    // Exports get 0666 & !umask (the umask of this test: 022 set for the child).
    let out = dir.path().join("o.json");
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 022 && exec '{}' export '{}' --format json --out '{}'",
            env!("CARGO_BIN_EXE_marginalia"),
            p(&project),
            p(&out)
        ))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(fs::metadata(&out).unwrap().mode() & 0o777, 0o644);
    let folder = dir.path().join("brat");
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 027 && exec '{}' export '{}' --format brat --out '{}'",
            env!("CARGO_BIN_EXE_marginalia"),
            p(&project),
            p(&folder)
        ))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(fs::metadata(&folder).unwrap().mode() & 0o777, 0o750);
}

#[test]
fn a_closed_stdout_is_a_quiet_exit_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let project = project_with_a_document(dir.path());
    for args in [
        vec!["stats", p(&project)],
        vec!["stats", p(&project), "--json"],
        vec!["suggest", p(&project)],
    ] {
        // A reader that is gone before anything is written.
        let mut child = Command::new(env!("CARGO_BIN_EXE_marginalia"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let o = child.wait_with_output().unwrap();
        let err = stderr(&o);
        assert!(!err.contains("panicked"), "{args:?}: {err}");
        assert_eq!(o.status.code(), Some(0), "{args:?}: {err}");
    }
    // `| head -1`, for real.
    let o = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' stats '{}' | head -1",
            env!("CARGO_BIN_EXE_marginalia"),
            p(&project)
        ))
        .output()
        .unwrap();
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout).trim(), "p");
}

#[test]
fn suggest_accept_saves_before_it_reports() {
    let dir = tempfile::tempdir().unwrap();
    let project = project_with_a_document(dir.path());
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&project, fs::Permissions::from_mode(0o444)).unwrap();
    let o = marginalia(&["suggest", p(&project), "--engines", "gazetteer", "--accept"]);
    assert_eq!(o.status.code(), Some(1));
    // A failed save prints no report of suggestions as if they were accepted.
    assert_eq!(String::from_utf8_lossy(&o.stdout), "");
}

#[test]
fn fifos_and_devices_are_refused_without_hanging_and_each_cause_is_said_once() {
    let dir = tempfile::tempdir().unwrap();
    let project = project_with_a_document(dir.path());
    let fifo = dir.path().join("pipe.ron");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    for args in [
        vec!["stats", p(&fifo)],
        vec!["import", p(&project), p(&fifo)],
        vec!["evaluate", "--gold", p(&fifo)],
        vec!["import", p(&project), "/dev/zero"],
    ] {
        let err = fails(&args);
        let what = if args.contains(&"/dev/zero") {
            "is a device, not a regular file"
        } else {
            "is a named pipe (FIFO), not a regular file"
        };
        assert_eq!(err.matches(what).count(), 1, "{args:?}: {err}");
    }
    let err = fails(&["stats", p(&dir.path().join("missing.ron"))]);
    assert_eq!(err.matches("No such file").count(), 1, "{err}");
}

/// Two documents; entities of three types, one without mentions; text, titles, names and
/// notes that a spreadsheet would run as formulas.
fn project_for_filtered_exports(dir: &Path) -> PathBuf {
    use marginalia::model::{Document, Entity, Project, Span};
    let mut project = Project::new("Filters");
    let entity = |p: &mut Project, name: &str, ty: &str, note: &str| {
        let id = p.new_entity_id();
        p.entities.push(Entity {
            id,
            name: name.into(),
            entity_type: ty.into(),
            aliases: vec![],
            references: Vec::new(),
            note: note.into(),
            made: None,
        });
        id
    };
    let pashinyan = entity(&mut project, "=cmd|' /C calc'!A0", "PER", "+1 call");
    let csto = entity(&mut project, "CSTO", "ORG", "");
    let yerevan = entity(&mut project, "Yerevan", "GPE", "@admin");
    let aliyev = entity(&mut project, "Aliyev", "PER", "");
    entity(&mut project, "Unused", "LOC", "-2+3");
    let id = project.new_document_id();
    let mut one = Document::new(
        id,
        "=HYPERLINK(\"http://example.invalid\")",
        "",
        "Pashinyan met the CSTO in Yerevan.".into(),
    );
    for (start, end, ty, e) in [
        (0, 9, "PER", pashinyan),
        (18, 22, "ORG", csto),
        (26, 33, "GPE", yerevan),
    ] {
        let mut s = Span::new(project.new_span_id(), start, end, ty);
        s.entity = Some(e);
        s.note = "\tnote".into();
        one.spans.push(s);
    }
    project.documents.push(one.into());
    let id = project.new_document_id();
    let mut two = Document::new(id, "Baku", "", "Aliyev spoke in Baku.".into());
    let mut s = Span::new(project.new_span_id(), 0, 6, "PER");
    s.entity = Some(aliyev);
    two.spans.push(s);
    two.spans
        .push(Span::new(project.new_span_id(), 16, 20, "GPE"));
    project.documents.push(two.into());
    project.validate().unwrap();
    let path = dir.join("filters.ron");
    marginalia::store::save(&project, &path).unwrap();
    path
}

#[test]
fn csv_cells_that_look_like_formulas_are_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let project = project_for_filtered_exports(dir.path());
    let out = dir.path().join("csv");
    ok(&["export", p(&project), "--format", "csv", "--out", p(&out)]);
    let mut cells = Vec::new();
    for name in ["entities.csv", "mentions.csv", "relations.csv"] {
        let mut r = csv::Reader::from_path(out.join(name)).unwrap();
        for record in r.records() {
            cells.extend(record.unwrap().iter().map(str::to_string));
        }
    }
    for dangerous in ["=", "+", "-", "@", "\t", "\r"] {
        assert!(
            !cells.iter().any(|c| c.starts_with(dangerous)),
            "a cell starts with {dangerous:?}: {cells:?}"
        );
    }
    for expected in [
        "'=cmd|' /C calc'!A0",
        "'+1 call",
        "'@admin",
        "'-2+3",
        "'=HYPERLINK(\"http://example.invalid\")",
        "'\tnote",
    ] {
        assert!(
            cells.iter().any(|c| c == expected),
            "no {expected:?}: {cells:?}"
        );
    }
    // Ordinary cells are untouched.
    assert!(cells.iter().any(|c| c == "Yerevan"));
}

#[test]
fn export_filters_apply_to_entity_lists_index_and_graph() {
    let dir = tempfile::tempdir().unwrap();
    let project = project_for_filtered_exports(dir.path());
    let export = |format: &str, name: &str, filters: &[&str]| {
        let out = dir.path().join(name);
        let mut args = vec!["export", p(&project), "--format", format, "--out", p(&out)];
        args.extend_from_slice(filters);
        ok(&args);
        out
    };
    let entities = |out: &Path| -> Vec<String> {
        let mut r = csv::Reader::from_path(out.join("entities.csv")).unwrap();
        r.records().map(|x| x.unwrap()[1].to_string()).collect()
    };
    // No filter: every entity, mentioned or not.
    assert_eq!(entities(&export("csv", "all", &[])).len(), 5);
    // One document: only its entities.
    // Ids: five entities first, so the documents are D6 and D10.
    let doc1 = export("csv", "doc1", &["--doc", "6"]);
    assert_eq!(entities(&doc1), ["'=cmd|' /C calc'!A0", "CSTO", "Yerevan"]);
    // One type: only persons, in the table, the graph and the HTML index.
    let per = export("csv", "per", &["--types", "PER"]);
    assert_eq!(entities(&per), ["'=cmd|' /C calc'!A0", "Aliyev"]);
    let graph = fs::read_to_string(export("graphml", "per.graphml", &["--types", "PER"])).unwrap();
    assert_eq!(graph.matches("<node ").count(), 2, "{graph}");
    for gone in [
        "CSTO", "Yerevan", "Baku", "Unused", ">GPE<", ">ORG<", ">LOC<",
    ] {
        assert!(!graph.contains(gone), "{gone} in {graph}");
    }
    let html = fs::read_to_string(export(
        "html",
        "d2.html",
        &["--doc", "D10", "--types", "PER"],
    ))
    .unwrap();
    assert!(html.contains("Aliyev"));
    for gone in ["CSTO", "Yerevan", "Unused", "calc", "Pashinyan"] {
        assert!(!html.contains(gone), "{gone} in the HTML export");
    }
    // The RON export of a selection is a valid project with only what was selected.
    let ron = export("ron", "per.ron", &["--types", "PER", "--doc", "10"]);
    let selected = marginalia::store::load(&ron).unwrap();
    assert_eq!(selected.entities.len(), 1);
    assert_eq!(selected.entities[0].name, "Aliyev");
}

/// Messages that name the right file and say what is wrong, once.
#[test]
fn messages_name_the_real_culprit() {
    let dir = tempfile::tempdir().unwrap();
    let project = project_with_a_document(dir.path());
    let before = fs::read(&project).unwrap();
    // A single-file format given a folder name, existing or not.
    let err = fails(&[
        "export",
        p(&project),
        "--format",
        "json",
        "--out",
        "newdir/",
    ]);
    assert!(
        err.contains("names a folder; this format writes one file"),
        "{err}"
    );
    // A folder where the backup goes is the backup's problem, not the project's.
    let bak = dir.path().join("p.ron.bak");
    let _ = fs::remove_file(&bak);
    fs::create_dir(&bak).unwrap();
    let more = dir.path().join("b.txt");
    fs::write(&more, "More\n\nBaku replied.\n").unwrap();
    let err = fails(&["import", p(&project), p(&more)]);
    assert!(err.contains("cannot keep the previous version as"), "{err}");
    assert!(err.contains("p.ron.bak"), "{err}");
    assert_eq!(err.lines().count(), 1, "said once: {err}");
    assert_eq!(fs::read(&project).unwrap(), before);
    fs::remove_dir(&bak).unwrap();
    // A title holding a comma is one title, not two.
    ok(&["import", p(&project), p(&more)]);
    let out = dir.path().join("one.json");
    let said = ok(&[
        "export",
        p(&project),
        "--format",
        "json",
        "--out",
        p(&out),
        "--doc",
        "Talks in Geneva",
    ]);
    assert!(said.contains("(1 document, "), "{said}");
    let titled = dir.path().join("c.txt");
    fs::write(&titled, "Geneva, day two\n\nThe talks went on.\n").unwrap();
    ok(&["import", p(&project), p(&titled)]);
    let said = ok(&[
        "export",
        p(&project),
        "--format",
        "json",
        "--out",
        p(&out),
        "--force",
        "--doc",
        "Geneva, day two",
    ]);
    assert!(said.contains("(1 document, "), "{said}");
}

/// A folder import says what it passes over: links (not followed) and, in a folder read as
/// annotations, the plain documents beside them.
#[test]
fn folder_imports_say_what_they_skip() {
    let dir = tempfile::tempdir().unwrap();
    let project = project_with_a_document(dir.path());
    let folder = dir.path().join("in");
    fs::create_dir(&folder).unwrap();
    let outside = dir.path().join("outside.txt");
    fs::write(&outside, "Outside\n\nNot in the folder.\n").unwrap();
    std::os::unix::fs::symlink(&outside, folder.join("link.txt")).unwrap();
    fs::write(folder.join("a.jsonl"), "{\"text\": \"Baku replied.\"}\n").unwrap();
    fs::write(folder.join("plain.txt"), "Plain\n\nA plain note.\n").unwrap();
    let o = marginalia(&["import", p(&project), p(&folder)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains("link.txt: a symbolic link, not followed"),
        "{err}"
    );
    assert!(
        err.contains("plain.txt: skipped; this folder is read as JSONL"),
        "{err}"
    );
    assert_eq!(err.matches("link.txt").count(), 1, "{err}");
}
