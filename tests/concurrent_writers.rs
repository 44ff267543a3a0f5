//! Several `marginalia` processes writing one project at once: every operation either lands
//! or fails with exit 1 and a clear message, and nothing reported as done is missing at the
//! end (no lost update).
//!
//! Bounded in time: `MARGINALIA_CONCURRENT_SECS` (default 20) seconds of work in all.
#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::{marginalia, ok, p, stderr};
use marginalia::store;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

const WRITERS: usize = 4;

struct Tally {
    landed: Vec<String>,
    refused: usize,
}

fn writer(id: usize, project: &Path, dir: &Path, deadline: Instant) -> Tally {
    let mut tally = Tally {
        landed: Vec::new(),
        refused: 0,
    };
    let mut n = 0;
    while Instant::now() < deadline {
        let title = format!("w{id}-n{n}");
        let file = dir.join(format!("{title}.txt"));
        // The first line is the document's title.
        fs::write(
            &file,
            format!("{title}\n\nWriter {id} wrote note {n} in Geneva.\n"),
        )
        .unwrap();
        let o = Command::new(env!("CARGO_BIN_EXE_marginalia"))
            .args(["import", p(project), p(&file)])
            .output()
            .unwrap();
        let err = stderr(&o);
        match o.status.code() {
            Some(0) => tally.landed.push(title),
            Some(1) => {
                assert!(
                    err.starts_with("error: ") && err.contains(p(project)),
                    "a refused import must name the project: {err}"
                );
                assert!(
                    err.contains("is open in another Marginalia")
                        || err.contains("changed since it was read; nothing saved"),
                    "unexpected failure: {err}"
                );
                tally.refused += 1;
            }
            other => panic!("import exited {other:?}: {err}"),
        }
        n += 1;
    }
    tally
}

#[test]
fn concurrent_imports_never_lose_a_reported_import() {
    let secs: u64 = std::env::var("MARGINALIA_CONCURRENT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.ron");
    ok(&["new", p(&project)]);
    let deadline = Instant::now() + Duration::from_secs(secs);
    let tallies: Vec<Tally> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..WRITERS)
            .map(|id| {
                let (project, dir) = (&project, dir.path());
                s.spawn(move || writer(id, project, dir, deadline))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let landed: BTreeSet<String> = tallies.iter().flat_map(|t| t.landed.clone()).collect();
    let refused: usize = tallies.iter().map(|t| t.refused).sum();
    let loaded = store::load(&project).unwrap();
    let titles: BTreeSet<String> = loaded.documents.iter().map(|d| d.title.clone()).collect();
    let missing: Vec<&String> = landed.difference(&titles).collect();
    assert!(
        missing.is_empty(),
        "reported as imported but missing: {missing:?}"
    );
    // Nothing lands that was not reported either (a refused import changes nothing).
    assert_eq!(titles, landed);
    eprintln!(
        "{} imports landed, {refused} refused, {WRITERS} writers, {secs} s",
        landed.len()
    );
    assert!(!landed.is_empty());
    // No lock file is left once every writer is gone.
    assert!(!store::lock_path(&project).exists());
}

#[test]
fn a_second_writer_is_refused_while_the_project_is_locked() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.ron");
    ok(&["new", p(&project)]);
    let before = fs::read(&project).unwrap();
    let doc = dir.path().join("a.txt");
    fs::write(&doc, "Geneva hosted the talks.\n").unwrap();
    let lock = store::ProjectLock::acquire(&project).unwrap();
    for args in [
        vec!["import", p(&project), p(&doc)],
        vec!["suggest", p(&project), "--engines", "rules", "--accept"],
    ] {
        let o = marginalia(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = stderr(&o);
        assert_eq!(
            err.trim_end(),
            format!(
                "error: {} is open in another Marginalia (pid {})",
                project.display(),
                std::process::id()
            )
        );
    }
    assert_eq!(fs::read(&project).unwrap(), before);
    // Reading needs no lock.
    ok(&["stats", p(&project)]);
    drop(lock);
    ok(&["import", p(&project), p(&doc)]);
}

#[test]
fn a_stale_lock_of_a_killed_process_does_not_block() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.ron");
    ok(&["new", p(&project)]);
    fs::write(store::lock_path(&project), "999999999\nsomewhere\n").unwrap();
    let doc = dir.path().join("a.txt");
    fs::write(&doc, "Geneva hosted the talks.\n").unwrap();
    ok(&["import", p(&project), p(&doc)]);
    assert!(!store::lock_path(&project).exists());
}

#[test]
fn a_cli_save_keeps_a_newer_recovery_file_offered() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.ron");
    ok(&["new", p(&project)]);
    let mut unsaved = store::load(&project).unwrap();
    unsaved.name = "unsaved work in the window".into();
    store::write_recovery(&unsaved, &project).unwrap();
    let recovery = store::recovery_path(&project);
    // The recovery is newer than the project.
    let f = fs::OpenOptions::new().write(true).open(&recovery).unwrap();
    f.set_modified(std::time::SystemTime::now() + Duration::from_secs(5))
        .unwrap();
    drop(f);
    assert_eq!(store::newer_recovery(&project), Some(recovery.clone()));
    let doc = dir.path().join("a.txt");
    fs::write(&doc, "Geneva hosted the talks.\n").unwrap();
    let o = marginalia(&["import", p(&project), p(&doc)]);
    assert!(o.status.success(), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(
        err.contains(p(&recovery)) && err.contains("it is kept"),
        "{err}"
    );
    assert_eq!(store::newer_recovery(&project), Some(recovery.clone()));
    assert_eq!(store::load(&recovery).unwrap().name, unsaved.name);
    assert_eq!(store::load(&project).unwrap().documents.len(), 1);
}

#[test]
fn a_project_changed_since_it_was_read_is_not_saved() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("p.ron");
    ok(&["new", p(&project)]);
    let (loaded, on_disk) = store::load_tracked(&project).unwrap();
    // Somebody else saves meanwhile (without the lock: an older build, git, an editor).
    let mut other = loaded.clone();
    other.name = "theirs".into();
    store::save(&other, &project).unwrap();
    let err = store::save_tracked(&loaded, &project, &on_disk).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} changed since it was read; nothing saved",
            project.display()
        )
    );
    assert_eq!(store::load(&project).unwrap().name, "theirs");
    // A new project never replaces a file that appeared meanwhile.
    let err = store::save_tracked(&loaded, &project, &store::OnDisk::absent()).unwrap_err();
    assert!(
        err.to_string().contains("already exists; nothing saved"),
        "{err}"
    );
}

/// A project open in the window (a `Session`) keeps CLI writers out; once it is closed they
/// land.
#[test]
fn a_project_open_in_the_window_refuses_command_line_writes() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("case.ron");
    ok(&["new", p(&project)]);
    let file = dir.path().join("a.txt");
    fs::write(&file, "A note\n\nWritten in Geneva.\n").unwrap();
    let window = marginalia::session::Session::open(&project).unwrap();
    let o = marginalia(&["import", p(&project), p(&file)]);
    assert_eq!(o.status.code(), Some(1));
    let pid = std::process::id();
    assert_eq!(
        stderr(&o).trim(),
        format!(
            "error: {} is open in another Marginalia (pid {pid})",
            project.display()
        )
    );
    assert_eq!(store::load(&project).unwrap().documents.len(), 0);
    drop(window);
    ok(&["import", p(&project), p(&file)]);
    assert_eq!(store::load(&project).unwrap().documents.len(), 1);
}
