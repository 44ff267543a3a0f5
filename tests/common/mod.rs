//! Helpers for the end-to-end tests: run the real binary and look at what it did.
#![allow(dead_code)]

use std::path::Path;
use std::process::{Command, Output};

pub fn marginalia(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_marginalia"))
        .args(args)
        .output()
        .expect("the marginalia binary runs")
}

pub fn p(path: &Path) -> &str {
    path.to_str().expect("utf-8 test path")
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs and requires success, returning stdout.
pub fn ok(args: &[&str]) -> String {
    let o = marginalia(args);
    assert!(o.status.success(), "{args:?} failed: {}", stderr(&o));
    stdout(&o)
}

/// Runs and requires exit code 1 with a message on stderr, returning the message.
pub fn fails(args: &[&str]) -> String {
    let o = marginalia(args);
    assert_eq!(o.status.code(), Some(1), "{args:?}: {}", stderr(&o));
    let err = stderr(&o);
    assert!(err.starts_with("error: "), "{err}");
    err
}

/// Creates an empty project `name` in `dir` through the binary.
pub fn new_project(dir: &Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    ok(&["new", p(&path)]);
    path
}

/// The project exported as JSON (written to `dir/out.json`), parsed.
pub fn json_export(project: &Path, dir: &Path) -> serde_json::Value {
    let out = dir.join("out.json");
    ok(&[
        "export",
        p(project),
        "--format",
        "json",
        "--out",
        p(&out),
        "--force",
    ]);
    serde_json::from_str(&std::fs::read_to_string(out).expect("the export is there"))
        .expect("the JSON export parses")
}

/// Runs git in `dir` with a fixed identity and no user or system configuration.
pub fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=Analyst",
            "-c",
            "user.email=analyst@example.org",
        ])
        .args(["-c", "init.defaultBranch=main", "-c", "pull.rebase=false"])
        .args(args)
        .env("GIT_AUTHOR_NAME", "Analyst")
        .env("GIT_AUTHOR_EMAIL", "analyst@example.org")
        .env("GIT_COMMITTER_NAME", "Analyst")
        .env("GIT_COMMITTER_EMAIL", "analyst@example.org")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .expect("git runs")
}

pub fn git_ok(dir: &Path, args: &[&str]) -> String {
    let o = git(dir, args);
    assert!(
        o.status.success(),
        "git {args:?} failed:\n{}\n{}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// Whether git can run here; when it cannot, the caller prints why it skips.
pub fn has_git() -> bool {
    Command::new("git").arg("--version").output().is_ok()
}

/// A new git work tree `parent/name` (`git init`), for tests that first checked `has_git`.
pub fn git_repo(parent: &Path, name: &str) -> std::path::PathBuf {
    let repo = parent.join(name);
    std::fs::create_dir_all(&repo).expect("the repository folder is made");
    git_ok(&repo, &["init", "-q"]);
    repo
}
