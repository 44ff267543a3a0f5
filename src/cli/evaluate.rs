use super::print;
use crate::evaluate::{Evaluation, evaluate};
use crate::import::{ImportFormat, plan_import};
use crate::model::Project;
use anyhow::{Context, Result, bail};
use std::fmt::Write as _;
use std::path::Path;

/// Reads gold or training annotations: a folder of brat files or a CoNLL file.
fn read_annotated(path: &Path, what: &str) -> Result<Project> {
    if !path.exists() {
        bail!("{}: no such file or folder ({what})", path.display());
    }
    let format = if path.is_dir() {
        ImportFormat::Brat
    } else {
        ImportFormat::Conll
    };
    let mut project = Project::new(what);
    let (tx, _report) = plan_import(&project, &[path.to_path_buf()], format)?;
    tx.apply(&mut project)
        .with_context(|| format!("{}: the annotations do not fit a project", path.display()))?;
    if project.documents.is_empty() {
        bail!("{}: no documents", path.display());
    }
    Ok(project)
}

fn scores(text: &mut String, title: &str, e: &Evaluation) -> std::fmt::Result {
    write!(
        text,
        "\n{title}: precision {:.4}  recall {:.4}  F1 {:.4}  (gold {}, predicted {}, correct {})",
        e.precision, e.recall, e.f1, e.gold, e.predicted, e.correct
    )?;
    for (t, s) in &e.per_type {
        write!(
            text,
            "\n  {t:<18} P {:.4}  R {:.4}  F1 {:.4}  gold {:>6}  predicted {:>6}  correct {:>6}",
            s.precision, s.recall, s.f1, s.gold, s.predicted, s.correct
        )?;
    }
    Ok(())
}

pub(super) fn run(
    gold: &Path,
    train: Option<&Path>,
    engines: Option<&[String]>,
    json: bool,
) -> Result<()> {
    let gold_project = read_annotated(gold, "gold")?;
    let train_project = train.map(|t| read_annotated(t, "train")).transpose()?;
    let report = evaluate(
        &gold_project,
        train_project.as_ref(),
        engines.unwrap_or(&[]),
    )?;
    if json {
        return print(serde_json::to_string_pretty(&report)?);
    }
    let mut text = format!("engines: {}", report.engines.join(", "));
    scores(&mut text, "entities", &report.entities)?;
    if report.relations.gold > 0 {
        scores(&mut text, "relations", &report.relations)?;
    }
    write!(text, "\ndocuments: {}", report.documents)?;
    write!(
        text,
        "\nseconds: {:.2} (learning {:.2})",
        report.seconds, report.train_seconds
    )?;
    print(text)
}
