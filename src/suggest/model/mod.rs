//! The model engine: an averaged-perceptron sequence tagger (BIO labels, first-order Viterbi
//! decoding with learned transition weights and BIO constraints) over hashed token features.
//!
//! Features (word, lowercase, prefixes and suffixes of 1-4 chars, word shape, neighbouring
//! words and shapes, gazetteer membership (with the tagger-only lists), known given names and
//! surnames, sentence position) are hashed into a fixed-size table of per-label weight rows,
//! so featurising a token allocates nothing and looks up one contiguous row per feature.

use super::gazetteer::{Gazetteer, tagger_entries};
use super::util::Analysis;
use super::{Suggester, Suggestion};
use crate::model::{Document, Project};
use crate::text::Token;
use std::collections::BTreeSet;
use std::sync::{Arc, OnceLock};

/// Features per token.
const NF: usize = 46;

/// How to train the tagger.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainOptions {
    /// Passes over the training sentences.
    pub epochs: usize,
    /// Seed of the deterministic shuffle between epochs.
    pub seed: u64,
    /// The weight table has 2^bits rows.
    pub bits: u32,
    /// Use gazetteer membership features.
    pub gazetteer: bool,
    /// Use known given-name and surname features (`assets/names/`).
    pub names: bool,
    /// Two passes: a second tagger sees what a first one predicted for the other occurrences
    /// of each word nearby in the document (trained on held-out first-pass predictions).
    pub two_pass: bool,
    /// Learn from at most about this many chars of annotated text, taken from documents
    /// spread over the whole project (None: all). Features take ~160 bytes a token, so a
    /// 10,000-document project would otherwise need gigabytes and minutes to learn from.
    pub max_training_chars: Option<usize>,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 10,
            seed: 0x5eed,
            bits: 20,
            gazetteer: true,
            names: true,
            two_pass: true,
            max_training_chars: None,
        }
    }
}

impl TrainOptions {
    /// For a project with `spans` annotations: a smaller table while they are few, and a
    /// bound on what it learns from (about 2 M chars, some 330,000 tokens: more than
    /// CoNLL-2003's training set).
    pub fn for_project(spans: usize) -> TrainOptions {
        TrainOptions {
            bits: if spans > 20_000 { 20 } else { 18 },
            max_training_chars: Some(2_000_000),
            ..TrainOptions::default()
        }
    }
}

/// Every k-th document, so that the texts add up to about `budget` chars.
fn spread_sample(docs: Vec<&Document>, budget: Option<usize>) -> Vec<&Document> {
    let total: usize = docs.iter().map(|d| d.text.len()).sum();
    match budget {
        Some(budget) if budget > 0 && total > budget => {
            docs.into_iter().step_by(total.div_ceil(budget)).collect()
        }
        _ => docs,
    }
}

/// A sentence to learn from: tokens of `text` with a label index per token.
struct Example {
    feats: Vec<[u32; NF]>,
    gold: Vec<u16>,
}

/// A trained tagger. Cheap to clone the handle for a background thread: the weights sit
/// behind an `Arc`.
#[derive(Clone)]
pub struct Tagger {
    /// Entity types; label 0 is O, label 2k+1 is B-type k, 2k+2 is I-type k.
    types: Vec<String>,
    bits: u32,
    /// The (last or only) pass that labels the tokens.
    last: Arc<Pass>,
    /// The first pass when the tagger has two.
    first: Option<Arc<Pass>>,
    gazetteer: Option<Arc<Gazetteer>>,
    /// Known names (`name_lists`) when the tagger uses them.
    names: Option<&'static NameSet>,
}

/// One tagging pass's model.
struct Pass {
    weights: TagWeights,
    /// See `constrained_transitions`.
    transitions: Vec<f32>,
}

impl Pass {
    fn new((weights, transitions): (Vec<f32>, Vec<f32>), labels: usize) -> Arc<Pass> {
        Arc::new(Pass {
            weights: TagWeights::quantise(&weights, labels),
            transitions,
        })
    }

