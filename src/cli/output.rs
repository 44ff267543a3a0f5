//! Writing reports to stdout and notes to stderr without ever panicking: `println!` panics
//! when the reader has gone (`marginalia stats p.ron | head -1`). A closed stdout ends the
//! command quietly instead (`BrokenPipe`, exit 0: what was asked is done, only the report had
//! no reader); a closed stderr loses the note, as there is nowhere left to say anything.

use std::fmt::Display;
use std::io::Write;

/// Stdout was closed by its reader; `main` exits quietly.
#[derive(Debug, thiserror::Error)]
#[error("stdout was closed")]
pub struct BrokenPipe;

/// Prints `text` and a line break to stdout.
pub fn print(text: impl Display) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Err(BrokenPipe.into()),
        Err(e) => Err(anyhow::Error::new(e).context("cannot write to stdout")),
    }
}

/// Prints `text` and a line break to stderr; a closed stderr is ignored (nowhere to report).
pub fn note(text: impl Display) {
    let mut err = std::io::stderr().lock();
    if writeln!(err, "{text}").is_err() {
        // Nothing can be reported once stderr itself is gone.
    }
}
