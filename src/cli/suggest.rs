use super::{Writing, print};
use crate::session::Op;
use crate::suggest::{DEFAULT_MIN_SCORE, engines_by_name, learn_all, run_engines};
use crate::text::count;
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

pub(super) fn run(path: &Path, engines: Option<&[String]>, accept: bool) -> Result<()> {
    // Accepting writes the project: locked from the load to the save, and the report is
    // printed only once the save is done.
    let (mut project, mut writing) = if accept {
        let (project, writing) = Writing::open(path)?;
        (project, Some(writing))
    } else {
        (super::load(path)?, None)
    };
    let mut engines = engines_by_name(engines.unwrap_or(&[]))?;
    learn_all(&mut engines, &project);
    let all = run_engines(&project, &engines, &[]);
    let mut report = String::new();
    write!(
        report,
        "{}, {} in {}",
        count(
            all.entities.len(),
            "entity suggestion",
            "entity suggestions"
        ),
        count(
            all.relations.len(),
            "relation suggestion",
            "relation suggestions"
        ),
        count(project.documents.len(), "document", "documents")
    )?;
    for ((engine, ty), n) in all.counts() {
        write!(report, "\n  {engine:<28} {ty:<10} {n:>6}")?;
    }
    let mut rel_counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for r in &all.relations {
        *rel_counts.entry((&r.engine, &r.relation_type)).or_insert(0) += 1;
    }
    for ((engine, ty), n) in rel_counts {
        write!(report, "\n  {engine:<28} {ty:<16} {n:>6}")?;
    }
    let Some(w) = writing.as_mut() else {
        return print(report);
    };
    // The same operation as "Accept shown" in the window: overlaps resolved, new spans
    // linked to known entities.
    let best = all.best(&project, DEFAULT_MIN_SCORE);
    let author = super::bind_author(path, &mut project);
    let mut planned = Op::Accept {
        entities: best.entities,
        relations: best.relations,
    }
    .plan(&project)
    .with_context(|| format!("{}: the suggestions do not fit the project", path.display()))?;
    author.stamp(&mut planned.tx, std::time::SystemTime::now());
    planned
        .tx
        .apply(&mut project)
        .with_context(|| format!("{}: the suggestions do not fit the project", path.display()))?;
    w.save(&project)?;
    drop(writing);
    print(report)?;
    print(format!(
        "{} (non-overlapping, score >= {DEFAULT_MIN_SCORE})",
        planned.summary
    ))
}
