//! Token features of the tagger: per-token values (word, lowercase, shape, affixes,
//! gazetteer membership, known names, document-level case flags, first-pass history) and
//! their hashing into bucket indices of the weight table.

use super::super::gazetteer::Gazetteer;
use super::super::util::Analysis;
use crate::text::Token;
use std::collections::HashSet;
use std::sync::OnceLock;

/// Features per token.
pub(super) const NF: usize = 46;

// ---------- known names ----------

/// Common given names and surnames, one per line (`#` comments). Tagger features only: the
/// gazetteer engine never suggests them.
pub(super) const GIVEN_NAMES: &str = include_str!("../../../assets/names/given-names.txt");
pub(super) const SURNAMES: &str = include_str!("../../../assets/names/surnames.txt");

pub(super) const NAME_GIVEN: u8 = 1;
pub(super) const NAME_SURNAME: u8 = 2;

/// Known names by the hash of their lowercase form (`lower_hash`, the same as
/// `TokenInfo::lower`, so a token costs one lookup and no allocation): `NAME_*` bits.
pub(super) type NameSet = HashMap<u64, u8>;

/// The shipped name lists, parsed once.
pub(super) fn name_lists() -> &'static NameSet {
    static N: OnceLock<NameSet> = OnceLock::new();
    N.get_or_init(|| {
        let mut m = NameSet::default();
        for (list, bit) in [(GIVEN_NAMES, NAME_GIVEN), (SURNAMES, NAME_SURNAME)] {
            for line in list.lines().map(str::trim) {
                if !line.is_empty() && !line.starts_with('#') {
                    *m.entry(lower_hash(line)).or_insert(0) |= bit;
                }
            }
        }
        m
    })
}

/// The names of one section of a shipped list (`# --- East Asian ... ---` and the lines up
/// to the next header), as written.
fn section(list: &'static str, header: &str) -> impl Iterator<Item = &'static str> {
    let mut inside = false;
    list.lines().map(str::trim).filter(move |line| {
        if line.starts_with("# ---") {
            inside = line.contains(header);
            return false;
        }
        inside && !line.is_empty() && !line.starts_with('#')
    })
}

/// East Asian surnames and given names of the shipped lists (romanised Chinese, Japanese,
/// Korean), for names written surname first ("Xi Jinping", "Kim Jong Un").
pub(in crate::suggest) fn east_asian_names()
-> &'static (HashSet<&'static str>, HashSet<&'static str>) {
    static N: OnceLock<(HashSet<&'static str>, HashSet<&'static str>)> = OnceLock::new();
    N.get_or_init(|| {
        (
            section(SURNAMES, "East Asian").collect(),
            section(GIVEN_NAMES, "East Asian").collect(),
        )
    })
}

/// Whether a word (any case) is in the shipped given-name list.
pub(in crate::suggest) fn is_known_given_name(word: &str) -> bool {
    name_lists()
        .get(&lower_hash(word))
        .is_some_and(|b| b & NAME_GIVEN != 0)
}

/// The name feature value of a token: its `NAME_*` bits when it is capitalised (a lowercase
/// "will" or "mark" is no name), a separate value when it is not.
pub(super) fn name_class(names: Option<&NameSet>, cap: bool, lower: u64) -> (u64, u8) {
    const NAME_KEY: u64 = 0x6a09_e667_f3bc_c908;
    match names {
        None => (0, 0),
        Some(_) if !cap => (mix(NAME_KEY, 8), 0),
        Some(m) => {
            let bits = m.get(&lower).copied().unwrap_or(0);
            (mix(NAME_KEY, bits as u64), bits)
        }
    }
}

// ---------- hashing ----------

pub(super) const K: u64 = 0x517c_c1b7_2722_0a95;

#[inline]
pub(super) fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(K)
}

#[inline]
pub(super) fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        h = mix(h, u64::from_le_bytes(a));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut a = [0u8; 8];
        a[..rest.len()].copy_from_slice(rest);
        h = mix(h, u64::from_le_bytes(a) ^ ((rest.len() as u64) << 56));
    }
    mix(h, bytes.len() as u64)
}

