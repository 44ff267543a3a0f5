//! Training: BIO gold labels from a project's spans, the averaged perceptron, and the two
//! passes (two half models tagging each other's sentences for the second pass).

use super::super::gazetteer::Gazetteer;
use super::decode::{Lattice, Pass, constrained_transitions, num_labels, viterbi};
use super::features::{Lexicon, NF, TokenInfo, featurize, featurize_into, prepare, set_history};
use super::weights::emissions;
use super::{Tagger, TrainOptions, shared_gazetteer};
use crate::model::{Document, Project};
use std::collections::BTreeSet;

/// Every k-th document, so that the texts add up to about `budget` chars.
pub(in crate::suggest) fn spread_sample(
    docs: Vec<&Document>,
    budget: Option<usize>,
) -> Vec<&Document> {
    let total: usize = docs.iter().map(|d| d.text.len()).sum();
    match budget {
        Some(budget) if budget > 0 && total > budget => {
            docs.into_iter().step_by(total.div_ceil(budget)).collect()
        }
        _ => docs,
    }
}

/// The project's annotated documents (those with spans), spread as `spread_sample` does.
pub(in crate::suggest) fn annotated_sample(
    project: &Project,
    budget: Option<usize>,
) -> Vec<&Document> {
    let docs: Vec<&Document> = project
        .documents
        .iter()
        .filter(|d| !d.spans.is_empty())
        .map(|d| &**d)
        .collect();
    spread_sample(docs, budget)
}

/// A sentence to learn from: tokens of `text` with a label index per token.
pub(super) struct Example {
    feats: Vec<[u32; NF]>,
    gold: Vec<u16>,
}

impl Tagger {
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
        let lexicon = options.lexicon();
        let docs = annotated_sample(project, options.max_training_chars);
        use rayon::prelude::*;
        let mut docs: Vec<DocData> = docs
            .par_iter()
            .map(|d| doc_data(d, &types, gazetteer.as_deref(), lexicon))
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
                lexicon,
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
                emissions(w, labels, &feats, &mut em);
                viterbi(tw, labels, &em, &mut path, &mut lattice);
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
            lexicon,
        })
    }
}

/// Sentences per block when the training sentences are split into two halves (alternating
/// blocks, so each half covers the whole corpus).
pub(super) const FOLD_BLOCK: usize = 64;

pub(super) fn average(a: &[f32], b: &[f32]) -> Vec<f32> {
    a.iter().zip(b).map(|(x, y)| 0.5 * (x + y)).collect()
}

/// Fisher-Yates with xorshift: a deterministic shuffle between epochs.
pub(super) fn shuffle(order: &mut [usize], rng: &mut u64) {
    for i in (1..order.len()).rev() {
        *rng ^= *rng << 13;
        *rng ^= *rng >> 7;
        *rng ^= *rng << 17;
        order.swap(i, (*rng % (i as u64 + 1)) as usize);
    }
}

/// Trains an averaged perceptron; returns (weights, transitions).
pub(super) fn perceptron(
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
        shuffle(&mut order, &mut rng);
        for &e in &order {
            let ex = &examples[e];
            let n = ex.gold.len();
            emissions(&w, labels, &ex.feats, &mut em);
            viterbi(&tw, labels, &em, &mut path, &mut lattice);
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

/// Training sentences of a document: BIO labels from its spans (the longest span wins where
/// spans overlap; tokens only partly inside a span are O).
pub(super) fn doc_data(
    d: &Document,
    types: &[String],
    gazetteer: Option<&Gazetteer>,
    lexicon: Lexicon,
) -> DocData {
    let prep = prepare(&d.text, gazetteer, lexicon);
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
pub(super) struct DocData {
    info: Vec<TokenInfo>,
    sentences: Vec<std::ops::Range<usize>>,
    gold: Vec<u16>,
}