    /// Labels the tokens of one sentence into `s.path` (emissions in `s.em`).
    fn tag(&self, sentence: &[TokenInfo], bits: u32, labels: usize, s: &mut Scratch) {
        featurize_into(sentence, bits, &mut s.feats);
        self.weights.emissions(labels, &s.feats, &mut s.em);
        Tagger::viterbi(
            &self.transitions,
            labels,
            &s.em,
            &mut s.path,
            &mut s.lattice,
        );
    }
}

/// Buffers reused across the sentences of a call.
#[derive(Default)]
struct Scratch {
    feats: Vec<[u32; NF]>,
    em: Vec<f32>,
    path: Vec<u16>,
    lattice: Lattice,
}

impl std::fmt::Debug for Tagger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tagger")
            .field("types", &self.types)
            .field("bits", &self.bits)
            .finish()
    }
}

/// The tagger's gazetteer: the shipped lists and the tagger-only ones.
fn shared_gazetteer() -> Arc<Gazetteer> {
    static G: OnceLock<Arc<Gazetteer>> = OnceLock::new();
    G.get_or_init(|| Arc::new(Gazetteer::with_entries(tagger_entries())))
        .clone()
}

// ---------- known names ----------

/// Common given names and surnames, one per line (`#` comments). Tagger features only: the
/// gazetteer engine never suggests them.
const GIVEN_NAMES: &str = include_str!("../../../assets/names/given-names.txt");
const SURNAMES: &str = include_str!("../../../assets/names/surnames.txt");

const NAME_GIVEN: u8 = 1;
const NAME_SURNAME: u8 = 2;

/// Known names by the hash of their lowercase form (`lower_hash`, the same as
/// `TokenInfo::lower`, so a token costs one lookup and no allocation): `NAME_*` bits.
type NameSet = HashMap<u64, u8>;

/// The shipped name lists, parsed once.
fn name_lists() -> &'static NameSet {
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

/// Whether a word (any case) is in the shipped given-name list.
pub(super) fn is_known_given_name(word: &str) -> bool {
    name_lists()
        .get(&lower_hash(word))
        .is_some_and(|b| b & NAME_GIVEN != 0)
}

/// The name feature value of a token: its `NAME_*` bits when it is capitalised (a lowercase
/// "will" or "mark" is no name), a separate value when it is not.
fn name_class(names: Option<&NameSet>, cap: bool, lower: u64) -> (u64, u8) {
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

const K: u64 = 0x517c_c1b7_2722_0a95;

#[inline]
fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(K)
}