/// Per-token values the features combine.
#[derive(Clone, Copy, Default)]
pub(super) struct TokenInfo {
    word: u64,
    lower: u64,
    shape: u64,
    pre: [u64; 4],
    suf: [u64; 4],
    gaz: u64,
    /// Known given name or surname (`name_class`).
    name: u64,
    /// Its `NAME_*` bits (0 when not capitalised).
    name_bits: u8,
    /// Starts with a capital letter.
    cap: bool,
    /// Document-level flags of the token's lowercase form (see `DOC_*`).
    doc: u64,
    /// Position kind: 0 inside a sentence, 1 first token, 2 in an all-capitals sentence.
    pos: u64,
    /// What the first pass predicted for the other occurrences of the lowercase form nearby
    /// (0 in the first pass).
    hist: u64,
}

/// The lowercase form occurs somewhere in the document starting with a lowercase letter.
pub(super) const DOC_LOWER: u64 = 1;
/// ... capitalised inside a sentence (not first, not in an all-capitals sentence).
pub(super) const DOC_CAP_MID: u64 = 2;
/// ... in title case (a capital then lowercase letters) outside an all-capitals sentence.
pub(super) const DOC_TITLE: u64 = 4;
/// The token itself is all capitals with at least two letters.
pub(super) const DOC_SELF_CAPS: u64 = 8;
/// ... capitalised right after a known given name (as the "Smith" of "John Smith").
pub(super) const DOC_AFTER_GIVEN: u64 = 32;
/// The flags counted in the window, by bit index.
pub(super) const DOC_COUNTED: [u64; 4] = [DOC_LOWER, DOC_CAP_MID, DOC_TITLE, DOC_AFTER_GIVEN];

pub(super) fn char_class(c: char) -> u8 {
    if c.is_uppercase() {
        b'X'
    } else if c.is_lowercase() {
        b'x'
    } else if c.is_ascii_digit() {
        b'd'
    } else if c.is_alphabetic() {
        b'a'
    } else if c.is_ascii() {
        c as u8
    } else {
        b'*'
    }
}

pub(super) const LOWER_SEED: u64 = 0xcbf2_9ce4_8422_2325;

/// One char of the lowercase-form hash.
#[inline]
pub(super) fn lower_step(h: u64, c: char) -> u64 {
    if c.is_ascii() {
        mix(h, c.to_ascii_lowercase() as u64)
    } else {
        c.to_lowercase().fold(h, |h, l| mix(h, l as u64))
    }
}

/// The hash of a word's lowercase form (`TokenInfo::lower`).
pub(super) fn lower_hash(word: &str) -> u64 {
    word.chars().fold(LOWER_SEED, lower_step)
}

pub(super) fn token_info(word: &str, gaz: u64, names: Option<&NameSet>) -> TokenInfo {
    let mut info = TokenInfo {
        word: hash_bytes(word.as_bytes()),
        gaz,
        cap: word.chars().next().is_some_and(char::is_uppercase),
        ..TokenInfo::default()
    };
    // Lowercase and shape without allocating for ASCII words.
    let mut lower_h: u64 = LOWER_SEED;
    let mut shape_h: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut last_class = 0u8;
    let mut shape_len = 0;
    let mut nchars = 0;
    let mut char_ends = [0usize; 4];
    // Byte starts of the last four chars, indexed by char number mod 4.
    let mut last_starts = [0usize; 4];
    for (i, c) in word.char_indices() {
        if nchars < 4 {
            char_ends[nchars] = i + c.len_utf8();
        }
        last_starts[nchars % 4] = i;
        nchars += 1;
        lower_h = lower_step(lower_h, c);
        let class = char_class(c);
        if class != last_class && shape_len < 8 {
            shape_h = mix(shape_h, class as u64);
            shape_len += 1;
            last_class = class;
        }
    }
    info.lower = lower_h;
    (info.name, info.name_bits) = name_class(names, info.cap, lower_h);
    info.shape = shape_h;
    let bytes = word.as_bytes();
    for k in 0..nchars.min(4) {
        info.pre[k] = hash_bytes(&bytes[..char_ends[k]]);
        // The suffix of k + 1 chars starts at char nchars - 1 - k, one of the last four.
        info.suf[k] = hash_bytes(&bytes[last_starts[(nchars - 1 - k) % 4]..]);
    }
    info
}

