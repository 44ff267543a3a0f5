use super::print;
use crate::evaluate::simulate::{ACCEPT_COST, MANUAL_COST, REJECT_COST};
use crate::evaluate::{Evaluation, cross_validate, evaluate};
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
    // A folder with its own annotation.conf is an analyst's own schema: the project has
    // exactly its types (and any the annotations use), not the default ones beside them.
    if path.join("annotation.conf").is_file() {
        project.schema = crate::model::Schema::default();
    }
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
    folds: Option<u32>,
    json: bool,
) -> Result<()> {
    let gold_project = read_annotated(gold, "gold")?;
    let train_project = train.map(|t| read_annotated(t, "train")).transpose()?;
    let report = match folds {
        Some(k) => cross_validate(&gold_project, k as usize, engines.unwrap_or(&[]))?,
        None => evaluate(
            &gold_project,
            train_project.as_ref(),
            engines.unwrap_or(&[]),
        )?,
    };
    if json {
        return print(serde_json::to_string_pretty(&report)?);
    }
    let mut text = format!("engines: {}", report.engines.join(", "));
    scores(&mut text, "entities", &report.entities)?;
    if report.relations.gold > 0 {
        scores(&mut text, "relations", &report.relations)?;
    }
    match folds {
        Some(k) => write!(text, "\ndocuments: {} ({k} folds)", report.documents)?,
        None => write!(text, "\ndocuments: {}", report.documents)?,
    }
    write!(
        text,
        "\nseconds: {:.2} (learning {:.2})",
        report.seconds, report.train_seconds
    )?;
    print(text)
}

/// `evaluate --simulate`: the learning curve and the analyst's effort.
pub(super) fn simulate(
    gold: &Path,
    train: Option<&Path>,
    engines: Option<&[String]>,
    json: bool,
) -> Result<()> {
    let gold_project = read_annotated(gold, "gold")?;
    let train_project = train.map(|t| read_annotated(t, "train")).transpose()?;
    let sim = crate::evaluate::simulate(
        &gold_project,
        train_project.as_ref(),
        engines.unwrap_or(&[]),
    )?;
    if json {
        return print(serde_json::to_string_pretty(&sim)?);
    }
    let mut text = format!("engines: {}", sim.engines.join(", "));
    write!(
        text,
        "\n{:>4}  {:<40} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}",
        "#", "document", "P", "R", "F1", "accept", "reject", "manual"
    )?;
    for (i, d) in sim.documents.iter().enumerate() {
        write!(
            text,
            "\n{:>4}  {:<40} {:>7.4} {:>7.4} {:>7.4} {:>7} {:>7} {:>7}",
            i + 1,
            d.name,
            d.precision,
            d.recall,
            d.f1,
            d.accept,
            d.reject,
            d.manual
        )?;
    }
    let a = &sim.actions;
    write!(
        text,
        "\nactions: accept {}  reject {}  manual {}  (from scratch: {} manual adds)",
        a.accept, a.reject, a.manual, a.from_scratch
    )?;
    write!(
        text,
        "\neffort ratio: {:.4}  (an accept weighs {}, a reject {}, a manual add {}; 1.0 = from scratch)",
        sim.effort_ratio, ACCEPT_COST, REJECT_COST, MANUAL_COST
    )?;
    let r = &sim.relations;
    if r.scores.gold > 0 || r.scores.predicted > 0 {
        write!(
            text,
            "\nrelations: precision {:.4}  recall {:.4}  F1 {:.4}  (gold {}, suggested {}, correct {}; accept {}, reject {}, manual {})",
            r.scores.precision,
            r.scores.recall,
            r.scores.f1,
            r.scores.gold,
            r.scores.predicted,
            r.scores.correct,
            r.accept,
            r.reject,
            r.manual
        )?;
    }
    write!(
        text,
        "\ndocuments: {}\nseconds: {:.2}",
        sim.documents.len(),
        sim.seconds
    )?;
    print(text)
}