#[inline]
fn hash_bytes(bytes: &[u8]) -> u64 {
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
struct TokenInfo {
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
const DOC_LOWER: u64 = 1;
/// ... capitalised inside a sentence (not first, not in an all-capitals sentence).
const DOC_CAP_MID: u64 = 2;
/// ... in title case (a capital then lowercase letters) outside an all-capitals sentence.
const DOC_TITLE: u64 = 4;
/// The token itself is all capitals with at least two letters.
const DOC_SELF_CAPS: u64 = 8;
/// ... capitalised right after a known given name (as the "Smith" of "John Smith").
const DOC_AFTER_GIVEN: u64 = 32;
/// The flags counted in the window, by bit index.
const DOC_COUNTED: [u64; 4] = [DOC_LOWER, DOC_CAP_MID, DOC_TITLE, DOC_AFTER_GIVEN];

fn char_class(c: char) -> u8 {
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

const LOWER_SEED: u64 = 0xcbf2_9ce4_8422_2325;

/// One char of the lowercase-form hash.
#[inline]
fn lower_step(h: u64, c: char) -> u64 {
    if c.is_ascii() {
        mix(h, c.to_ascii_lowercase() as u64)
    } else {
        c.to_lowercase().fold(h, |h, l| mix(h, l as u64))
    }
}

/// The hash of a word's lowercase form (`TokenInfo::lower`).
fn lower_hash(word: &str) -> u64 {
    word.chars().fold(LOWER_SEED, lower_step)
}

fn token_info(word: &str, gaz: u64, names: Option<&NameSet>) -> TokenInfo {
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
fn gazetteer_tags(
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

const NONE: u64 = 0x1234_5678_9abc_def1;
const START: u64 = 0x0bad_cafe_dead_beef;

/// The bucket indices of every token of one sentence.
fn featurize(info: &[TokenInfo], bits: u32) -> Vec<[u32; NF]> {
    let mut out = Vec::with_capacity(info.len());
    featurize_into(info, bits, &mut out);
    out
}

fn featurize_into(info: &[TokenInfo], bits: u32, out: &mut Vec<[u32; NF]>) {
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
struct Prepared {
    analysis: Analysis,
    info: Vec<TokenInfo>,
}

fn prepare(text: &str, gazetteer: Option<&Gazetteer>, names: Option<&NameSet>) -> Prepared {
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

fn letters_case(word: &str) -> (usize, usize) {
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
const DOC_WINDOW: usize = 400;

/// Sets `pos` and `doc` of every token: where it sits in its sentence and how its lowercase
/// form is written elsewhere nearby in the document (within `DOC_WINDOW` tokens).
fn document_flags(words: &[&str], sentences: &[std::ops::Range<usize>], info: &mut [TokenInfo]) {
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

fn num_labels(types: usize) -> usize {
    2 * types + 1
}

/// Whether label `cur` may follow label `prev` (None: sentence start) under BIO.
fn allowed(prev: Option<usize>, cur: usize) -> bool {
    if cur == 0 || cur % 2 == 1 {
        return true;
    }
    // I-k (2k+2) only after B-k (2k+1) or I-k.
    matches!(prev, Some(p) if p != 0 && p.div_ceil(2) == cur / 2)
}

/// Transition weights, (labels + 1) x labels (the last row is the sentence start), with the
/// BIO constraints folded in: pairs `allowed` forbids are -inf. Training never updates them
/// (gold and predicted paths both obey the constraints), so they stay -inf through averaging
/// and decoding needs no test in its inner loop.
fn constrained_transitions(labels: usize) -> Vec<f32> {
    let mut t = vec![0.0; (labels + 1) * labels];
    for (p, row) in t.chunks_exact_mut(labels).enumerate() {
        let prev = (p < labels).then_some(p);
        for (c, x) in row.iter_mut().enumerate() {
            if !allowed(prev, c) {
                *x = f32::NEG_INFINITY;
            }
        }
    }
    t
}

/// Viterbi's working buffer, reused across sentences.
#[derive(Default)]
struct Lattice {
    /// n x labels best path scores.
    score: Vec<f32>,
}

/// The first index of the largest `scores[k] + plus(k)`.
fn first_max(scores: &[f32], plus: impl Fn(usize) -> f32) -> u16 {
    let mut best = 0;
    let mut best_score = f32::NEG_INFINITY;
    for (k, &x) in scores.iter().enumerate() {
        let s = x + plus(k);
        if s > best_score {
            best = k;
            best_score = s;
        }
    }
    best as u16
}

/// Labels per weight block of the tagging table.
const LANES: usize = 16;

/// 16 quantised weights on a 32-byte boundary: one half cache line.
#[repr(C, align(32))]
#[derive(Clone, Copy)]
struct Block([i16; LANES]);

/// Weights for tagging: the averaged weights quantised to i16 (summed exactly in i32), each
/// feature's row padded to whole aligned blocks. A lookup reads one block per 16 labels
/// (CoNLL's 9 labels: 32 bytes, never split across cache lines, where an f32 row is 36 bytes
/// and often split) and sums with a few SIMD adds.
struct TagWeights {
    blocks: Vec<Block>,
    blocks_per_row: usize,
    /// A weight is its quantised value times `scale`.
    scale: f32,
}

impl TagWeights {
    fn quantise(weights: &[f32], labels: usize) -> TagWeights {
        let max = weights.iter().fold(0f32, |m, x| m.max(x.abs()));
        let scale = if max > 0.0 {
            max / i16::MAX as f32
        } else {
            1.0
        };
        let per = labels.div_ceil(LANES);
        let mut blocks = vec![Block([0; LANES]); weights.len() / labels * per];
        for (row, w) in blocks
            .chunks_exact_mut(per)
            .zip(weights.chunks_exact(labels))
        {
            for (l, x) in w.iter().enumerate() {
                row[l / LANES].0[l % LANES] = (x / scale).round() as i16;
            }
        }
        TagWeights {
            blocks,
            blocks_per_row: per,
            scale,
        }
    }

    /// Emission scores of every token (n x labels).
    fn emissions(&self, labels: usize, feats: &[[u32; NF]], out: &mut Vec<f32>) {
        let per = self.blocks_per_row;
        out.clear();
        for (i, f) in feats.iter().enumerate() {
            // The rows are random reads from a table far bigger than the caches: ask for the
            // next token's while summing this one's.
            if let Some(next) = feats.get(i + 1) {
                for &b in next {
                    prefetch(&self.blocks[b as usize * per]);
                }
            }
            for j in 0..per {
                // A local array stays in SIMD registers.
                let mut sum = [0i32; LANES];
                for &b in f {
                    let block = &self.blocks[b as usize * per + j].0;
                    for (s, &w) in sum.iter_mut().zip(block) {
                        *s += i32::from(w);
                    }
                }
                let used = (labels - j * LANES).min(LANES);
                out.extend(sum[..used].iter().map(|&s| s as f32 * self.scale));
            }
        }
    }
}

#[inline]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it never faults and `x` is a valid reference anyway.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

impl Tagger {
    pub fn types(&self) -> &[String] {
        &self.types
    }

    fn labels(&self) -> usize {
        num_labels(self.types.len())
    }

    /// Emission scores of every token (n x labels) from training-time weights.
    fn emissions(weights: &[f32], labels: usize, feats: &[[u32; NF]], out: &mut Vec<f32>) {
        out.clear();
        out.resize(feats.len() * labels, 0.0);
        for (row, f) in out.chunks_exact_mut(labels).zip(feats) {
            for &b in f {
                let w = &weights[b as usize * labels..b as usize * labels + labels];
                for (o, x) in row.iter_mut().zip(w) {
                    *o += x;
                }
            }
        }
    }

    /// Best label path for emissions `em` (n x labels) under `transitions` (see
    /// `constrained_transitions`).
    fn viterbi(
        transitions: &[f32],
        labels: usize,
        em: &[f32],
        path: &mut Vec<u16>,
        v: &mut Lattice,
    ) {
        let n = em.len() / labels;
        path.clear();
        if n == 0 {
            return;
        }
        // Forward: the best score of a path ending in each label at each token. Only maxima,
        // label by label in the inner loop, so it vectorises without branches; the
        // backpointers are recomputed for the one chosen path afterwards.
        v.score.clear();
        v.score.resize(n * labels, f32::NEG_INFINITY);
        let start = &transitions[labels * labels..];
        for ((x, &e), &t) in v.score.iter_mut().zip(&em[..labels]).zip(start) {
            *x = e + t;
        }
        for i in 1..n {
            let (done, rest) = v.score.split_at_mut(i * labels);
            let prev = &done[(i - 1) * labels..];
            let cur = &mut rest[..labels];
            for (&from, row) in prev.iter().zip(transitions.chunks_exact(labels)) {
                for (x, &t) in cur.iter_mut().zip(row) {
                    let s = from + t;
                    *x = if s > *x { s } else { *x };
                }
            }
            for (x, &e) in cur.iter_mut().zip(&em[i * labels..]) {
                *x += e;
            }
        }
        // Backward: the best last label, then the best predecessor of each chosen label.
        path.resize(n, 0);
        path[n - 1] = first_max(&v.score[(n - 1) * labels..], |_| 0.0);
        for i in (1..n).rev() {
            let c = path[i] as usize;
            let prev = &v.score[(i - 1) * labels..i * labels];
            path[i - 1] = first_max(prev, |p| transitions[p * labels + c]);
        }
    }

    /// Trains on the spans of a project's annotated documents (documents without spans are
    /// skipped: they would teach the model that nothing is an entity).
    pub fn train(project: &Project, options: &TrainOptions) -> Option<Tagger> {
        let types: BTreeSet<String> = project
            .documents
            .iter()
            .flat_map(|d| d.spans.iter().map(|s| s.entity_type.to_string()))
            .collect();
        if types.is_empty() {
            return None;
        }
        let types: Vec<String> = types.into_iter().collect();
        let gazetteer = options.gazetteer.then(shared_gazetteer);
        let names = options.names.then(name_lists);
        let docs: Vec<&Document> = project
            .documents
            .iter()
            .filter(|d| !d.spans.is_empty())
            .map(|d| &**d)
            .collect();
        let docs = spread_sample(docs, options.max_training_chars);
        use rayon::prelude::*;
        let mut docs: Vec<DocData> = docs
            .par_iter()
            .map(|d| doc_data(d, &types, gazetteer.as_deref(), names))
            .collect();
        let labels = num_labels(types.len());
        let examples = |docs: &[DocData], fold: Option<usize>| -> Vec<Example> {
            let mut out = Vec::new();
            let mut k = 0usize;
            for d in docs {
                for s in &d.sentences {
                    k += 1;
                    if fold.is_some_and(|f| (k / FOLD_BLOCK) % 2 != f) {
                        continue;
                    }
                    out.push(Example {
                        feats: featurize(&d.info[s.clone()], options.bits),
                        gold: d.gold[s.clone()].to_vec(),
                    });
                }
            }
            out
        };
        if !options.two_pass {
            let model = perceptron(labels, examples(&docs, None), options);
            return Some(Tagger {
                types,
                bits: options.bits,
                last: Pass::new(model, labels),
                first: None,
                gazetteer,
                names,
            });
        }
        // First pass: two halves, each tagging the other; their average tags new text.
        let (ma, mb) = rayon::join(
            || perceptron(labels, examples(&docs, Some(0)), options),
            || perceptron(labels, examples(&docs, Some(1)), options),
        );
        let mut k = 0usize;
        let (mut em, mut path, mut lattice, mut feats) =
            (Vec::new(), Vec::new(), Lattice::default(), Vec::new());
        for d in &mut docs {
            let mut predicted = vec![0u16; d.gold.len()];
            for s in &d.sentences {
                k += 1;
                // The model that did not see this sentence tags it.
                let (w, tw) = if (k / FOLD_BLOCK).is_multiple_of(2) {
                    &mb
                } else {
                    &ma
                };
                featurize_into(&d.info[s.clone()], options.bits, &mut feats);
                Tagger::emissions(w, labels, &feats, &mut em);
                Tagger::viterbi(tw, labels, &em, &mut path, &mut lattice);
                predicted[s.clone()].copy_from_slice(&path);
            }
            set_history(&mut d.info, &predicted, labels);
        }
        let first = Pass::new((average(&ma.0, &mb.0), average(&ma.1, &mb.1)), labels);
        drop((ma, mb));
        let model = perceptron(labels, examples(&docs, None), options);
        Some(Tagger {
            types,
            bits: options.bits,
            last: Pass::new(model, labels),
            first: Some(first),
            gazetteer,
            names,
        })
    }

    /// Tags tokens (with their info, history reset) sentence by sentence; labels per token.
    fn tag_info(
        &self,
        info: &mut [TokenInfo],
        sentences: &[std::ops::Range<usize>],
        mut each: impl FnMut(&std::ops::Range<usize>, &[u16], &[f32]),
    ) {
        let labels = self.labels();
        let mut s = Scratch::default();
        if let Some(first) = &self.first {
            let mut predicted = vec![0u16; info.len()];
            for range in sentences {
                first.tag(&info[range.clone()], self.bits, labels, &mut s);
                predicted[range.clone()].copy_from_slice(&s.path);
            }
            set_history(info, &predicted, labels);
        }
        for range in sentences {
            self.last
                .tag(&info[range.clone()], self.bits, labels, &mut s);
            each(range, &s.path, &s.em);
        }
    }

    /// Tags a text: entity spans as (char start, char end, type index, confidence).
    pub fn tag(&self, text: &str) -> Vec<(usize, usize, usize, f32)> {
        let mut prep = prepare(text, self.gazetteer.as_deref(), self.names);
        let labels = self.labels();
        let sentences: Vec<std::ops::Range<usize>> = prep
            .analysis
            .sentences
            .iter()
            .map(|s| s.tokens.clone())
            .collect();
        let mut out = Vec::new();
        let tokens = &prep.analysis.tokens;
        self.tag_info(&mut prep.info, &sentences, |s, path, em| {
            decode_spans(path, em, labels, &tokens[s.clone()], &mut out);
        });
        out
    }

    /// Tags one pre-tokenised sentence (for benchmarks) and returns the number of entity
    /// tokens found.
    pub fn tag_sentence_words(&self, words: &[&str]) -> usize {
        let mut info: Vec<TokenInfo> = words.iter().map(|w| token_info(w, 0, self.names)).collect();
        let whole: std::ops::Range<usize> = 0..words.len();
        let sentences = std::slice::from_ref(&whole);
        document_flags(words, sentences, &mut info);
        let mut n = 0;
        self.tag_info(&mut info, sentences, |_, path, _| {
            n += path.iter().filter(|&&l| l != 0).count();
        });
        n
    }
}

/// Sentences per block when the training sentences are split into two halves (alternating
/// blocks, so each half covers the whole corpus).
const FOLD_BLOCK: usize = 64;

fn average(a: &[f32], b: &[f32]) -> Vec<f32> {
    a.iter().zip(b).map(|(x, y)| 0.5 * (x + y)).collect()
}

/// Sets `hist` of every token from first-pass labels: the entity type (or O) most often
/// predicted for the other occurrences of its lowercase form within `DOC_WINDOW` tokens, and
/// whether any of them was predicted as an entity.
fn set_history(info: &mut [TokenInfo], predicted: &[u16], labels: usize) {
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
fn form_ids(info: &[TokenInfo]) -> (Vec<usize>, usize) {
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
fn sliding_window<S>(
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
struct PremixedHasher(u64);

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

type HashMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<PremixedHasher>>;

const HIST_ALONE: u64 = 0x2545_f491_4f6c_dd1d;

/// Trains an averaged perceptron; returns (weights, transitions).
fn perceptron(
    labels: usize,
    examples: Vec<Example>,
    options: &TrainOptions,
) -> (Vec<f32>, Vec<f32>) {
    let size = (1usize << options.bits) * labels;
    let mut w = vec![0f32; size];
    let mut acc = vec![0f32; size];
    let mut tw = constrained_transitions(labels);
    let mut tacc = vec![0f32; tw.len()];
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = options.seed | 1;
    let mut c: f32 = 1.0;
    let (mut em, mut path, mut lattice) = (Vec::new(), Vec::new(), Lattice::default());
    for _ in 0..options.epochs {
        // Fisher-Yates with xorshift: deterministic.
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        for &e in &order {
            let ex = &examples[e];
            let n = ex.gold.len();
            Tagger::emissions(&w, labels, &ex.feats, &mut em);
            Tagger::viterbi(&tw, labels, &em, &mut path, &mut lattice);
            if path != ex.gold {
                for i in 0..n {
                    let (g, p) = (ex.gold[i] as usize, path[i] as usize);
                    if g != p {
                        for &b in &ex.feats[i] {
                            let base = b as usize * labels;
                            w[base + g] += 1.0;
                            acc[base + g] += c;
                            w[base + p] -= 1.0;
                            acc[base + p] -= c;
                        }
                    }
                    let gp = if i == 0 {
                        labels
                    } else {
                        ex.gold[i - 1] as usize
                    };
                    let pp = if i == 0 { labels } else { path[i - 1] as usize };
                    if g != p || gp != pp {
                        tw[gp * labels + g] += 1.0;
                        tacc[gp * labels + g] += c;
                        tw[pp * labels + p] -= 1.0;
                        tacc[pp * labels + p] -= c;
                    }
                }
            }
            c += 1.0;
        }
    }
    for (x, a) in w.iter_mut().zip(&acc) {
        *x -= a / c;
    }
    for (x, a) in tw.iter_mut().zip(&tacc) {
        *x -= a / c;
    }
    (w, tw)
}

fn decode_spans(
    path: &[u16],
    em: &[f32],
    labels: usize,
    tokens: &[Token],
    out: &mut Vec<(usize, usize, usize, f32)>,
) {
    let margin = |i: usize| -> f32 {
        let row = &em[i * labels..(i + 1) * labels];
        let chosen = row[path[i] as usize];
        let other = row
            .iter()
            .enumerate()
            .filter(|(k, _)| *k != path[i] as usize)
            .map(|(_, v)| *v)
            .fold(f32::NEG_INFINITY, f32::max);
        let scale = chosen.abs() + other.abs() + 1e-6;
        ((chosen - other) / scale).clamp(0.0, 1.0)
    };
    let mut i = 0;
    while i < path.len() {
        let l = path[i] as usize;
        if l == 0 {
            i += 1;
            continue;
        }
        let ty = (l - 1) / 2;
        let start = i;
        let mut m = margin(i);
        i += 1;
        while i < path.len() && path[i] as usize == 2 * ty + 2 {
            m = m.min(margin(i));
            i += 1;
        }
        out.push((tokens[start].start, tokens[i - 1].end, ty, 0.5 + 0.45 * m));
    }
}

/// Training sentences of a document: BIO labels from its spans (the longest span wins where
/// spans overlap; tokens only partly inside a span are O).
fn doc_data(
    d: &Document,
    types: &[String],
    gazetteer: Option<&Gazetteer>,
    names: Option<&NameSet>,
) -> DocData {
    let prep = prepare(&d.text, gazetteer, names);
    let toks = &prep.analysis.tokens;
    let mut labels = vec![0u16; toks.len()];
    let mut spans: Vec<_> = d.spans.iter().collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.end - s.start));
    let mut taken = vec![false; toks.len()];
    for s in spans {
        let Some(ty) = types.iter().position(|t| *t == s.entity_type) else {
            continue;
        };
        let first = toks.partition_point(|t| t.end <= s.start);
        let mut last = first;
        while last < toks.len() && toks[last].end <= s.end {
            last += 1;
        }
        if first >= last || toks[first].start != s.start || toks[last - 1].end != s.end {
            continue;
        }
        if taken[first..last].iter().any(|&t| t) {
            continue;
        }
        for (k, i) in (first..last).enumerate() {
            taken[i] = true;
            labels[i] = if k == 0 {
                2 * ty as u16 + 1
            } else {
                2 * ty as u16 + 2
            };
        }
    }
    DocData {
        sentences: prep
            .analysis
            .sentences
            .iter()
            .map(|s| s.tokens.clone())
            .collect(),
        info: prep.info,
        gold: labels,
    }
}

/// A training document: token info, sentences (token ranges) and gold labels.
struct DocData {
    info: Vec<TokenInfo>,
    sentences: Vec<std::ops::Range<usize>>,
    gold: Vec<u16>,
}

/// The model engine: a tagger retrained by `learn`.
#[derive(Debug, Clone, Default)]
pub struct TaggerEngine {
    pub options: Option<TrainOptions>,
    pub tagger: Option<Tagger>,
}

impl TaggerEngine {
    pub fn with_tagger(tagger: Tagger) -> TaggerEngine {
        TaggerEngine {
            options: None,
            tagger: Some(tagger),
        }
    }
}

impl Suggester for TaggerEngine {
    fn name(&self) -> &'static str {
        "model"
    }

    fn learn(&mut self, project: &Project) {
        let options = self
            .options
            .clone()
            .unwrap_or_else(|| TrainOptions::for_project(project.span_count()));
        self.tagger = Tagger::train(project, &options);
    }

    fn suggest(&self, _project: &Project, doc: &Document) -> Vec<Suggestion> {
        let Some(t) = &self.tagger else {
            return Vec::new();
        };
        t.tag(&doc.text)
            .into_iter()
            .map(|(start, end, ty, score)| Suggestion {
                document: doc.id,
                start,
                end,
                entity_type: t.types[ty].clone(),
                score,
                engine: "model".to_string(),
                explanation: format!("tagger trained on the project's {}", t.types[ty]),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{DocumentId, Span, SpanId};

    fn annotated(id: u64, text: &str, spans: &[(&str, &str)]) -> Document {
        let mut d = Document::new(DocumentId(id), "t", "t.txt", text.to_string());
        for (next, (s, ty)) in (id * 100..).zip(spans) {
            let b = text.find(s).unwrap_or(0);
            let start = text[..b].chars().count();
            let end = start + s.chars().count();
            d.spans.push(Span::new(SpanId(next), start, end, ty));
        }
        d
    }

    #[test]
    fn large_projects_train_on_documents_spread_over_the_project() {
        let docs: Vec<Document> = (0..10)
            .map(|i| annotated(i + 1, &"x".repeat(100), &[]))
            .collect();
        let refs: Vec<&Document> = docs.iter().collect();
        let ids = |chosen: Vec<&Document>| chosen.iter().map(|d| d.id.0).collect::<Vec<_>>();
        assert_eq!(ids(spread_sample(refs.clone(), Some(300))), vec![1, 5, 9]);
        assert_eq!(ids(spread_sample(refs.clone(), Some(5_000))).len(), 10);
        assert_eq!(ids(spread_sample(refs, None)).len(), 10);
    }

    #[test]
    fn bio_constraints() {
        assert!(allowed(None, 0));
        assert!(allowed(None, 1));
        assert!(!allowed(None, 2));
        assert!(allowed(Some(1), 2));
        assert!(allowed(Some(2), 2));
        assert!(!allowed(Some(3), 2));
        assert!(!allowed(Some(0), 4));
    }

    #[test]
    fn learns_names_and_generalises_to_new_sentences() {
        let mut p = Project::new("p");
        let names = [
            ("Anna Petrova", "Sofia"),
            ("Ivan Markov", "Riga"),
            ("Lena Orlova", "Baku"),
            ("Oleg Sidorov", "Minsk"),
            ("Nina Volkova", "Tbilisi"),
            ("Pavel Gromov", "Astana"),
        ];
        for (i, (per, city)) in names.iter().enumerate() {
            let text =
                format!("Minister {per} arrived in {city} on Monday. Talks with {per} went on.");
            p.documents
                .push(annotated(i as u64 + 1, &text, &[(per, "PER"), (city, "GPE")]).into());
        }
        let opts = TrainOptions {
            bits: 16,
            ..TrainOptions::default()
        };
        let Some(t) = Tagger::train(&p, &opts) else {
            panic!("no tagger")
        };
        let text = "Minister Boris Kuznetsov arrived in Vilnius on Friday.";
        let found: Vec<(&str, &str)> = t
            .tag(text)
            .into_iter()
            .map(|(s, e, ty, _)| (&text[s..e], t.types()[ty].as_str()))
            .collect();
        assert!(found.contains(&("Boris Kuznetsov", "PER")), "{found:?}");
        assert!(found.contains(&("Vilnius", "GPE")), "{found:?}");
        // Learning does not change the project, and a clone tags the same.
        let clone = t.clone();
        assert_eq!(clone.tag(text), t.tag(text));
    }

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

    #[test]
    fn no_annotations_no_model() {
        let mut p = Project::new("p");
        p.documents.push(annotated(1, "Nothing here.", &[]).into());
        let mut e = TaggerEngine::default();
        e.learn(&p);
        assert!(e.tagger.is_none());
        assert!(e.suggest(&p, &p.documents[0]).is_empty());
    }
}