/// Gazetteer membership per token: a hash of "B-type"/"I-type" or 0.
pub(super) fn gazetteer_tags(
    g: &Gazetteer,
    text: &str,
    tokens: &[Token],
    sentence_starts: &[usize],
) -> Vec<u64> {
    let mut tags = vec![0u64; tokens.len()];
    for (s, e, entry) in g.find(text, sentence_starts) {
        let first = tokens.partition_point(|t| t.byte_end <= s);
        let ty = hash_bytes(entry.entity_type.as_bytes());
        let mut i = first;
        while i < tokens.len() && tokens[i].byte_start < e {
            tags[i] = mix(ty, if i == first { 1 } else { 2 });
            i += 1;
        }
    }
    tags
}

pub(super) const NONE: u64 = 0x1234_5678_9abc_def1;
pub(super) const START: u64 = 0x0bad_cafe_dead_beef;

/// The bucket indices of every token of one sentence.
pub(super) fn featurize(info: &[TokenInfo], bits: u32) -> Vec<[u32; NF]> {
    let mut out = Vec::with_capacity(info.len());
    featurize_into(info, bits, &mut out);
    out
}

pub(super) fn featurize_into(info: &[TokenInfo], bits: u32, out: &mut Vec<[u32; NF]>) {
    let n = info.len();
    let pad = TokenInfo {
        word: NONE,
        lower: NONE,
        shape: NONE,
        gaz: NONE,
        name: NONE,
        ..TokenInfo::default()
    };
    let at = |i: isize| -> &TokenInfo {
        if i < 0 || i as usize >= n {
            &pad
        } else {
            &info[i as usize]
        }
    };
    let shift = 64 - bits;
    out.clear();
    for (i, t) in info.iter().enumerate() {
        let ii = i as isize;
        let (p1, p2, n1, n2) = (at(ii - 1), at(ii - 2), at(ii + 1), at(ii + 2));
        let first = if i == 0 { START } else { 0 };
        let vals: [u64; NF] = [
            1,
            t.word,
            t.lower,
            t.shape,
            t.pre[0],
            t.pre[1],
            t.pre[2],
            t.pre[3],
            t.suf[0],
            t.suf[1],
            t.suf[2],
            t.suf[3],
            p1.lower,
            n1.lower,
            p2.lower,
            n2.lower,
            mix(p1.shape, t.shape),
            mix(t.shape, n1.shape),
            mix(p1.lower, t.lower),
            mix(t.lower, n1.lower),
            t.gaz,
            mix(p1.gaz, t.gaz),
            mix(t.gaz, n1.gaz),
            mix(first, t.shape),
            mix(first, t.lower),
            mix(mix(p1.shape, t.shape), n1.shape),
            p1.suf[2],
            n1.suf[2],
            mix(p1.word, t.cap as u64),
            p1.shape,
            n1.shape,
            mix(t.lower, n1.cap as u64 + 2 * p1.cap as u64),
            mix(mix(t.shape, t.doc), t.pos),
            mix(t.doc, t.pos),
            mix(t.shape, t.pos),
            mix(p1.lower, n1.lower),
            mix(mix(p1.doc, t.doc), n1.doc),
            mix(mix(t.gaz, t.doc), t.pos),
            t.hist,
            mix(t.hist, t.shape),
            mix(mix(t.hist, t.pos), p1.hist),
            mix(t.name, t.shape),
            mix(p1.name, t.name),
            mix(t.name, n1.name),
            mix(p1.name, t.shape),
            mix(n1.name, t.shape),
        ];
        let mut row = [0u32; NF];
        for (k, v) in vals.iter().enumerate() {
            let h = mix(mix(k as u64 + 1, *v), 0x9e37_79b9);
            row[k] = (h >> shift) as u32;
        }
        out.push(row);
    }
}

/// Tokens, sentences and per-token info of a text.
pub(super) struct Prepared {
    pub(super) analysis: Analysis,
    pub(super) info: Vec<TokenInfo>,
}

