//! The command line: headless import / suggest / export / evaluate / stats.
//! Exit codes: 0 success, 1 bad input (the message names the file and what is wrong), 2 usage.

use crate::import::{ImportFormat, plan_import};
use crate::model::{Project, ProjectStats};
use crate::store;
use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand, ValueEnum};
use std::path::{Path, PathBuf};

mod evaluate;
mod export;
mod suggest;

#[derive(Debug, Parser)]
#[command(
    name = "marginalia",
    version,
    about = "Annotate entities and relations in news and reports"
)]
pub struct Cli {
    /// Project to open in the window (when no subcommand is given).
    pub project: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create an empty project with the default schema.
    New {
        project: PathBuf,
        /// Project name (defaults to the file name).
        #[arg(long)]
        name: Option<String>,
    },
    /// Import documents (files or folders, recursively) into a project.
    Import {
        project: PathBuf,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value_t = ImportFormatArg::Auto)]
        format: ImportFormatArg,
    },
    /// Export a project to another format.
    Export {
        project: PathBuf,
        #[arg(long, value_enum)]
        format: ExportFormatArg,
        /// File (or folder, for brat) to write.
        #[arg(long)]
        out: PathBuf,
        /// Overwrite an existing output.
        #[arg(long)]
        force: bool,
        /// CoNLL tag scheme.
        #[arg(long, value_enum, default_value_t = TagScheme::Iob2)]
        scheme: TagScheme,
        /// Only these documents (ids like 12 or D12, or titles); repeatable, comma-separated.
        #[arg(long = "doc", value_delimiter = ',')]
        docs: Vec<String>,
        /// Only these entity types (comma-separated).
        #[arg(long, value_delimiter = ',')]
        types: Vec<String>,
    },
    /// Run suggestion engines over every document and report (or accept) what they find.
    Suggest {
        project: PathBuf,
        /// Comma-separated engines: gazetteer,rules,memory,model,relations (default: all).
        #[arg(long, value_delimiter = ',')]
        engines: Option<Vec<String>>,
        /// Accept every suggestion into the project (otherwise only report them).
        #[arg(long)]
        accept: bool,
    },
    /// Measure suggestion quality against gold annotations (brat folder or CoNLL file).
    Evaluate {
        /// Gold annotations: a folder of brat .txt/.ann pairs or a CoNLL-2003 style IOB file.
        #[arg(long)]
        gold: PathBuf,
        /// Training annotations (same formats) the engines learn from first.
        #[arg(long)]
        train: Option<PathBuf>,
        /// Comma-separated engines (default: all).
        #[arg(long, value_delimiter = ',')]
        engines: Option<Vec<String>>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Print counts of documents, tokens, spans, relations and entities.
    Stats {
        project: PathBuf,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportFormatArg {
    Auto,
    Text,
    Markdown,
    Html,
    Brat,
    Conll,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    Ron,
    Json,
    Brat,
    Conll,
    Jsonl,
    Csv,
    Graphml,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum TagScheme {
    Iob1,
    #[default]
    Iob2,
}

/// Runs a subcommand, printing its results to stdout.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::New { project, name } => new_project(&project, name),
        Command::Import {
            project,
            paths,
            format,
        } => import(&project, &paths, format),
        Command::Export {
            project,
            format,
            out,
            force,
            scheme,
            docs,
            types,
        } => export::run(&project, format, &out, force, scheme, &docs, &types),
        Command::Suggest {
            project,
            engines,
            accept,
        } => suggest::run(&project, engines.as_deref(), accept),
        Command::Evaluate {
            gold,
            train,
            engines,
            json,
        } => evaluate::run(&gold, train.as_deref(), engines.as_deref(), json),
        Command::Stats { project, json } => stats(&project, json),
    }
}

pub(crate) fn load(path: &Path) -> Result<Project> {
    Ok(store::load(path)?)
}

fn new_project(path: &Path, name: Option<String>) -> Result<()> {
    if path.exists() {
        bail!("{}: already exists; choose another name", path.display());
    }
    let name = name.unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Untitled".into())
    });
    store::save(&Project::new(&name), path)?;
    println!("created {}", path.display());
    Ok(())
}

fn import(path: &Path, paths: &[PathBuf], format: ImportFormatArg) -> Result<()> {
    let mut project = load(path)?;
    let format = match format {
        ImportFormatArg::Auto => ImportFormat::Auto,
        ImportFormatArg::Text => ImportFormat::Text,
        ImportFormatArg::Markdown => ImportFormat::Markdown,
        ImportFormatArg::Html => ImportFormat::Html,
        ImportFormatArg::Brat => ImportFormat::Brat,
        ImportFormatArg::Conll => ImportFormat::Conll,
        ImportFormatArg::Jsonl => ImportFormat::Jsonl,
    };
    let (tx, report) = plan_import(&project, paths, format)?;
    tx.apply(&mut project)
        .with_context(|| format!("{}: the import does not fit the project", path.display()))?;
    for notice in &report.notices {
        eprintln!("note: {notice}");
    }
    store::save(&project, path)?;
    println!("{}", report.summary());
    Ok(())
}

/// Refuses to overwrite an existing output unless forced.
pub fn check_output(out: &Path, force: bool) -> Result<()> {
    if out.exists() && !force {
        bail!(
            "{}: already exists (use --force to overwrite)",
            out.display()
        );
    }
    Ok(())
}

fn stats(path: &Path, json: bool) -> Result<()> {
    let project = load(path)?;
    let s = ProjectStats::of(&project);
    if json {
        println!("{}", serde_json::to_string_pretty(&s)?);
        return Ok(());
    }
    println!("{}", s.name);
    println!("  documents  {:>8}", s.documents);
    println!("  tokens     {:>8}", s.tokens);
    println!("  sentences  {:>8}", s.sentences);
    println!("  spans      {:>8}", s.spans);
    for (t, n) in &s.spans_per_type {
        println!("    {t:<10} {n:>6}");
    }
    println!("  relations  {:>8}", s.relations);
    for (t, n) in &s.relations_per_type {
        println!("    {t:<16} {n:>6}");
    }
    println!("  entities   {:>8}", s.entities);
    Ok(())
}
