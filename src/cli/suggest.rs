use crate::store;
use crate::suggest::{
    DEFAULT_MIN_SCORE, accept_all_transaction, engines_by_name, learn_all, run_engines,
};
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
    let best = all.best(&project, DEFAULT_MIN_SCORE);
    let tx = accept_all_transaction(&mut project, &best.entities, &best.relations);
    let edits = tx.edits.len();
    tx.apply(&mut project)
        .with_context(|| format!("{}: the suggestions do not fit the project", path.display()))?;
    store::save(&project, path)?;
    println!(
        "accepted {} span(s) and {} relation(s) (non-overlapping, score >= {DEFAULT_MIN_SCORE}; {edits} edit(s))",
        best.entities.len(),
        best.relations.len()
    );
    Ok(())
}
