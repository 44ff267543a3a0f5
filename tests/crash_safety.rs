//! Crash safety of saving: a process saving a large project over and over is killed (SIGKILL
//! on Unix) at random moments; after every kill the project file must load and be exactly one
//! of the two versions being saved, and nothing left behind may be mistaken for a project.
//!
//! `MARGINALIA_CRASH_KILLS` sets the number of kills (default 50; `scripts/crash-test.sh` runs
//! 1,000), `MARGINALIA_CRASH_DOCS` the project size in documents (default 300, about 1 MB),
//! `MARGINALIA_CRASH_SEED` the seed of the kill moments (printed, so a failure can be replayed),
//! `MARGINALIA_DEVTOOL` the developer tool to run (default: `examples/devtool` as cargo
//! built it for this test), so the harness can drive a release build.

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

mod common;

use common::p;
use marginalia::store;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The developer tool that writes and saves test projects (`examples/devtool.rs`, which
/// `cargo test` builds beside the binary).
fn binary() -> String {
    std::env::var("MARGINALIA_DEVTOOL").unwrap_or_else(|_| {
        let bin = std::path::Path::new(env!("CARGO_BIN_EXE_marginalia"));
        let dir = bin.parent().unwrap_or(std::path::Path::new("."));
        dir.join("examples")
            .join(format!("devtool{}", std::env::consts::EXE_SUFFIX))
            .display()
            .to_string()
    })
}

fn ok(args: &[&str]) {
    let o = Command::new(binary()).args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// SplitMix64, for the kill moments.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    names
}

#[test]
fn killing_a_save_at_any_moment_leaves_one_whole_version() {
    let kills = env_number("MARGINALIA_CRASH_KILLS", 50);
    let documents = env_number("MARGINALIA_CRASH_DOCS", 300);
    let seed = env_number(
        "MARGINALIA_CRASH_SEED",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64),
    );
    eprintln!(
        "crash test: {kills} kills, {documents} documents, seed {seed}, binary {}",
        binary()
    );

    let dir = tempfile::tempdir().unwrap();
    // The source is only read; the saves go to p.ron.
    let source = dir.path().join("source.ron");
    let path = dir.path().join("p.ron");
    let docs = documents.to_string();
    ok(&["generate", p(&source), "--documents", &docs, "--seed", "3"]);
    let save_loop = |times: &'static str| -> Vec<String> {
        ["save-loop", p(&source), "--times", times, "--to", p(&path)]
            .map(String::from)
            .to_vec()
    };
    let run = |args: Vec<String>| ok(&args.iter().map(String::as_str).collect::<Vec<_>>());
    // Two saves: the file is version A (as saved), the backup version B.
    run(save_loop("2"));
    let a = std::fs::read(&path).unwrap();
    let b = std::fs::read(store::backup_path(&path)).unwrap();
    assert_ne!(a, b);
    let project_a = store::load(&path).unwrap();
    let project_b = store::load(&store::backup_path(&path)).unwrap();
    assert_eq!(
        project_b,
        marginalia::testkit::alternate_version(&project_a)
    );

    // How long a load and a few saves take here, to spread the kills over that window.
    let started = Instant::now();
    run(save_loop("4"));
    let window = started.elapsed().max(Duration::from_millis(20));
    eprintln!(
        "crash test: load + 4 saves take {:.0} ms; killing within {:.0} ms",
        window.as_secs_f64() * 1e3,
        window.as_secs_f64() * 1.5e3
    );

    let (mut saw_a, mut saw_b, mut saw_temp, mut exited) = (0, 0, 0, 0);
    let mut state = seed;
    for kill in 0..kills {
        let mut child = Command::new(binary())
            .args(save_loop("1000000"))
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let delay = window.mul_f64(1.5 * (next(&mut state) % 10_000) as f64 / 10_000.0);
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_some() {
            // Finished or failed before the kill: that must not be a failure to save.
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "kill {kill}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            exited += 1;
        } else {
            child.kill().unwrap();
            child.wait().unwrap();
        }

        let now = std::fs::read(&path).unwrap();
        if now == a {
            saw_a += 1;
        } else if now == b {
            saw_b += 1;
        } else {
            panic!(
                "kill {kill} (seed {seed}): the project file is neither version ({} bytes)",
                now.len()
            );
        }
        let backup = std::fs::read(store::backup_path(&path)).unwrap();
        assert!(
            backup == a || backup == b,
            "kill {kill} (seed {seed}): the backup is neither version"
        );
        // Anything else left behind is a hidden temporary file of this project, never a `.ron`.
        for name in names_in(dir.path()) {
            if name == "p.ron" || name == "p.ron.bak" || name == "source.ron" {
                continue;
            }
            assert!(
                name.starts_with(".p.ron.") && name.ends_with(".tmp"),
                "kill {kill}: unexpected file {name}"
            );
            saw_temp += 1;
        }
        // Load (parse + validate) the file itself every few kills; the bytes check above
        // already proves it equals a version that loads.
        if kill % 10 == 0 {
            let loaded = store::load(&path).unwrap();
            assert!(loaded == project_a || loaded == project_b);
        }
    }
    eprintln!(
        "crash test: {kills} kills: file was version A {saw_a} times, version B {saw_b} times; \
         {saw_temp} leftover temporary files seen; {exited} runs ended before their kill"
    );

    // The next successful save clears what the killed ones left behind.
    run(save_loop("2"));
    assert_eq!(std::fs::read(&path).unwrap(), a);
    assert_eq!(names_in(dir.path()), ["p.ron", "p.ron.bak", "source.ron"]);
}
