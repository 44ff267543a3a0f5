//! Developer tools for measuring and testing at scale (not part of the shipped binary):
//!
//! - `devtool generate OUT.ron --documents N [--seed S] [--force]` writes a synthetic
//!   news-like project, deterministic from the seed;
//! - `devtool save-loop PROJECT.ron --times N [--to TARGET.ron]` loads a project (version A),
//!   makes a second version B, then saves B, A, B, A, ... N times to TARGET (default: PROJECT
//!   itself); the crash-safety test kills it at random moments. After an even number of saves
//!   the target holds A, re-saved. `--times 0` measures opening alone.
//!
//! - `devtool branch BASE.ron OUT.ron --author NAME [--every K] [--offset O] [--new N]` writes
//!   an analyst's copy of BASE, edited as NAME through the session (stamps, NAME's id block):
//!   in every K-th document from O it retypes the first span, tags the second one's text
//!   again as NORP and deletes the last span, and it imports N new articles. Two branches
//!   with different offsets make a merge benchmark (see BENCHMARKS.md);
//! - `devtool merge-timings BASE.ron OURS.ron THEIRS.ron --out OUT.ron` times the parts of
//!   a merge: loading the three projects, merging, saving.
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
    /// Write an analyst's edited copy of a project (for merge benchmarks).
    Branch {
        base: PathBuf,
        out: PathBuf,
        #[arg(long)]
        author: String,
        #[arg(long, default_value_t = 10)]
        every: usize,
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// New articles to import.
        #[arg(long, default_value_t = 20)]
        new: usize,
    },
    /// Time the parts of a merge: loading the three projects, merging, saving the result.
    MergeTimings {
        base: PathBuf,
        ours: PathBuf,
        theirs: PathBuf,
        /// Where to save the result.
        #[arg(long)]
        out: PathBuf,
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

fn branch(
    base: &Path,
    out: &Path,
    author: &str,
    every: usize,
    offset: usize,
    new: usize,
) -> Result<()> {
    use marginalia::session::{Author, Op, Session};
    let mut session =
        Session::from_project(store::load(base)?, None).with_author(Some(Author::named(author)));
    let docs: Vec<_> = session
        .project
        .documents
        .iter()
        .enumerate()
        .filter(|(i, d)| i % every.max(1) == offset && d.spans.len() >= 3)
        .map(|(_, d)| {
            (
                d.id,
                d.spans[0].id,
                d.spans[1].clone(),
                d.spans[d.spans.len() - 1].id,
            )
        })
        .collect();
    for (doc, first, second, last) in &docs {
        let ops = [
            Op::Retype {
                doc: *doc,
                span: *first,
                entity_type: "EVENT".into(),
            },
            Op::Tag {
                doc: *doc,
                start: second.start,
                end: second.end,
                entity_type: "NORP".into(),
            },
            Op::DeleteSpan {
                doc: *doc,
                span: *last,
            },
        ];
        for op in ops {
            session.run(op)?;
        }
    }
    let dir = tempfile::tempdir()?;
    let files: Vec<PathBuf> = (0..new)
        .map(|i| {
            let path = dir.path().join(format!("{author}-{i}.txt"));
            let text = format!(
                "Report {i} by {author}\n\nOfficials in Yerevan said on Monday that talks with Baku would resume, according to {author}'s note {i}.\n"
            );
            std::fs::write(&path, text).map(|()| path)
        })
        .collect::<std::io::Result<_>>()?;
    if !files.is_empty() {
        session.import(
            &files,
            marginalia::import::ImportFormat::Text,
            &Default::default(),
        )?;
    }
    store::save(&session.project, out)?;
    println!(
        "{}: {} documents edited and {} imported by {author}",
        out.display(),
        docs.len(),
        files.len()
    );
    Ok(())
}

fn merge_timings(base: &Path, ours: &Path, theirs: &Path, out: &Path) -> Result<()> {
    let t = std::time::Instant::now();
    let (b, o, th) = (store::load(base)?, store::load(ours)?, store::load(theirs)?);
    let loaded = t.elapsed();
    let t = std::time::Instant::now();
    let merged = marginalia::team::merge(&b, &o, &th)?;
    let merging = t.elapsed();
    let t = std::time::Instant::now();
    store::save(&merged.project, out)?;
    let saving = t.elapsed();
    println!(
        "load 3: {:.2} s, merge: {:.2} s, save: {:.2} s ({})",
        loaded.as_secs_f64(),
        merging.as_secs_f64(),
        saving.as_secs_f64(),
        merged.summary()
    );
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
        Command::Branch {
            base,
            out,
            author,
            every,
            offset,
            new,
        } => branch(&base, &out, &author, every, offset, new),
        Command::MergeTimings {
            base,
            ours,
            theirs,
            out,
        } => merge_timings(&base, &ours, &theirs, &out),
    }
}