pub(super) fn prepare(
    text: &str,
    gazetteer: Option<&Gazetteer>,
    names: Option<&NameSet>,
) -> Prepared {
    let analysis = Analysis::of(text);
    let gaz = match gazetteer {
        Some(g) => gazetteer_tags(g, text, &analysis.tokens, &analysis.sentence_starts()),
        None => vec![0; analysis.tokens.len()],
    };
    let mut info: Vec<TokenInfo> = analysis
        .tokens
        .iter()
        .zip(gaz)
        .map(|(t, g)| token_info(t.text(text), g, names))
        .collect();
    let words: Vec<&str> = analysis.tokens.iter().map(|t| t.text(text)).collect();
    let sentences: Vec<std::ops::Range<usize>> = analysis
        .sentences
        .iter()
        .map(|s| s.tokens.clone())
        .collect();
    document_flags(&words, &sentences, &mut info);
    Prepared { analysis, info }
}

pub(super) fn letters_case(word: &str) -> (usize, usize) {
    let (mut up, mut low) = (0, 0);
    for c in word.chars() {
        if c.is_uppercase() {
            up += 1;
        } else if c.is_lowercase() {
            low += 1;
        }
    }
    (up, low)
}

/// How far (in tokens, either side) "elsewhere in the document" reaches: long texts (a whole
/// corpus imported as one document) behave like a run of articles.
pub(super) const DOC_WINDOW: usize = 400;

/// Sets `pos` and `doc` of every token: where it sits in its sentence and how its lowercase
/// form is written elsewhere nearby in the document (within `DOC_WINDOW` tokens).
pub(super) fn document_flags(
    words: &[&str],
    sentences: &[std::ops::Range<usize>],
    info: &mut [TokenInfo],
) {
    let mut own = vec![0u64; info.len()];
    for s in sentences {
        let (mut up, mut low) = (0, 0);
        for w in &words[s.clone()] {
            let (u, l) = letters_case(w);
            up += u;
            low += l;
        }
        let headline = up >= 4 && low == 0;
        for i in s.clone() {
            let Some(t) = info.get_mut(i) else { continue };
            t.pos = if headline {
                2
            } else if i == s.start {
                1
            } else {
                0
            };
            let (u, l) = letters_case(words[i]);
            let first_upper = words[i].chars().next().is_some_and(char::is_uppercase);
            let mut f = 0;
            if words[i].chars().next().is_some_and(char::is_lowercase) {
                f |= DOC_LOWER;
            }
            if !headline {
                if first_upper && i != s.start {
                    f |= DOC_CAP_MID;
                }
                if first_upper && l > 0 && u == 1 {
                    f |= DOC_TITLE;
                }
            }
            if first_upper && i > s.start && info[i - 1].name_bits & NAME_GIVEN != 0 {
                f |= DOC_AFTER_GIVEN;
            }
            own[i] = f;
        }
    }
    // Per lowercase form, how many tokens in the window carry each flag.
    let (forms, distinct) = form_ids(info);
    let mut counts = vec![[0u32; DOC_COUNTED.len()]; distinct];
    let mut flags = vec![0u64; info.len()];
    let bits = |k: usize| {
        let f = own[k];
        (0..DOC_COUNTED.len()).filter(move |&b| f & DOC_COUNTED[b] != 0)
    };
    sliding_window(
        info.len(),
        &mut counts,
        |c, k| bits(k).for_each(|b| c[forms[k]][b] += 1),
        |c, k| bits(k).for_each(|b| c[forms[k]][b] -= 1),
        |c, i| {
            flags[i] = c[forms[i]]
                .iter()
                .enumerate()
                .fold(0, |f, (b, &x)| if x > 0 { f | DOC_COUNTED[b] } else { f });
        },
    );
    for ((t, w), f) in info.iter_mut().zip(words).zip(flags) {
        let (u, l) = letters_case(w);
        let caps = if u >= 2 && l == 0 { DOC_SELF_CAPS } else { 0 };
        t.doc = f | caps | 16;
    }
}

