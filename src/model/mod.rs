//! The data model: a `Project` of `Document`s with `Span`s and `Relation`s, a project-wide
//! knowledge base of `Entity` records, and the `Schema`. Invariants live in `validate`.

mod document;
mod ids;
mod project;
mod schema;
mod stats;
pub(crate) mod validate;

pub use document::{
    Document, DocumentMetadata, DocumentStatus, Made, Origin, Relation, ShortName, Span,
    Tokenization,
};
pub use document::{content_hash, is_iso_date};
pub use ids::{
    BLOCK_IDS_START, DocumentId, EntityId, FIRST_BLOCK, IdAllocator, LAST_BLOCK, RelationId,
    SpanId, block_id, block_number, block_of,
};
pub use project::{
    Conflict, Entity, FORMAT_VERSION, IdBlockChoice, Project, RelationDecision, SpanRef,
    SuggestionDecision, Verdict,
};
pub use schema::{
    ArcDrawing, DEFAULT_SCHEMA_RON, EntityType, KnowledgeClass, LearnedType, RelationType, Schema,
    parse_hex_color,
};
pub use stats::ProjectStats;
pub use validate::ModelError;
