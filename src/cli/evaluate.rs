use anyhow::{Result, bail};
use std::path::Path;

pub(super) fn run(
    _gold: &Path,
    _train: Option<&Path>,
    _engines: Option<&[String]>,
    _json: bool,
) -> Result<()> {
    bail!("evaluate is being added")
}
