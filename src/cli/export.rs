use super::{load, note, print};
use crate::export::{self, ExportFormat, ExportOptions, JsonlShape, Separator, TagScheme};
use anyhow::Result;
use std::path::Path;

pub(super) fn run(
    path: &Path,
    format: ExportFormat,
    out: &Path,
    force: bool,
    (scheme, separator, jsonl_shape): (TagScheme, Separator, JsonlShape),
    docs: &[String],
    types: &[String],
) -> Result<()> {
    let project = load(path)?;
    let options = ExportOptions {
        force,
        scheme,
        separator,
        documents: docs.to_vec(),
        types: types.to_vec(),
        jsonl_shape,
    };
    export::guard_output(path, out)?;
    // The command line's own wording for an existing output (the core's is the window's).
    super::check_output(out, force)?;
    let report = export::export(&project, format, &options, out)?;
    for notice in &report.notices {
        note(format!("note: {notice}"));
    }
    print(report.summary())
}
