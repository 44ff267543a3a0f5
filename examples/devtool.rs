//! Developer tools for measuring and testing at scale (not part of the shipped binary):
//!
//! - `devtool generate OUT.ron --documents N [--seed S] [--force]` writes a synthetic
//!   news-like project, deterministic from the seed;
//! - `devtool save-loop PROJECT.ron --times N [--to TARGET.ron]` loads a project (version A),
//!   makes a second version B, then saves B, A, B, A, ... N times to TARGET (default: PROJECT
//!   itself); the crash-safety test kills it at random moments. After an even number of saves
//!   the target holds A, re-saved. `--times 0` measures opening alone.
//!
//! `cargo build --release --example devtool` builds it to `target/release/examples/devtool`.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use marginalia::model::Project;
use marginalia::store;
use marginalia::testkit::{alternate_version, synthetic_project};
use std::path::{Path, PathBuf};

#[derive(Parser)]
#[command(
    name = "devtool",
    about = "Marginalia developer tools (test data, save loops)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a synthetic news-like project.
    Generate {
        out: PathBuf,
        /// Number of documents (about 3 KB of text, 30 spans and 5 relations each).
        #[arg(long)]
        documents: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Overwrite an existing output.
        #[arg(long)]
        force: bool,
    },
    /// Load a project, then save two alternating versions of it.
    SaveLoop {
        project: PathBuf,
        #[arg(long)]
        times: u64,
        /// Save to this file instead of over PROJECT.
        #[arg(long)]
        to: Option<PathBuf>,
    },
}

fn generate(out: &Path, documents: usize, seed: u64, force: bool) -> Result<()> {
    if out.exists() && !force {
        bail!(
            "{}: already exists (use --force to overwrite)",
            out.display()
        );
    }
    let project = synthetic_project(documents, seed);
    store::save(&project, out)?;
    println!(
        "generated {}: {} documents, {} spans, {} relations, {} entities",
        out.display(),
        project.documents.len(),
        project.span_count(),
        project.relation_count(),
        project.entities.len()
    );
    Ok(())
}

fn save_loop(path: &Path, times: u64, to: Option<&Path>) -> Result<()> {
    let a = store::load(path)?;
    // `--times 0` measures opening alone: no second copy in memory.
    let b = if times > 0 {
        alternate_version(&a)
    } else {
        Project::new("")
    };
    let target = to.unwrap_or(path);
    for i in 0..times {
        let version = if i.is_multiple_of(2) { &b } else { &a };
        store::save(version, target).with_context(|| format!("save {} of {times}", i + 1))?;
    }
    println!("saved {} {times} times", target.display());
    Ok(())
}

fn main() -> Result<()> {
    match Cli::parse().command {
        Command::Generate {
            out,
            documents,
            seed,
            force,
        } => generate(&out, documents, seed, force),
        Command::SaveLoop { project, times, to } => save_loop(&project, times, to.as_deref()),
    }
}
