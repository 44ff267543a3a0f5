//! The document list as the analyst asks to see it: filtered by title and status, in project
//! order or sorted by title or date.

use crate::model::{Document, DocumentStatus, Project};
use std::cmp::Ordering;

/// The order of the document list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DocumentOrder {
    /// As imported (the project's own order).
    #[default]
    Project,
    Title,
    NewestFirst,
    OldestFirst,
}

impl DocumentOrder {
    pub const ALL: [DocumentOrder; 4] = [
        DocumentOrder::Project,
        DocumentOrder::Title,
        DocumentOrder::NewestFirst,
        DocumentOrder::OldestFirst,
    ];

    /// Short enough for the narrow documents panel ("Sort: Newest").
    pub fn label(self) -> &'static str {
        match self {
            DocumentOrder::Project => "Imported",
            DocumentOrder::Title => "Title",
            DocumentOrder::NewestFirst => "Newest",
            DocumentOrder::OldestFirst => "Oldest",
        }
    }
}

/// What the document list shows.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocumentFilter {
    /// Titles containing this text, any case (all when empty).
    pub text: String,
    /// Only documents with this status (all when `None`).
    pub status: Option<DocumentStatus>,
    pub order: DocumentOrder,
}

/// Indexes into `project.documents` of the documents `filter` lets through, in its order.
/// Documents with no date come last in either date order; ties keep the project's order.
pub fn list_documents(project: &Project, filter: &DocumentFilter) -> Vec<usize> {
    let needle = filter.text.trim().to_lowercase();
    let docs = &project.documents;
    let mut list: Vec<usize> = (0..docs.len())
        .filter(|&i| {
            let d = &docs[i];
            filter.status.is_none_or(|s| d.status == s)
                && (needle.is_empty() || d.title.to_lowercase().contains(&needle))
        })
        .collect();
    match filter.order {
        DocumentOrder::Project => {}
        DocumentOrder::Title => {
            list.sort_by_cached_key(|&i| docs[i].title.to_lowercase());
        }
        DocumentOrder::NewestFirst => list.sort_by(|&a, &b| by_date(&docs[b], &docs[a], true)),
        DocumentOrder::OldestFirst => list.sort_by(|&a, &b| by_date(&docs[a], &docs[b], false)),
    }
    list
}

/// Compares ISO 8601 dates as text (they sort that way); a missing date sorts after any date
/// whichever way the list runs (`reversed`: the caller swapped the documents).
fn by_date(a: &Document, b: &Document, reversed: bool) -> Ordering {
    match (&a.metadata.date, &b.metadata.date) {
        (Some(x), Some(y)) => x.cmp(y),
        (None, None) => Ordering::Equal,
        (Some(_), None) if reversed => Ordering::Greater,
        (None, Some(_)) if reversed => Ordering::Less,
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four documents: (title, status, date).
    fn project() -> Project {
        let mut p = Project::new("t");
        for (title, status, date) in [
            ("Yerevan talks", DocumentStatus::Done, Some("2024-03-02")),
            ("baku statement", DocumentStatus::New, None),
            (
                "CSTO observer status",
                DocumentStatus::Done,
                Some("2023-11-20"),
            ),
            (
                "Armenia and the CSTO",
                DocumentStatus::InProgress,
                Some("2024-03-02T09:00:00"),
            ),
        ] {
            let id = p.new_document_id();
            let mut d = Document::new(id, title, "", format!("{title}."));
            d.status = status;
            d.metadata.date = date.map(str::to_string);
            p.documents.push(d.into());
        }
        p
    }

    fn titles(p: &Project, filter: &DocumentFilter) -> Vec<String> {
        list_documents(p, filter)
            .into_iter()
            .map(|i| p.documents[i].title.clone())
            .collect()
    }

    fn order(order: DocumentOrder) -> DocumentFilter {
        DocumentFilter {
            order,
            ..DocumentFilter::default()
        }
    }

    #[test]
    fn sorts_by_title_and_date_with_undated_documents_last() {
        let p = project();
        assert_eq!(
            titles(&p, &DocumentFilter::default()),
            [
                "Yerevan talks",
                "baku statement",
                "CSTO observer status",
                "Armenia and the CSTO"
            ]
        );
        assert_eq!(
            titles(&p, &order(DocumentOrder::Title)),
            [
                "Armenia and the CSTO",
                "baku statement",
                "CSTO observer status",
                "Yerevan talks"
            ]
        );
        assert_eq!(
            titles(&p, &order(DocumentOrder::NewestFirst)),
            [
                "Armenia and the CSTO",
                "Yerevan talks",
                "CSTO observer status",
                "baku statement"
            ]
        );
        assert_eq!(
            titles(&p, &order(DocumentOrder::OldestFirst)),
            [
                "CSTO observer status",
                "Yerevan talks",
                "Armenia and the CSTO",
                "baku statement"
            ]
        );
    }

    #[test]
    fn filters_by_status_and_title_together() {
        let p = project();
        let done = DocumentFilter {
            status: Some(DocumentStatus::Done),
            order: DocumentOrder::Title,
            ..DocumentFilter::default()
        };
        assert_eq!(titles(&p, &done), ["CSTO observer status", "Yerevan talks"]);
        let csto_done = DocumentFilter {
            text: " csto".into(),
            ..done
        };
        assert_eq!(titles(&p, &csto_done), ["CSTO observer status"]);
        let none = DocumentFilter {
            status: Some(DocumentStatus::New),
            text: "csto".into(),
            ..DocumentFilter::default()
        };
        assert!(titles(&p, &none).is_empty());
    }
}
