//! Acronyms defined in parentheses: "Collective Security Treaty Organization (CSTO)" and the
//! reverse order "CSTO (Collective Security Treaty Organization)".
//!
//! The long form's capitalised words must give the short form's capital letters, in order;
//! small words (of, the, and, for, ...) may sit between them without a letter of their own.

use super::CharIndex;

/// One acronym definition found in a text. Offsets are char offsets, end exclusive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcronymDefinition {
    pub long_start: usize,
    pub long_end: usize,
    pub short_start: usize,
    pub short_end: usize,
    pub long: String,
    pub short: String,
}

/// Words that may appear inside a long form without contributing a letter.
const SMALL_WORDS: &[&str] = &[
    "of", "the", "and", "for", "in", "on", "to", "de", "du", "des", "la", "le", "et", "&", "a",
    "an", "at", "by", "with",
];

/// At most this many words in a long form (including small words).
const MAX_LONG_WORDS: usize = 14;

/// Finds acronym definitions, in text order.
pub fn acronym_definitions(text: &str) -> Vec<AcronymDefinition> {
    let index = CharIndex::new(text);
    let mut out = Vec::new();
    for (open, _) in text.match_indices('(') {
        let Some(close_rel) = text[open + 1..].find(')') else {
            continue;
        };
        let inner_start = open + 1;
        let inner_end = open + 1 + close_rel;
        let inner = &text[inner_start..inner_end];
        if inner.contains('\n') || inner.len() > 200 {
            continue;
        }
        let trimmed = inner.trim();
        let lead = inner.len() - inner.trim_start().len();
        let (in_start, in_end) = (inner_start + lead, inner_start + lead + trimmed.len());
        let found = if let Some(letters) = short_form_letters(trimmed) {
            // "Long Form (LF)": the long form ends just before the parenthesis.
            long_form_before(text, open, &letters).map(|(ls, le)| ((ls, le), (in_start, in_end)))
        } else {
            // "LF (Long Form)": the short form is the word before the parenthesis.
            short_before(text, open).and_then(|(ss, se)| {
                let letters = short_form_letters(&text[ss..se])?;
                let (ls, le) = long_form_whole(trimmed, &letters)?;
                Some(((in_start + ls, in_start + le), (ss, se)))
            })
        };
        if let Some(((ls, le), (ss, se))) = found {
            out.push(AcronymDefinition {
                long_start: index.char_of(text, ls),
                long_end: index.char_of(text, le),
                short_start: index.char_of(text, ss),
                short_end: index.char_of(text, se),
                long: text[ls..le].to_string(),
                short: text[ss..se].to_string(),
            });
        }
    }
    out
}

/// The capital letters of a plausible short form ("CSTO", "U.N.", "UNHCR", "NGOs"), or None.
fn short_form_letters(s: &str) -> Option<Vec<char>> {
    let n = s.chars().count();
    if !(2..=12).contains(&n) || !s.chars().next().is_some_and(char::is_uppercase) {
        return None;
    }
    if !s
        .chars()
        .all(|c| c.is_alphanumeric() || c == '.' || c == '&' || c == '-')
    {
        return None;
    }
    let letters: Vec<char> = s.chars().filter(|c| c.is_uppercase()).collect();
    let lower = s.chars().filter(|c| c.is_lowercase()).count();
    // Mostly capitals: "NGOs" and "UNHCR" pass, "Russia" does not.
    (letters.len() >= 2 && lower <= 1).then_some(letters)
}

/// Byte range of the word right before `pos` (skipping spaces), if any.
fn short_before(text: &str, pos: usize) -> Option<(usize, usize)> {
    let before = &text[..pos];
    let end = before.trim_end_matches([' ', '\t']).len();
    let start = before[..end]
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(i, c)| i + c.len_utf8());
    (start < end).then_some((start, end))
}

/// Whitespace-separated words of `s[..end]`, last first, as byte ranges.
fn words_backwards(s: &str, end: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut pos = end;
    std::iter::from_fn(move || {
        let part = &s[..pos];
        let word_end = part.trim_end().len();
        if word_end == 0 {
            return None;
        }
        // A line break between words ends the long form (headlines, paragraphs).
        if part[word_end..].contains('\n') && pos != end {
            return None;
        }
        let word_start = part[..word_end]
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(0, |(i, c)| i + c.len_utf8());
        pos = word_start;
        Some((word_start, word_end))
    })
}

