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

/// What happened to a number of things, in the right number: `counted(1, "span", "spans",
/// "dropped")` is "1 span dropped". Every notice with a count is written through this.
pub fn counted(n: usize, one: &str, many: &str, what_happened: &str) -> String {
    format!("{} {what_happened}", count(n, one, many))
}

/// One line per count that is not zero: "PREFIX: N things what happened".
pub fn push_counts(prefix: &str, said: &[Counted<'_>], out: &mut Vec<String>) {
    for &(n, one, many, what) in said {
        if n > 0 {
            out.push(format!("{prefix}: {}", counted(n, one, many, what)));
        }
    }
}

/// A count for `push_counts`: (n, singular noun, plural noun, what happened to them).
pub type Counted<'a> = (usize, &'a str, &'a str, &'a str);

#[cfg(test)]
mod count_tests {
    use super::*;

    #[test]
    fn counts_read_in_the_right_number() {
        let mut out = Vec::new();
        push_counts(
            "CoNLL",
            &[
                (1, "span", "spans", "widened"),
                (3, "span", "spans", "dropped"),
                (0, "relation", "relations", "not written"),
                (2, "entity", "entities", "kept"),
            ],
            &mut out,
        );
        assert_eq!(
            out,
            [
                "CoNLL: 1 span widened",
                "CoNLL: 3 spans dropped",
                "CoNLL: 2 entities kept"
            ]
        );
    }
}
