//! The command line: headless import / suggest / export / evaluate / stats, and the team
//! commands (merge / diff / diff-text / agree / setup-git).
//! Exit codes: 0 success, 1 bad input (the message names the file and what is wrong), 2 usage.

use crate::export::{ExportFormat, JsonlShape, Separator, TagScheme};
use crate::import::{ImportFormat, plan_import_with};
use crate::model::{Project, ProjectStats};
use crate::store;
use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

mod evaluate;
mod export;
pub mod output;
mod suggest;
mod team;

pub use output::BrokenPipe;
use output::{note, print};

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
        #[arg(long, value_enum, default_value_t = ImportFormat::Auto)]
        format: ImportFormat,
        /// Which column of a table (CSV, TSV, spreadsheet) gives which field, when its header
        /// does not say: FIELD=COLUMN, comma-separated (text=Nachricht,title=Überschrift).
        /// Fields: text, title, date, source, url, author, language; other columns are kept
        /// as metadata.
        #[arg(long, value_delimiter = ',', value_name = "FIELD=COLUMN", value_parser = column_pair)]
        columns: Vec<String>,
    },
    /// Export a project to another format.
    Export {
        project: PathBuf,
        #[arg(long, value_enum)]
        format: ExportFormat,
        /// File (or folder, for brat) to write.
        #[arg(long)]
        out: PathBuf,
        /// Overwrite an existing output.
        #[arg(long)]
        force: bool,
        /// CoNLL tag scheme.
        #[arg(long, value_enum, default_value_t = TagScheme::Iob2)]
        scheme: TagScheme,
        /// CoNLL column separator (doccano's CoNLL import wants tab).
        #[arg(long, value_enum, default_value_t = Separator::Space)]
        separator: Separator,
        /// doccano JSONL shape: seq (`label` triples, for sequence-labelling projects) or
        /// relation (`entities` and `relations`).
        #[arg(long, value_enum, default_value_t = JsonlShape::Seq)]
        jsonl_shape: JsonlShape,
        /// Only these documents (ids like 12 or D12, or titles); repeatable, comma-separated
        /// (a title that holds a comma is matched whole first).
        #[arg(long = "doc")]
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
        /// Replay the gold documents in order through a simulated analyst (learning curve
        /// and effort against annotating from scratch).
        #[arg(long)]
        simulate: bool,
        /// K-fold cross-validation by document over the gold folder (no --train): each fold
        /// is suggested on after learning from the others; counts summed over the folds.
        #[arg(long, value_name = "K", conflicts_with_all = ["simulate", "train"], value_parser = clap::value_parser!(u32).range(2..))]
        folds: Option<u32>,
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
    /// Three-way merge of projects, as git's merge driver (%O %A %B): the result replaces
    /// OURS; exit 0 when clean, 1 when conflicts remain (listed inside the project).
    Merge {
        base: PathBuf,
        ours: PathBuf,
        theirs: PathBuf,
    },
    /// What changed from A to B in annotation terms.
    Diff {
        a: PathBuf,
        b: PathBuf,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// A project as one line per annotation (git's textconv for `git diff`).
    DiffText { project: PathBuf },
    /// Inter-annotator agreement over the documents the projects share.
    Agree {
        #[arg(required = true, num_args = 2..)]
        projects: Vec<PathBuf>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Set up a git repository to merge and diff projects with Marginalia.
    SetupGit {
        /// The repository folder.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Also run `git config` in DIR (otherwise only print the lines).
        #[arg(long)]
        local: bool,
        /// The program git should run (a name on PATH or a full path).
        #[arg(long, default_value = "marginalia")]
        program: String,
    },
}

/// Runs a subcommand, printing its results to stdout.
pub fn run(command: Command) -> Result<()> {
    match command {
        Command::New { project, name } => new_project(&project, name),
        Command::Import {
            project,
            paths,
            format,
            columns,
        } => import(&project, &paths, format, &columns),
        Command::Export {
            project,
            format,
            out,
            force,
            scheme,
            separator,
            jsonl_shape,
            docs,
            types,
        } => export::run(
            &project,
            format,
            &out,
            force,
            (scheme, separator, jsonl_shape),
            &docs,
            &types,
        ),
        Command::Suggest {
            project,
            engines,
            accept,
        } => suggest::run(&project, engines.as_deref(), accept),
        Command::Evaluate {
            gold,
            train,
            engines,
            simulate,
            json,
            ..
        } if simulate => evaluate::simulate(&gold, train.as_deref(), engines.as_deref(), json),
        Command::Evaluate {
            gold,
            train,
            engines,
            folds,
            json,
            ..
        } => evaluate::run(&gold, train.as_deref(), engines.as_deref(), folds, json),
        Command::Stats { project, json } => stats(&project, json),
        Command::Merge { base, ours, theirs } => team::merge(&base, &ours, &theirs),
        Command::Diff { a, b, json } => team::diff(&a, &b, json),
        Command::DiffText { project } => team::diff_text(&project),
        Command::Agree { projects, json } => team::agree(&projects, json),
        Command::SetupGit {
            dir,
            local,
            program,
        } => team::setup_git(&dir, local, &program),
    }
}

pub(crate) fn load(path: &Path) -> Result<Project> {
    Ok(store::load(path)?)
}

/// A project open for a read-modify-write: locked from before the load until after the save,
/// and saved only if the file is still the one that was read. Another writer gets "p.ron is
/// open in another Marginalia (pid N)", never a silent overwrite.
pub(crate) struct Writing {
    path: PathBuf,
    on_disk: store::OnDisk,
    _lock: store::ProjectLock,
}

impl Writing {
    /// Locks and loads an existing project.
    pub(crate) fn open(path: &Path) -> Result<(Project, Writing)> {
        let lock = store::ProjectLock::acquire(path)?;
        let (project, on_disk) = store::load_tracked(path)?;
        let writing = Writing {
            path: path.to_path_buf(),
            on_disk,
            _lock: lock,
        };
        Ok((project, writing))
    }

    /// Locks the name of a project that does not exist yet.
    fn create(path: &Path) -> Result<Writing> {
        let lock = store::ProjectLock::acquire(path)?;
        Ok(Writing {
            path: path.to_path_buf(),
            on_disk: store::OnDisk::absent(),
            _lock: lock,
        })
    }

    /// Saves, saying so on stderr when a newer recovery file was found (and kept).
    pub(crate) fn save(&mut self, project: &Project) -> Result<()> {
        let saved = store::save_tracked(project, &self.path, &self.on_disk)?;
        if let Some(recovery) = &saved.kept_recovery {
            note(format!(
                "note: {} holds newer unsaved work from the window; it is kept, and opening {} in Marginalia offers it",
                recovery.display(),
                self.path.display()
            ));
        }
        self.on_disk = saved.on_disk;
        Ok(())
    }
}

fn new_project(path: &Path, name: Option<String>) -> Result<()> {
    if std::fs::symlink_metadata(path).is_ok() {
        bail!("{}: already exists; choose another name", path.display());
    }
    let name = name.unwrap_or_else(|| {
        path.file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "Untitled".into())
    });
    let mut writing = Writing::create(path)?;
    writing.save(&Project::new(&name))?;
    drop(writing);
    print(format!("created {}", path.display()))
}

/// One `--columns` pair, checked as the command line is read (a bad one is a usage error).
fn column_pair(pair: &str) -> Result<String, String> {
    crate::import::ColumnMap::parse([pair])?;
    Ok(pair.to_string())
}

fn import(path: &Path, paths: &[PathBuf], format: ImportFormat, columns: &[String]) -> Result<()> {
    let columns = crate::import::ColumnMap::parse(columns.iter().map(String::as_str))
        .map_err(|e| anyhow::anyhow!("--columns: {e}"))?;
    let (mut project, mut writing) = Writing::open(path)?;
    let author = bind_author(path, &mut project);
    let options = crate::import::ImportOptions { columns };
    let (mut tx, report) = plan_import_with(&project, paths, format, &options)?;
    author.stamp(&mut tx, std::time::SystemTime::now());
    tx.apply(&mut project)
        .with_context(|| format!("{}: the import does not fit the project", path.display()))?;
    writing.save(&project)?;
    drop(writing);
    for notice in &report.notices {
        note(format!("note: {notice}"));
    }
    print(report.summary())
}

/// The author of a command-line write, resolved like the window's (settings file, `git
/// config user.name`, OS user); the project hands out new ids from their block.
pub(crate) fn bind_author(path: &Path, project: &mut Project) -> crate::session::Author {
    let author = crate::session::Author::resolve(Some(path));
    author.bind(project);
    author
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
        return print(serde_json::to_string_pretty(&s)?);
    }
    let mut text = String::new();
    writeln!(text, "{}", s.name)?;
    writeln!(text, "  documents  {:>8}", s.documents)?;
    writeln!(text, "  tokens     {:>8}", s.tokens)?;
    writeln!(text, "  sentences  {:>8}", s.sentences)?;
    writeln!(text, "  spans      {:>8}", s.spans)?;
    for (t, n) in &s.spans_per_type {
        writeln!(text, "    {t:<10} {n:>6}")?;
    }
    writeln!(text, "  relations  {:>8}", s.relations)?;
    for (t, n) in &s.relations_per_type {
        writeln!(text, "    {t:<16} {n:>6}")?;
    }
    write!(text, "  entities   {:>8}", s.entities)?;
    if !project.conflicts.is_empty() {
        write!(
            text,
            "\n  conflicts  {:>8}  (left by a merge; OURS' version is kept)",
            project.conflicts.len()
        )?;
        for c in &project.conflicts {
            write!(
                text,
                "\n    {}: {} (ours: {}; theirs: {})",
                c.object, c.what, c.ours, c.theirs
            )?;
        }
    }
    print(text)
}
