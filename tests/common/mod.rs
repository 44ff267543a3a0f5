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
