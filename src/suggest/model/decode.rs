//! Decoding: BIO label constraints, first-order Viterbi, one tagging pass over a sentence,
//! and label paths back to spans.

use super::features::{NF, TokenInfo, featurize_into};
use super::weights::TagWeights;
use crate::text::Token;
use std::sync::Arc;

pub(super) fn num_labels(types: usize) -> usize {
    2 * types + 1
}

/// Whether label `cur` may follow label `prev` (None: sentence start) under BIO.
pub(super) fn allowed(prev: Option<usize>, cur: usize) -> bool {
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
pub(super) fn constrained_transitions(labels: usize) -> Vec<f32> {
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
pub(super) struct Lattice {
    /// n x labels best path scores.
    score: Vec<f32>,
}

/// The first index of the largest `scores[k] + plus(k)`.
pub(super) fn first_max(scores: &[f32], plus: impl Fn(usize) -> f32) -> u16 {
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

/// One tagging pass's model.
pub(super) struct Pass {
    weights: TagWeights,
    /// See `constrained_transitions`.
    transitions: Vec<f32>,
}

impl Pass {
    pub(super) fn new((weights, transitions): (Vec<f32>, Vec<f32>), labels: usize) -> Arc<Pass> {
        Arc::new(Pass {
            weights: TagWeights::quantise(&weights, labels),
            transitions,
        })
    }

    /// Labels the tokens of one sentence into `s.path` (emissions in `s.em`).
    pub(super) fn tag(&self, sentence: &[TokenInfo], bits: u32, labels: usize, s: &mut Scratch) {
        featurize_into(sentence, bits, &mut s.feats);
        self.weights.emissions(labels, &s.feats, &mut s.em);
        viterbi(
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
pub(super) struct Scratch {
    feats: Vec<[u32; NF]>,
    pub(super) em: Vec<f32>,
    pub(super) path: Vec<u16>,
    lattice: Lattice,
}

/// Best label path for emissions `em` (n x labels) under `transitions` (see
/// `constrained_transitions`).
pub(super) fn viterbi(
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

/// Label paths to spans (char start, char end, type index, confidence), hyphenated words kept
/// whole: a span never ends or starts on the hyphen of "Al-Jubeir" or "Minister-designate"
/// (tokens split at hyphens), it takes the word on the other side. Two spans a hyphen
/// separates stay two ("Armenia-Azerbaijan border").
pub(super) fn decode_spans(
    path: &[u16],
    em: &[f32],
    labels: usize,
    text: &str,
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
    // Token i is a hyphen joining the words on either side (no space around it).
    let joins = |i: usize| -> bool {
        i > 0
            && i + 1 < tokens.len()
            && tokens[i].text(text) == "-"
            && tokens[i - 1].end == tokens[i].start
            && tokens[i].end == tokens[i + 1].start
    };
    // Spans as (first token, last token + 1, type, margin).
    let mut spans: Vec<(usize, usize, usize, f32)> = Vec::new();
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
        spans.push((start, i, ty, m));
    }
    for k in 0..spans.len() {
        let (mut a, mut b, ty, m) = spans[k];
        let prev_end = if k > 0 { spans[k - 1].1 } else { 0 };
        let next_start = spans.get(k + 1).map_or(tokens.len(), |s| s.0);
        if joins(b - 1) && b < next_start {
            b += 1;
        }
        if joins(a) && a > prev_end {
            a -= 1;
        }
        spans[k] = (a, b, ty, m);
        out.push((tokens[a].start, tokens[b - 1].end, ty, 0.5 + 0.45 * m));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    fn spans_of(text: &str, path: &[u16]) -> Vec<String> {
        let tokens = crate::text::tokenize(text);
        assert_eq!(tokens.len(), path.len(), "{tokens:?}");
        let em = vec![0.0; path.len() * 3];
        let mut out = Vec::new();
        decode_spans(path, &em, 3, text, &tokens, &mut out);
        let chars: Vec<char> = text.chars().collect();
        out.iter()
            .map(|&(s, e, _, _)| chars[s..e].iter().collect())
            .collect()
    }

    #[test]
    fn spans_keep_hyphenated_words_whole() {
        // O=0, B=1, I=2 of one type.
        let text = "Foreign Minister Al-Jubeir met the Prime Minister-designate in a UK-led talk.";
        // Foreign Minister Al - Jubeir met the Prime Minister - designate in a UK - led talk .
        let path = [1, 2, 2, 2, 0, 0, 0, 1, 2, 2, 0, 0, 0, 1, 0, 0, 0, 0];
        assert_eq!(
            spans_of(text, &path),
            [
                "Foreign Minister Al-Jubeir",
                "Prime Minister-designate",
                "UK"
            ]
        );
        // A span starting on the hyphen takes the word before it.
        let path = [0, 0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
        assert_eq!(spans_of(text, &path), ["Al-Jubeir"]);
        // Two names a hyphen joins stay two; a hyphen with spaces around it is a dash.
        assert_eq!(
            spans_of("Armenia-Azerbaijan border", &[1, 0, 1, 0]),
            ["Armenia", "Azerbaijan"]
        );
        assert_eq!(
            spans_of("Baku - Yerevan", &[1, 2, 1]),
            ["Baku -", "Yerevan"]
        );
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
}