/// Matches `letters` against the words ending before byte `end`; returns the long form's
/// byte range.
fn long_form_before(text: &str, end: usize, letters: &[char]) -> Option<(usize, usize)> {
    let mut remaining = letters.len();
    let mut long_end = None;
    for (count, (ws, we)) in words_backwards(text, end).enumerate() {
        if count >= MAX_LONG_WORDS {
            return None;
        }
        let word = &text[ws..we];
        // Punctuation between words (a comma, a full stop) breaks the long form, except on
        // the last word, whose closing quote or bracket is trimmed.
        let core = word.trim_matches(|c: char| !c.is_alphanumeric() && c != '&');
        if core.is_empty() {
            return None;
        }
        if long_end.is_some() && word.ends_with([',', '.', ';', ':']) {
            return None;
        }
        let first = core.chars().next()?;
        if first.is_uppercase() {
            if !same_letter(first, letters[remaining - 1]) {
                return None;
            }
            let core_start = ws + word.find(core).unwrap_or(0);
            let end = *long_end.get_or_insert(core_start + core.len());
            remaining -= 1;
            if remaining == 0 {
                return Some((core_start, end));
            }
        } else if long_end.is_none() || !SMALL_WORDS.contains(&core.to_lowercase().as_str()) {
            return None;
        }
    }
    None
}

/// Matches `letters` against all words of a parenthesised long form; byte range within `s`.
fn long_form_whole(s: &str, letters: &[char]) -> Option<(usize, usize)> {
    let (start, end) = long_form_before(s, s.len(), letters)?;
    // Every word of the parenthesis must belong to the long form.
    s[..start].trim().is_empty().then_some((start, end))
}

fn same_letter(a: char, b: char) -> bool {
    a.to_uppercase().eq(b.to_uppercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> Vec<(String, String)> {
        acronym_definitions(text)
            .into_iter()
            .map(|d| (d.long, d.short))
            .collect()
    }

    #[test]
    fn finds_long_form_then_short_form() {
        let text =
            "Armenia froze its role in the Collective Security Treaty Organization (CSTO) in 2024.";
        let defs = acronym_definitions(text);
        assert_eq!(defs.len(), 1);
        let d = &defs[0];
        assert_eq!(d.long, "Collective Security Treaty Organization");
        assert_eq!(d.short, "CSTO");
        let chars: Vec<char> = text.chars().collect();
        let slice = |a: usize, b: usize| chars[a..b].iter().collect::<String>();
        assert_eq!(slice(d.long_start, d.long_end), d.long);
        assert_eq!(slice(d.short_start, d.short_end), d.short);
    }

    #[test]
    fn skips_small_words_and_handles_short_forms() {
        assert_eq!(
            pairs(
                "the Organization for Security and Co-operation in Europe (OSCE) and the \
                 European Union (EU) and the United Nations High Commissioner for Refugees (UNHCR)."
            ),
            vec![
                (
                    "Organization for Security and Co-operation in Europe".into(),
                    "OSCE".into()
                ),
                ("European Union".into(), "EU".into()),
                (
                    "United Nations High Commissioner for Refugees".into(),
                    "UNHCR".into()
                ),
            ]
        );
    }

    #[test]
    fn finds_short_form_then_long_form() {
        assert_eq!(
            pairs("Officials of the CSTO (Collective Security Treaty Organization) met."),
            vec![(
                "Collective Security Treaty Organization".into(),
                "CSTO".into()
            )]
        );
    }

    #[test]
    fn rejects_non_definitions() {
        assert!(pairs("He said (in Yerevan) that the talks failed.").is_empty());
        assert!(pairs("the Eurasian Economic Union (CSTO)").is_empty());
        assert!(pairs("talks (2024) ended").is_empty());
        assert!(pairs("in Moscow, Security Council (SC").is_empty());
        assert!(pairs("(EU)").is_empty());
    }

    #[test]
    fn char_offsets_with_multibyte_text() {
        let text = "“Zürich” talks: Nordic Council (NC).";
        let d = &acronym_definitions(text)[0];
        let chars: Vec<char> = text.chars().collect();
        assert_eq!(
            chars[d.long_start..d.long_end].iter().collect::<String>(),
            "Nordic Council"
        );
        assert_eq!(
            chars[d.short_start..d.short_end].iter().collect::<String>(),
            "NC"
        );
    }
}
