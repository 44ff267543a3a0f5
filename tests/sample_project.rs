//! The sample project shipped in `projects/` opens, is valid and is worth opening.

#![allow(clippy::unwrap_used)] // Test code: a failed unwrap is a failed test.

use marginalia::model::DocumentStatus;
use marginalia::store;
use std::path::Path;

#[test]
fn sample_project_loads_validates_and_has_annotated_documents() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("projects/sample.ron");
    let project = store::load(&path).unwrap();
    project.validate().unwrap();
    assert_eq!(project.name, "Caucasus desk (sample)");
    assert!(
        project.documents.len() >= 5,
        "{} documents",
        project.documents.len()
    );
    for d in &project.documents {
        assert!(!d.spans.is_empty(), "{} has no spans", d.title);
        assert!(!d.relations.is_empty(), "{} has no relations", d.title);
    }
    let statuses: Vec<_> = project.documents.iter().map(|d| d.status).take(3).collect();
    assert_eq!(
        statuses,
        [
            DocumentStatus::Done,
            DocumentStatus::Done,
            DocumentStatus::InProgress
        ]
    );
}
