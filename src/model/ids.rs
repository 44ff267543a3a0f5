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
