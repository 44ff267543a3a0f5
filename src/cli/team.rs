//! The team commands: merge (git's merge driver), diff, diff-text (git's textconv), agree,
//! setup-git.

use super::{Writing, load, note, print};
use crate::model::{Project, Schema};
use crate::store;
use crate::team;
use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

/// `marginalia merge BASE OURS THEIRS`: the merged project replaces OURS; an error (exit 1)
/// when conflicts remain, after saving them inside the project.
pub(super) fn merge(base: &Path, ours: &Path, theirs: &Path) -> Result<()> {
    let base_project = load_base(base)?;
    let theirs_project = load(theirs)?;
    let backup = store::backup_path(ours);
    let had_backup = backup.exists();
    let (ours_project, mut writing) = Writing::open(ours)?;
    let merged = team::merge(&base_project, &ours_project, &theirs_project)
        .with_context(|| format!("{}: cannot merge", ours.display()))?;
    writing.save(&merged.project)?;
    drop(writing);
    if !had_backup {
        // git keeps every version; a `.bak` beside its temporary file would only litter the
        // work tree.
        if let Err(e) = std::fs::remove_file(&backup)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            crate::diag::warn(format!("{}: not removed: {e}", backup.display()));
        }
    }
    print(merged.summary())?;
    if merged.is_clean() {
        return Ok(());
    }
    for c in &merged.conflicts {
        note(format!(
            "conflict {}{}: {} (ours: {}; theirs: {})",
            c.object,
            c.document.map(|d| format!(" in {d}")).unwrap_or_default(),
            c.what,
            c.ours,
            c.theirs
        ));
    }
    let n = merged.conflicts.len();
    bail!(
        "{}: {} {}; the project keeps OURS' version and lists them (marginalia stats shows them)",
        ours.display(),
        crate::text::count(n, "conflict", "conflicts"),
        if n == 1 { "remains" } else { "remain" }
    )
}

/// BASE may be empty (git's merge of two files added on both sides has no ancestor).
fn load_base(path: &Path) -> Result<Project> {
    let empty = std::fs::metadata(path)
        .map(|m| m.len() == 0)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    if empty {
        let mut p = Project::new("");
        p.schema = Schema::default();
        p.next_id = 0;
        return Ok(p);
    }
    load(path)
}

pub(super) fn diff(a: &Path, b: &Path, json: bool) -> Result<()> {
    let (pa, pb) = (load(a)?, load(b)?);
    let d = team::diff(&pa, &pb);
    if json {
        return print(serde_json::to_string_pretty(&d)?);
    }
    print(d.to_text())
}

/// git's textconv: one line per annotation. A file that is not a project (a merge left
/// behind by another tool) is shown as it is, so `git diff` still works.
pub(super) fn diff_text(path: &Path) -> Result<()> {
    match load(path) {
        Ok(p) => print(team::diff_text(&p).trim_end()),
        Err(e) => {
            note(format!("note: {e:#}; shown as text"));
            let bytes = std::fs::read(path).with_context(|| format!("{}", path.display()))?;
            print(String::from_utf8_lossy(&bytes).trim_end())
        }
    }
}

pub(super) fn agree(paths: &[PathBuf], json: bool) -> Result<()> {
    if paths.len() < 2 {
        bail!("agree needs at least two projects");
    }
    let projects: Vec<(String, Project)> = paths
        .iter()
        .map(|p| Ok((p.display().to_string(), load(p)?)))
        .collect::<Result<_>>()?;
    let named: Vec<(&str, &Project)> = projects.iter().map(|(n, p)| (n.as_str(), p)).collect();
    let a = team::agree(&named)?;
    if json {
        return print(serde_json::to_string_pretty(&a)?);
    }
    print(a.to_text())
}

/// The line `.gitattributes` needs.
pub const ATTRIBUTES_LINE: &str = "*.ron merge=marginalia diff=marginalia";

/// The `git config` settings, for a program name or path.
pub fn git_settings(program: &str) -> Vec<(&'static str, String)> {
    let program = shell_quote(program);
    vec![
        (
            "merge.marginalia.name",
            "Marginalia project merge".to_string(),
        ),
        (
            "merge.marginalia.driver",
            format!("{program} merge %O %A %B"),
        ),
        ("diff.marginalia.textconv", format!("{program} diff-text")),
    ]
}

/// git runs drivers through the shell: a path with spaces or quotes is quoted.
fn shell_quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_-./+:@%=,".contains(c));
    if plain {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

pub(super) fn setup_git(dir: &Path, local: bool, program: &str) -> Result<()> {
    if !dir.is_dir() {
        bail!("{}: not a folder", dir.display());
    }
    let attributes = dir.join(".gitattributes");
    let existing = match std::fs::read_to_string(&attributes) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("{}", attributes.display())),
    };
    let present = existing.lines().any(|l| l.trim() == ATTRIBUTES_LINE);
    if present {
        print(format!("{}: already set up", attributes.display()))?;
    } else {
        let mut text = existing;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(ATTRIBUTES_LINE);
        text.push('\n');
        store::write_atomically(&attributes, text.as_bytes(), false)
            .with_context(|| format!("{}: cannot write", attributes.display()))?;
        print(format!("{}: {ATTRIBUTES_LINE}", attributes.display()))?;
    }
    let settings = git_settings(program);
    if !local {
        print("Run these in the repository (or add --global) to use the driver:")?;
        for (key, value) in &settings {
            print(format!("git config {key} {}", shell_quote(value)))?;
        }
        return Ok(());
    }
    for (key, value) in &settings {
        let status = std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(["config", key, value])
            .status()
            .context("cannot run git (is it installed?)")?;
        if !status.success() {
            bail!(
                "git config {key} failed in {} (is it a git repository?)",
                dir.display()
            );
        }
        print(format!("git config {key} {}", shell_quote(value)))?;
    }
    Ok(())
}
