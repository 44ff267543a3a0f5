//! Weight tables: the f32 rows training updates and the quantised, block-aligned i16 table
//! tagging reads.

use super::features::NF;

/// Labels per weight block of the tagging table.
pub(super) const LANES: usize = 16;

/// 16 quantised weights on a 32-byte boundary: one half cache line.
#[repr(C, align(32))]
#[derive(Clone, Copy)]
pub(super) struct Block([i16; LANES]);

/// Weights for tagging: the averaged weights quantised to i16 (summed exactly in i32), each
/// feature's row padded to whole aligned blocks. A lookup reads one block per 16 labels
/// (CoNLL's 9 labels: 32 bytes, never split across cache lines, where an f32 row is 36 bytes
/// and often split) and sums with a few SIMD adds.
pub(super) struct TagWeights {
    blocks: Vec<Block>,
    blocks_per_row: usize,
    /// A weight is its quantised value times `scale`.
    scale: f32,
}

impl TagWeights {
    pub(super) fn quantise(weights: &[f32], labels: usize) -> TagWeights {
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
    pub(super) fn emissions(&self, labels: usize, feats: &[[u32; NF]], out: &mut Vec<f32>) {
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
pub(super) fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint; it never faults and `x` is a valid reference anyway.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// Emission scores of every token (n x labels) from training-time weights.
pub(super) fn emissions(weights: &[f32], labels: usize, feats: &[[u32; NF]], out: &mut Vec<f32>) {
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
