//! Builds `projects/sample.ron`, the project a new user can open at once, from the brat
//! articles in `tests/fixtures/sample-brat/` (through the brat importer, like a user would).
//!
//! Run from the repository: `cargo run --example build_sample --no-default-features`

use marginalia::edit::{Edit, Transaction};
use marginalia::import::{ImportFormat, plan_import};
use marginalia::model::{DocumentStatus, Project};
use marginalia::store;
use std::path::Path;

fn main() -> anyhow::Result<()> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut project = Project::new("Caucasus desk (sample)");

    // The six annotated articles, in file order.
    let articles = root.join("tests/fixtures/sample-brat");
    let (import, report) = plan_import(&project, &[articles], ImportFormat::Brat)?;
    import.apply(&mut project)?;
    for notice in &report.notices {
        eprintln!("note: {notice}");
    }

    // Link mentions of the same entity across articles ("Irina Volkova" in several is one
    // entity; acronyms defined in the text join their long forms).
    let linking = marginalia::kb::link_all(&project);
    linking.apply(&mut project)?;

    // Show the analyst's progress: two articles done, one under way, the rest new.
    let mut progress = Transaction::new("Set document status");
    let statuses = [
        DocumentStatus::Done,
        DocumentStatus::Done,
        DocumentStatus::InProgress,
    ];
    for (doc, status) in project.documents.iter().zip(statuses) {
        progress.push(Edit::SetDocumentStatus {
            doc: doc.id,
            status,
        });
    }
    progress.apply(&mut project)?;

    let out = root.join("projects/sample.ron");
    store::save(&project, &out)?;
    println!(
        "wrote {} ({} documents, {} spans, {} relations)",
        out.display(),
        project.documents.len(),
        project.span_count(),
        project.relation_count()
    );
    Ok(())
}
