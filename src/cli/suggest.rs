use crate::session::Op;
use crate::store;
use crate::suggest::{DEFAULT_MIN_SCORE, engines_by_name, learn_all, run_engines};
use anyhow::{Context, Result};
use std::collections::BTreeMap;
use std::path::Path;

pub(super) fn run(path: &Path, engines: Option<&[String]>, accept: bool) -> Result<()> {
    let mut project = super::load(path)?;
    let mut engines = engines_by_name(engines.unwrap_or(&[]))?;
    learn_all(&mut engines, &project);
    let all = run_engines(&project, &engines, &[]);
    println!(
        "{} entity suggestion(s), {} relation suggestion(s) in {} document(s)",
        all.entities.len(),
        all.relations.len(),
        project.documents.len()
    );
    for ((engine, ty), n) in all.counts() {
        println!("  {engine:<28} {ty:<10} {n:>6}");
    }
    let mut rel_counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for r in &all.relations {
        *rel_counts.entry((&r.engine, &r.relation_type)).or_insert(0) += 1;
    }
    for ((engine, ty), n) in rel_counts {
        println!("  {engine:<28} {ty:<16} {n:>6}");
    }
    if !accept {
        return Ok(());
    }
    // The same operation as "Accept shown" in the window: overlaps resolved, new spans
    // linked to known entities.
    let best = all.best(&project, DEFAULT_MIN_SCORE);
    let planned = Op::Accept {
        entities: best.entities,
        relations: best.relations,
    }
    .plan(&project)
    .with_context(|| format!("{}: the suggestions do not fit the project", path.display()))?;
    planned
        .tx
        .apply(&mut project)
        .with_context(|| format!("{}: the suggestions do not fit the project", path.display()))?;
    store::save(&project, path)?;
    println!(
        "{} (non-overlapping, score >= {DEFAULT_MIN_SCORE})",
        planned.summary
    );
    Ok(())
}
