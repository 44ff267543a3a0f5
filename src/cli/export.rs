use super::{ExportFormatArg, TagScheme, check_output, load};
use crate::store;
use anyhow::{Context, Result, bail};
use std::path::Path;

pub(super) fn run(
    path: &Path,
    format: ExportFormatArg,
    out: &Path,
    force: bool,
    _scheme: TagScheme,
    _docs: &[String],
    _types: &[String],
) -> Result<()> {
    let project = load(path)?;
    check_output(out, force)?;
    let bytes = match format {
        ExportFormatArg::Ron => store::to_ron_string(&project)?.into_bytes(),
        ExportFormatArg::Json => serde_json::to_vec_pretty(&project)?,
        other => bail!("export to {other:?} is being added"),
    };
    store::write_atomically(out, &bytes, false)
        .with_context(|| format!("{}: cannot write", out.display()))?;
    println!("wrote {}", out.display());
    Ok(())
}
