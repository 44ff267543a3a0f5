//! Working as a team on one project kept in git: a three-way merge of projects (git's merge
//! driver), a diff in annotation terms (and a line-per-annotation text for git's textconv),
//! and inter-annotator agreement between projects that share documents.
//!
//! Everything here reads projects and builds new values; nothing touches files.

pub mod agree;
pub mod curate;
pub mod diff;
pub mod merge;

pub use agree::{Agreement, agree};
pub use curate::{
    Choice, Curation, Item, Place, Reading, Resolution, Revision, Version, git_revisions,
};
pub use diff::{ProjectDiff, diff, diff_text};
pub use merge::{Merged, merge};

use crate::model::ModelError;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TeamError {
    #[error("the merged project is not valid: {0}")]
    Invalid(#[from] ModelError),
    #[error("agreement needs at least two projects")]
    TooFewProjects,
}
