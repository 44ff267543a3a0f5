//! Tokenizer and sentence splitter for English news text.
//!
//! Word boundaries come from Unicode (UAX #29, via unicode-segmentation); on top of that,
//! abbreviations keep their final period ("U.S.", "Gen.", "Sept.") so they neither split
//! into two tokens nor end a sentence.

use std::ops::Range;
use unicode_segmentation::UnicodeSegmentation;

/// A token with both char offsets (what annotations use) and byte offsets (for slicing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: usize,
    pub end: usize,
    pub byte_start: usize,
    pub byte_end: usize,
}

impl Token {
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.byte_start..self.byte_end]
    }
}

/// A sentence: its char range and the range of its tokens in the token list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub start: usize,
    pub end: usize,
    pub tokens: Range<usize>,
}

/// Abbreviations common in news text that end with a period (compared without the period).
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "Prof", "Sr", "Jr", "St", "Gen", "Lt", "Col", "Maj", "Capt", "Cmdr",
    "Adm", "Sgt", "Cpl", "Pvt", "Gov", "Sen", "Rep", "Rev", "Hon", "Pres", "Amb", "Supt", "Insp",
    "Jan", "Feb", "Mar", "Apr", "Jun", "Jul", "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Mon",
    "Tue", "Tues", "Wed", "Thu", "Thurs", "Fri", "Sat", "Sun", "Co", "Corp", "Inc", "Ltd", "Bros",
    "vs", "etc", "approx", "No", "Nos", "Vol", "Fig", "Ft", "Mt", "Ave", "Blvd", "Dept", "Univ",
    "Ala", "Ariz", "Calif", "Colo", "Conn", "Fla", "Ga", "Ill", "Ind", "Kan", "Ky", "La", "Md",
    "Mass", "Mich", "Minn", "Miss", "Mo", "Mont", "Neb", "Nev", "Okla", "Ore", "Pa", "Tenn", "Tex",
    "Va", "Vt", "Wash", "Wis", "Wyo", "e.g", "i.e", "a.m", "p.m",
];

fn is_abbreviation(word: &str) -> bool {
    if ABBREVIATIONS.contains(&word) {
        return true;
    }
    // Initials and dotted acronyms: "J", "U.S", "U.N", "e.g".
    let mut chars = word.chars();
    let single_capital = chars.next().is_some_and(|c| c.is_uppercase()) && chars.next().is_none();
    let dotted = word.contains('.')
        && word
            .split('.')
            .all(|p| p.chars().count() == 1 && p.chars().all(char::is_alphabetic));
    single_capital || dotted
}

/// Splits text into tokens (words, numbers, punctuation); whitespace is dropped.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens: Vec<Token> = Vec::with_capacity(text.len() / 5);
    let mut char_pos = 0;
    let mut last_byte = 0;
    for (byte, segment) in text.split_word_bound_indices() {
        char_pos += count_chars(&text[last_byte..byte]);
        last_byte = byte;
        if segment.chars().all(char::is_whitespace) {
            continue;
        }
        let len = count_chars(segment);
        let token = Token {
            start: char_pos,
            end: char_pos + len,
            byte_start: byte,
            byte_end: byte + segment.len(),
        };
        if let Some(prev) = tokens.last_mut()
            && segment == "."
            && prev.byte_end == byte
            && is_abbreviation(prev.text(text))
        {
            prev.end = token.end;
            prev.byte_end = token.byte_end;
            continue;
        }
        tokens.push(token);
    }
    tokens
}

fn count_chars(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        s.chars().count()
    }
}

fn is_closing(t: &str) -> bool {
    matches!(t, "\"" | "'" | "”" | "’" | ")" | "]" | "»")
}

fn starts_sentence(t: &str) -> bool {
    t.chars().next().is_some_and(|c| {
        c.is_uppercase() || c.is_ascii_digit() || matches!(c, '"' | '“' | '‘' | '\'' | '(' | '«')
    })
}

/// Splits tokenized text into sentences. Line breaks always end a sentence (headlines,
/// paragraphs); so do '.', '!' and '?' before a word that can start a sentence.
pub fn sentences(text: &str, tokens: &[Token]) -> Vec<Sentence> {
    let mut out = Vec::new();
    let mut first = 0;
    let mut i = 0;
    while i < tokens.len() {
        let mut last = i;
        let t = tokens[i].text(text);
        let mut ends = false;
        if matches!(t, "." | "!" | "?" | "…") {
            while last + 1 < tokens.len()
                && is_closing(tokens[last + 1].text(text))
                && !has_newline(text, &tokens[last], &tokens[last + 1])
            {
                last += 1;
            }
            ends = tokens
                .get(last + 1)
                .is_none_or(|next| starts_sentence(next.text(text)));
        }
        let next_after_break = tokens
            .get(last + 1)
            .is_some_and(|next| has_newline(text, &tokens[last], next));
        if ends || next_after_break || last + 1 == tokens.len() {
            out.push(Sentence {
                start: tokens[first].start,
                end: tokens[last].end,
                tokens: first..last + 1,
            });
            first = last + 1;
        }
        i = last + 1;
    }
    out
}

fn has_newline(text: &str, a: &Token, b: &Token) -> bool {
    text[a.byte_end..b.byte_start].contains('\n')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<&str> {
        tokenize(text).iter().map(|t| t.text(text)).collect()
    }

    #[test]
    fn keeps_abbreviations_and_numbers_whole() {
        assert_eq!(
            words("The U.S. and Gen. Smith met on Sept. 3, sending 2,000 troops."),
            vec![
                "The", "U.S.", "and", "Gen.", "Smith", "met", "on", "Sept.", "3", ",", "sending",
                "2,000", "troops", "."
            ]
        );
    }

    #[test]
    fn splits_possessives_and_quotes() {
        assert_eq!(
            words("Kabul’s “support”"),
            vec!["Kabul’s", "“", "support", "”"]
        );
    }

    #[test]
    fn char_offsets_count_unicode_scalars() {
        let text = "“Zürich” talks";
        let toks = tokenize(text);
        let z = toks[1];
        assert_eq!((z.start, z.end), (1, 7));
        assert_eq!(z.text(text), "Zürich");
        assert_eq!(toks[3].start, 9);
    }

    #[test]
    fn sentences_respect_abbreviations_quotes_and_lines() {
        let text = "Headline here\n\nGen. Smith arrived in the U.S. on Monday. He said “no.” Then he left! Talks resume";
        let toks = tokenize(text);
        let s: Vec<&str> = sentences(text, &toks)
            .iter()
            .map(|s| &text[toks[s.tokens.start].byte_start..toks[s.tokens.end - 1].byte_end])
            .collect();
        assert_eq!(
            s,
            vec![
                "Headline here",
                "Gen. Smith arrived in the U.S. on Monday.",
                "He said “no.”",
                "Then he left!",
                "Talks resume"
            ]
        );
    }

    #[test]
    fn empty_text_has_no_tokens_or_sentences() {
        assert!(tokenize("  \n ").is_empty());
        assert!(sentences("", &[]).is_empty());
    }
}
