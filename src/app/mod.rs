//! The eframe window. Panels read the model and send `Edit`s; nothing here owns core logic.

use std::path::PathBuf;

pub fn run(_project: Option<PathBuf>) -> anyhow::Result<()> {
    anyhow::bail!("the window is not built yet")
}
