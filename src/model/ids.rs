//! Typed ids. One project-wide counter hands them out and never goes back,
//! so an id is never reused, even after its object is deleted and the deletion undone.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! typed_id {
    ($name:ident, $prefix:literal) => {
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(pub u64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!($prefix, "{}"), self.0)
            }
        }
    };
}

typed_id!(DocumentId, "D");
typed_id!(SpanId, "T");
typed_id!(RelationId, "R");
typed_id!(EntityId, "E");

/// Hands out fresh ids without touching the project, so a transaction can be built from a
/// shared `&Project` (a panel never needs a copy of the project to get ids). Ids handed out
/// but never applied are simply skipped; applying an edit moves the project's counter past
/// the ids it brings, so nothing is reused.
#[derive(Debug, Clone)]
pub struct IdAllocator {
    next: u64,
}

impl IdAllocator {
    pub fn starting_at(next: u64) -> IdAllocator {
        IdAllocator { next }
    }

    /// The first id not yet handed out.
    pub fn next(&self) -> u64 {
        self.next
    }

    fn take(&mut self) -> u64 {
        let id = self.next;
        // At u64::MAX the same id comes back, and applying it fails with `IdsExhausted`.
        self.next = self.next.saturating_add(1);
        id
    }

    pub fn document(&mut self) -> DocumentId {
        DocumentId(self.take())
    }
    pub fn span(&mut self) -> SpanId {
        SpanId(self.take())
    }
    pub fn relation(&mut self) -> RelationId {
        RelationId(self.take())
    }
    pub fn entity(&mut self) -> EntityId {
        EntityId(self.take())
    }
}
