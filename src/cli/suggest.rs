use anyhow::{Result, bail};
use std::path::Path;

pub(super) fn run(_project: &Path, _engines: Option<&[String]>, _accept: bool) -> Result<()> {
    bail!("suggest is being added")
}
