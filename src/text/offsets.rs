//! Char (Unicode scalar) <-> byte offset maps.
//!
//! Annotations store char offsets (the brat convention); Rust strings slice by byte.
//! A checkpoint every `STRIDE` chars keeps the map at a fraction of the text size,
//! and pure-ASCII texts need no map at all.

const STRIDE: usize = 64;

#[derive(Debug, Clone, Default)]
pub struct CharIndex {
    char_len: usize,
    /// Byte offset of every `STRIDE`-th char; empty for ASCII text (identity map).
    checkpoints: Vec<usize>,
}

impl CharIndex {
    pub fn new(text: &str) -> CharIndex {
        if text.is_ascii() {
            return CharIndex {
                char_len: text.len(),
                checkpoints: Vec::new(),
            };
        }
        let mut checkpoints = Vec::with_capacity(text.len() / STRIDE + 1);
        let mut char_len = 0;
        for (i, (byte, _)) in text.char_indices().enumerate() {
            if i % STRIDE == 0 {
                checkpoints.push(byte);
            }
            char_len = i + 1;
        }
        CharIndex {
            char_len,
            checkpoints,
        }
    }

    /// Number of chars in the text.
    pub fn char_len(&self) -> usize {
        self.char_len
    }

    fn is_identity(&self) -> bool {
        self.checkpoints.is_empty()
    }

    /// Byte offset of char offset `char_pos` (which may equal `char_len`).
    /// Offsets past the end clamp to the text length.
    pub fn byte_of(&self, text: &str, char_pos: usize) -> usize {
        if self.is_identity() {
            return char_pos.min(text.len());
        }
        if char_pos >= self.char_len {
            return text.len();
        }
        let start = self.checkpoints[char_pos / STRIDE];
        let skip = char_pos % STRIDE;
        text[start..]
            .char_indices()
            .nth(skip)
            .map_or(text.len(), |(b, _)| start + b)
    }

    /// Char offset of byte offset `byte_pos`, which must be on a char boundary
    /// (a byte inside a char maps to that char).
    pub fn char_of(&self, text: &str, byte_pos: usize) -> usize {
        if self.is_identity() {
            return byte_pos.min(text.len());
        }
        let byte_pos = byte_pos.min(text.len());
        let block = self.checkpoints.partition_point(|&b| b <= byte_pos) - 1;
        let start = self.checkpoints[block];
        block * STRIDE + text[start..byte_pos].chars().count()
    }

    /// The text between two char offsets.
    pub fn slice<'t>(&self, text: &'t str, start: usize, end: usize) -> &'t str {
        &text[self.byte_of(text, start)..self.byte_of(text, end)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ascii_is_identity() {
        let t = "Armenia and Azerbaijan";
        let ix = CharIndex::new(t);
        assert_eq!(ix.char_len(), t.len());
        assert_eq!(ix.slice(t, 12, 22), "Azerbaijan");
    }

    #[test]
    fn multibyte_text_maps_both_ways() {
        let t = "Kabul’s support – “Zürich”";
        let ix = CharIndex::new(t);
        assert_eq!(ix.char_len(), t.chars().count());
        assert_eq!(ix.slice(t, 0, 5), "Kabul");
        assert_eq!(ix.slice(t, 5, 6), "’");
        assert_eq!(ix.slice(t, 19, 25), "Zürich");
        let b = ix.byte_of(t, 19);
        assert_eq!(ix.char_of(t, b), 19);
    }

    proptest! {
        #[test]
        fn round_trips_every_char(s in "\\PC{0,300}") {
            let ix = CharIndex::new(&s);
            let bytes: Vec<usize> = s.char_indices().map(|(b, _)| b).chain([s.len()]).collect();
            prop_assert_eq!(ix.char_len(), bytes.len() - 1);
            for (c, &b) in bytes.iter().enumerate() {
                prop_assert_eq!(ix.byte_of(&s, c), b);
                prop_assert_eq!(ix.char_of(&s, b), c);
            }
        }
    }
}
