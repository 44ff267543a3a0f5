//! Moving one boundary of a span by a word or a character: what the keyboard's span
//! resizing asks for (the window turns the result into `Op::ResizeSpan`).

use super::Token;

/// Which boundary of a span moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Edge {
    Start,
    End,
}

/// How far it moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// To the next token boundary (whitespace is skipped).
    Word,
    Char,
}

/// `start..end` with one boundary moved a word or a char to the right (`forward`) or the
/// left. None when there is nowhere to go: the span would become empty or leave the text
/// (`len` chars). `tokens` are the text's tokens in order.
pub fn move_edge(
    tokens: &[Token],
    len: usize,
    (start, end): (usize, usize),
    edge: Edge,
    unit: Unit,
    forward: bool,
) -> Option<(usize, usize)> {
    let moved = match (edge, unit, forward) {
        (_, Unit::Char, true) => Some(edge_of(edge, start, end) + 1),
        (_, Unit::Char, false) => edge_of(edge, start, end).checked_sub(1),
        // The end of the first token that ends after the end (finishes a cut word).
        (Edge::End, Unit::Word, true) => tokens.iter().find(|t| t.end > end).map(|t| t.end),
        (Edge::End, Unit::Word, false) => tokens.iter().rev().find(|t| t.end < end).map(|t| t.end),
        (Edge::Start, Unit::Word, true) => tokens.iter().find(|t| t.start > start).map(|t| t.start),
        (Edge::Start, Unit::Word, false) => tokens
            .iter()
            .rev()
            .find(|t| t.start < start)
            .map(|t| t.start),
    }?;
    let (start, end) = match edge {
        Edge::Start => (moved, end),
        Edge::End => (start, moved),
    };
    (start < end && end <= len).then_some((start, end))
}

fn edge_of(edge: Edge, start: usize, end: usize) -> usize {
    match edge {
        Edge::Start => start,
        Edge::End => end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    const TEXT: &str = "Prime Minister Nikol Pashinyan met them.";

    fn step(
        range: (usize, usize),
        edge: Edge,
        unit: Unit,
        forward: bool,
    ) -> Option<(usize, usize)> {
        move_edge(&tokenize(TEXT), TEXT.len(), range, edge, unit, forward)
    }

    #[test]
    fn words_grow_and_shrink_at_either_end() {
        let nikol = (15, 20);
        assert_eq!(step(nikol, Edge::End, Unit::Word, true), Some((15, 30))); // + Pashinyan
        assert_eq!(step((15, 30), Edge::End, Unit::Word, false), Some((15, 20)));
        assert_eq!(step(nikol, Edge::Start, Unit::Word, false), Some((6, 20))); // Minister +
        assert_eq!(step((6, 20), Edge::Start, Unit::Word, true), Some((15, 20)));
        // A cut word is finished first.
        assert_eq!(step((15, 23), Edge::End, Unit::Word, true), Some((15, 30)));
        // Punctuation is a token of its own.
        assert_eq!(step((31, 39), Edge::End, Unit::Word, true), Some((31, 40)));
    }

    #[test]
    fn chars_move_by_one() {
        assert_eq!(step((15, 20), Edge::End, Unit::Char, true), Some((15, 21)));
        assert_eq!(
            step((15, 20), Edge::Start, Unit::Char, false),
            Some((14, 20))
        );
        assert_eq!(
            step((15, 20), Edge::Start, Unit::Char, true),
            Some((16, 20))
        );
    }

    #[test]
    fn a_span_never_becomes_empty_or_leaves_the_text() {
        assert_eq!(step((15, 20), Edge::End, Unit::Word, false), None);
        assert_eq!(step((15, 20), Edge::Start, Unit::Word, true), None);
        assert_eq!(step((15, 16), Edge::End, Unit::Char, false), None);
        assert_eq!(step((0, 5), Edge::Start, Unit::Char, false), None);
        assert_eq!(step((0, 5), Edge::Start, Unit::Word, false), None);
        assert_eq!(step((35, 40), Edge::End, Unit::Char, true), None);
        assert_eq!(step((35, 40), Edge::End, Unit::Word, true), None);
    }
}
