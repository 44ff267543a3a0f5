//! Typed ids. An id is never reused, even after its object is deleted and the deletion undone.
//!
//! Two kinds of ids live in one `u64` space (see ARCHITECTURE.md, "Ids across copies"):
//! - the project's shared counter (`Project::next_id`) hands out ids below 2^63: every id of
//!   a project made before format version 3, and ids made by code outside an editing session
//!   (importers building a fresh project, generators, tests);
//! - an author's block: the high 32 bits are the author's block number (from 2^31 up, so
//!   block ids are at least 2^63), the low 32 bits a counter kept per block in the project
//!   (`Project::id_blocks`). Two analysts editing copies of one project hand out ids from
//!   different blocks, so their new objects never share an id and a merge keeps them as
//!   they are.

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

/// The first id of the author blocks; the shared counter stays below it.
pub const BLOCK_IDS_START: u64 = 1 << 63;
/// Block numbers an author may have: from 2^31 (ids from 2^63) to 2^32 - 2 (the last block
/// would end at u64::MAX, which is never handed out).
pub const FIRST_BLOCK: u32 = 1 << 31;
pub const LAST_BLOCK: u32 = u32::MAX - 1;

/// The block an id belongs to, and its counter in the block; `None` for a shared-counter id.
pub fn block_of(id: u64) -> Option<(u32, u32)> {
    (id >= BLOCK_IDS_START).then_some(((id >> 32) as u32, id as u32))
}

/// The id with this counter in this block.
pub fn block_id(block: u32, counter: u32) -> u64 {
    (u64::from(block) << 32) | u64::from(counter)
}

/// A valid block number made from any 64-bit value (a hash of the author, a setting).
pub fn block_number(seed: u64) -> u32 {
    let span = u64::from(LAST_BLOCK - FIRST_BLOCK) + 1;
    FIRST_BLOCK + (seed % span) as u32
}

/// Hands out fresh ids without touching the project, so a transaction can be built from a
/// shared `&Project` (a panel never needs a copy of the project to get ids). Ids handed out
/// but never applied are simply skipped; applying an edit moves the project's counter past
/// the ids it brings, so nothing is reused.
#[derive(Debug, Clone)]
pub struct IdAllocator {
    next: u64,
    /// The last id this allocator may hand out (the end of its block or range).
    last: u64,
}

impl IdAllocator {
    /// Ids from the shared counter.
    pub fn starting_at(next: u64) -> IdAllocator {
        let last = if next < BLOCK_IDS_START {
            BLOCK_IDS_START - 1
        } else {
            u64::MAX
        };
        IdAllocator { next, last }
    }

    /// Ids from an author's block, from `counter` on.
    pub fn in_block(block: u32, counter: u32) -> IdAllocator {
        IdAllocator {
            next: block_id(block, counter),
            last: block_id(block, u32::MAX),
        }
    }

    /// The first id not yet handed out.
    pub fn next(&self) -> u64 {
        self.next
    }

    fn take(&mut self) -> u64 {
        let id = self.next;
        // At the end of the range the same id comes back, and applying it fails with
        // `IdsExhausted` (`Project::reserve_id` refuses the last id of a range).
        self.next = self.next.saturating_add(1).min(self.last);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_ids_are_above_the_shared_counter_and_stay_in_their_block() {
        let b = block_number(12345);
        assert!((FIRST_BLOCK..=LAST_BLOCK).contains(&b));
        let id = block_id(b, 7);
        assert!(id >= BLOCK_IDS_START);
        assert_eq!(block_of(id), Some((b, 7)));
        assert_eq!(block_of(BLOCK_IDS_START - 1), None);
        let mut ids = IdAllocator::in_block(b, u32::MAX - 1);
        assert_eq!(ids.span().0, block_id(b, u32::MAX - 1));
        // The last id of the block comes back again and again: it never spills over.
        assert_eq!(ids.span().0, block_id(b, u32::MAX));
        assert_eq!(ids.span().0, block_id(b, u32::MAX));
        assert_eq!(block_number(u64::MAX), block_number(u64::MAX));
        assert!(block_number(u64::MAX) <= LAST_BLOCK);
    }
}
