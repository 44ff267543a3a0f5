//! Text utilities shared by suggesters, exporters and the GUI: char<->byte maps,
//! tokens and sentences.

mod acronyms;
mod boundary;
mod offsets;
mod tokens;

pub use acronyms::{AcronymDefinition, acronym_definitions};
pub use boundary::{Edge, Unit, move_edge};
pub use offsets::CharIndex;
pub use tokens::{Sentence, Token, sentences, tokenize};

/// A count with its noun in the right number: "1 span", "0 spans", "2 spans".
pub fn count(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}
