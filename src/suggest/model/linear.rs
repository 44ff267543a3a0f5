//! A multi-class averaged perceptron over hashed features, for classifiers that are not
//! sequences (the relation classifier over mention pairs); the hashing is the tagger's.

use super::features::{hash_bytes, mix};
use super::train::shuffle;

/// Hashes a feature (a name and its value) into a bucket of a 2^bits table.
pub(in crate::suggest) fn bucket(name: &str, value: &str, bits: u32) -> u32 {
    let h = mix(hash_bytes(name.as_bytes()), hash_bytes(value.as_bytes()));
    (h >> (64 - bits)) as u32
}

/// Weights of `classes` classes over 2^bits hashed features; class 0 is "none".
#[derive(Debug, Clone, PartialEq)]
pub(in crate::suggest) struct Linear {
    classes: usize,
    weights: Vec<f32>,
}

impl Linear {
    /// Trains on (feature buckets, class) examples for `epochs` shuffled passes
    /// (deterministic), averaging the weights over every step.
    pub(in crate::suggest) fn train(
        examples: &[(Vec<u32>, usize)],
        classes: usize,
        bits: u32,
        epochs: usize,
    ) -> Linear {
        let size = (1usize << bits) * classes;
        let mut w = vec![0f32; size];
        let mut acc = vec![0f32; size];
        let mut order: Vec<usize> = (0..examples.len()).collect();
        let mut rng: u64 = 0x5eed;
        let mut c: f32 = 1.0;
        let mut scores = vec![0f32; classes];
        for _ in 0..epochs {
            shuffle(&mut order, &mut rng);
            for &e in &order {
                let (feats, gold) = &examples[e];
                sum_rows(&w, classes, feats, &mut scores);
                let predicted = argmax(&scores);
                if predicted != *gold {
                    for &b in feats {
                        let base = b as usize * classes;
                        w[base + gold] += 1.0;
                        acc[base + gold] += c;
                        w[base + predicted] -= 1.0;
                        acc[base + predicted] -= c;
                    }
                }
                c += 1.0;
            }
        }
        for (x, a) in w.iter_mut().zip(&acc) {
            *x -= a / c;
        }
        Linear {
            classes,
            weights: w,
        }
    }

    /// The score of every class.
    pub(in crate::suggest) fn scores(&self, feats: &[u32]) -> Vec<f32> {
        let mut out = vec![0f32; self.classes];
        sum_rows(&self.weights, self.classes, feats, &mut out);
        out
    }
}

fn sum_rows(w: &[f32], classes: usize, feats: &[u32], out: &mut [f32]) {
    out.iter_mut().for_each(|x| *x = 0.0);
    for &b in feats {
        let row = &w[b as usize * classes..(b as usize + 1) * classes];
        for (o, x) in out.iter_mut().zip(row) {
            *o += x;
        }
    }
}

fn argmax(scores: &[f32]) -> usize {
    let mut best = 0;
    for (i, s) in scores.iter().enumerate() {
        if *s > scores[best] {
            best = i;
        }
    }
    best
}

/// Platt scaling: p = 1 / (1 + exp(-(a * margin + b))), fitted by gradient descent on the
/// log loss of held-out (margin, right) pairs, with Platt's smoothed targets so a handful of
/// examples cannot make it certain.
pub(in crate::suggest) fn fit_platt(points: &[(f32, bool)]) -> (f32, f32) {
    let pos = points.iter().filter(|p| p.1).count() as f32;
    let neg = points.len() as f32 - pos;
    let (hi, lo) = ((pos + 1.0) / (pos + 2.0), 1.0 / (neg + 2.0));
    let (mut a, mut b) = (1.0f32, 0.0f32);
    if points.is_empty() {
        return (a, b);
    }
    let n = points.len() as f32;
    for _ in 0..300 {
        let (mut ga, mut gb) = (0.0f32, 0.0f32);
        for &(m, right) in points {
            let p = sigmoid(a * m + b);
            let t = if right { hi } else { lo };
            ga += (p - t) * m;
            gb += p - t;
        }
        a -= 0.5 * ga / n;
        b -= 0.5 * gb / n;
    }
    (a, b)
}

pub(in crate::suggest) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn learns_separable_classes_and_calibrates_margins() {
        let f = |x: &str| bucket("w", x, 12);
        let examples: Vec<(Vec<u32>, usize)> = (0..20)
            .flat_map(|_| {
                [
                    (vec![f("a"), f("bias")], 1),
                    (vec![f("b"), f("bias")], 2),
                    (vec![f("c"), f("bias")], 0),
                ]
            })
            .collect();
        let m = Linear::train(&examples, 3, 12, 5);
        for (x, want) in [("a", 1), ("b", 2), ("c", 0)] {
            assert_eq!(argmax(&m.scores(&[f(x), f("bias")])), want, "{x}");
        }
        // Larger margins are right more often: the fitted slope is positive.
        let points: Vec<(f32, bool)> = (0..40).map(|i| (i as f32 / 10.0 - 2.0, i > 22)).collect();
        let (a, b) = fit_platt(&points);
        assert!(a > 0.0 && sigmoid(a * 2.0 + b) > 0.8 && sigmoid(-a * 2.0 + b) < 0.2);
    }
}
