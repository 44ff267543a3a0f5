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