/// Sets `hist` of every token from first-pass labels: the entity type (or O) most often
/// predicted for the other occurrences of its lowercase form within `DOC_WINDOW` tokens, and
/// whether any of them was predicted as an entity.
pub(super) fn set_history(info: &mut [TokenInfo], predicted: &[u16], labels: usize) {
    let classes = labels / 2 + 1;
    let class = |k: usize| -> usize { (predicted[k] as usize).div_ceil(2) };
    // Per lowercase form, how many tokens in the window were predicted as each class.
    let (forms, distinct) = form_ids(info);
    let mut counts = vec![0u32; distinct * classes];
    let mut hist = vec![0u64; info.len()];
    sliding_window(
        info.len(),
        &mut counts,
        |c, k| c[forms[k] * classes + class(k)] += 1,
        |c, k| c[forms[k] * classes + class(k)] -= 1,
        |c, i| {
            let (mut best, mut best_n, mut total, mut entity) = (0, 0, 0, false);
            for (k, &x) in c[forms[i] * classes..][..classes].iter().enumerate() {
                // The other occurrences: leave the token's own prediction out.
                let x = if k == class(i) { x - 1 } else { x };
                total += x;
                entity |= k > 0 && x > 0;
                if x > best_n {
                    best = k;
                    best_n = x;
                }
            }
            hist[i] = if total == 0 {
                HIST_ALONE
            } else {
                mix(best as u64 + 1, entity as u64)
            };
        },
    );
    for (t, h) in info.iter_mut().zip(hist) {
        t.hist = h;
    }
}

/// Dense ids of the tokens' lowercase forms, and how many distinct forms there are.
pub(super) fn form_ids(info: &[TokenInfo]) -> (Vec<usize>, usize) {
    let mut ids: HashMap<u64, usize> = HashMap::default();
    let forms = info
        .iter()
        .map(|t| {
            let next = ids.len();
            *ids.entry(t.lower).or_insert(next)
        })
        .collect();
    (forms, ids.len())
}

/// Walks tokens 0..n with a window of the tokens within `DOC_WINDOW` either side: `enter`
/// and `leave` update `state` as tokens enter and leave the window, `visit` sees each token
/// with its window in place.
pub(super) fn sliding_window<S>(
    n: usize,
    state: &mut S,
    enter: impl Fn(&mut S, usize),
    leave: impl Fn(&mut S, usize),
    mut visit: impl FnMut(&S, usize),
) {
    let mut hi = 0;
    for i in 0..n {
        while hi < n && hi <= i + DOC_WINDOW {
            enter(state, hi);
            hi += 1;
        }
        if i > DOC_WINDOW {
            leave(state, i - DOC_WINDOW - 1);
        }
        visit(state, i);
    }
}

/// Hasher for keys that are already well-mixed 64-bit hashes (`TokenInfo::lower`): SipHash
/// would cost more than the rest of the lookup.
#[derive(Default)]
pub(super) struct PremixedHasher(u64);

impl std::hash::Hasher for PremixedHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0, b as u64);
        }
    }

    fn write_u64(&mut self, x: u64) {
        // Fold the high bits (the best mixed by `mix`) into the low ones the table indexes by.
        self.0 = x ^ (x >> 32);
    }
}

pub(super) type HashMap<K, V> =
    std::collections::HashMap<K, V, std::hash::BuildHasherDefault<PremixedHasher>>;

pub(super) const HIST_ALONE: u64 = 0x2545_f491_4f6c_dd1d;

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn name_lists_load_and_match_any_case_when_capitalised() {
        let names = name_lists();
        let count = |list: &str| {
            list.lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .count()
        };
        assert!(count(GIVEN_NAMES) >= 1500 && count(SURNAMES) >= 1500);
        assert!(names.len() >= 3000);
        let bits = |w: &str| token_info(w, 0, Some(names)).name_bits;
        assert_eq!(bits("Maria") & NAME_GIVEN, NAME_GIVEN);
        assert_eq!(bits("MARIA") & NAME_GIVEN, NAME_GIVEN);
        assert_eq!(bits("Kowalski"), NAME_SURNAME);
        assert_eq!(bits("maria"), 0);
        assert_eq!(bits("Tuesday"), 0);
        // The lookup key is the token's lowercase hash, ASCII or not.
        for w in ["Jürgen", "ŞAHİN", "O'Brien"] {
            assert_eq!(lower_hash(w), token_info(w, 0, None).lower);
        }
    }
}
