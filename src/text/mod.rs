//! Text utilities shared by suggesters, exporters and the GUI: char<->byte maps,
//! tokens and sentences.

mod acronyms;
mod offsets;
mod tokens;

pub use acronyms::{AcronymDefinition, acronym_definitions};
pub use offsets::CharIndex;
pub use tokens::{Sentence, Token, sentences, tokenize};
