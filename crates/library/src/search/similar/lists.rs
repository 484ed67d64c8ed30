//! An inverted-file index (IVF) over the similar-sound vectors: the library's sounds cut into
//! lists of about a thousand neighbours each by k-means, so that a query scores the lists'
//! centres, then only the sounds of the nearest lists, exactly.
//!
//! Why lists and not a graph (HNSW): the index is rebuilt whenever the library has changed
//! since the last query, from vectors already in memory, on a 2-core laptop. Two-level k-means
//! over a million 770-d rows is a few ·10¹¹ multiply-adds (seconds); inserting a million rows
//! into an HNSW graph costs a few thousand distance evaluations each, an order of magnitude
//! more, and its graph a few hundred bytes a sound. The index lays its rows out in list order,
//! so a list is a range of rows (a few bytes a list, none a sound) read front to back, and
//! the query keeps the exact score of the full scan for every candidate it looks at: an
//! aspect's weights only choose which lists to open, so every aspect shares one index.
//!
//! Each row is the concatenation of its parts (the aisfx and musicnn embeddings, the DSP
//! figures, the category distribution, the tempo), each unit length or zero, so that all
//! parts weigh alike in the clustering and a query can weigh them as its aspect does. (Lists
//! cut by one aspect's weights were tried: on the bench's library, timbre lists cut without
//! the groove found fewer of the timbre neighbours, and rhythm lists no more of the rhythm
//! ones, than lists cut by every part.)

use rayon::prelude::*;

use super::dot;

/// How many parts a row has: the aisfx and musicnn embeddings, the DSP figures, the
/// category distribution, the tempo (as a point on a circle: ×2 and ÷2 are one groove).
pub(super) const PARTS: usize = 5;

/// Lloyd iterations of each k-means.
/// Lloyd iterations of each k-means: 4 found as many neighbours as 8 at a million sounds.
const ITERATIONS: usize = 4;

/// Rows sampled per centre to train a k-means (the rest are only assigned).
/// Rows sampled per centre to train a k-means (the rest are only assigned). The sample is
/// what decides the lists' quality: at a million sounds, 48 a centre found 89 % of the
/// timbre neighbours, 200 found 96 %, every row (1,000) 98 %; the cost is the build's time.
const SAMPLE_PER_CENTRE: usize = 1_000;

/// The row-major vectors of each part (`data.len()` is rows × `dim`; an empty part has
/// `dim` 0).
#[derive(Debug, Clone, Copy)]
pub(super) struct Parts<'a> {
    pub data: [&'a [f32]; PARTS],
    pub dims: [usize; PARTS],
}

impl<'a> Parts<'a> {
    fn part(&self, p: usize, row: usize) -> &'a [f32] {
        let d = self.dims[p];
        &self.data[p][row * d..][..d]
    }

    fn width(&self) -> usize {
        self.dims.iter().sum()
    }

    /// `row` against the centre `c` (laid out as the parts, side by side).
    fn dot_centre(&self, row: usize, c: &[f32]) -> f32 {
        let mut at = 0;
        let mut sum = 0.0;
        for p in 0..PARTS {
            let d = self.dims[p];
            if d > 0 {
                sum += dot(self.part(p, row), &c[at..at + d]);
            }
            at += d;
        }
        sum
    }
}

/// The sounds cut into lists, each with its centre; the rows are laid out list by list.
#[derive(Debug, Clone, Default)]
pub(super) struct Lists {
    /// Each list's centre, the parts side by side (`width` floats each).
    centres: Vec<f32>,
    width: usize,
    dims: [usize; PARTS],
    /// List `c` is rows `starts[c]..starts[c + 1]` (one more start than lists).
    starts: Vec<u32>,
}

/// A deterministic sample of `want` of `rows` (all of them when there are fewer).
fn sample(rows: &[u32], want: usize, seed: u64) -> Vec<u32> {
    if rows.len() <= want {
        return rows.to_vec();
    }
    let mut s = seed | 1;
    let mut picked: Vec<u32> = (0..want)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            rows[(s % rows.len() as u64) as usize]
        })
        .collect();
    picked.sort_unstable();
    picked.dedup();
    picked
}

/// The nearest of `centres` to `row` (squared distance: the largest `x·c - |c|²/2`).
fn nearest(parts: &Parts<'_>, row: usize, centres: &[f32], half_norms: &[f32]) -> usize {
    let w = parts.width();
    let mut best = (0, f32::NEG_INFINITY);
    for (c, (centre, half)) in centres.chunks_exact(w).zip(half_norms).enumerate() {
        let s = parts.dot_centre(row, centre) - half;
        if s > best.1 {
            best = (c, s);
        }
    }
    best.0
}

/// Half each centre's squared length.
fn half_norms(parts: &Parts<'_>, centres: &[f32]) -> Vec<f32> {
    centres
        .chunks_exact(parts.width().max(1))
        .map(|c| dot(c, c) / 2.0)
        .collect()
}

/// `k` centres for `rows` by Lloyd's k-means, started from `k` of the rows.
fn train(parts: &Parts<'_>, rows: &[u32], k: usize, seed: u64) -> Vec<f32> {
    let w = parts.width();
    let start = sample(rows, k, seed);
    let mut centres = vec![0.0f32; start.len() * w];
    let put = |centres: &mut [f32], c: usize, row: usize| {
        let mut at = c * w;
        for p in 0..PARTS {
            let part = parts.part(p, row);
            centres[at..at + part.len()].copy_from_slice(part);
            at += parts.dims[p];
        }
    };
    for (c, &r) in start.iter().enumerate() {
        put(&mut centres, c, r as usize);
    }
    let k = start.len();
    for round in 0..ITERATIONS {
        let halves = half_norms(parts, &centres);
        let owner: Vec<usize> = rows
            .par_iter()
            .map(|&r| nearest(parts, r as usize, &centres, &halves))
            .collect();
        let mut sums = vec![0.0f32; k * w];
        let mut counts = vec![0u32; k];
        for (&r, &c) in rows.iter().zip(&owner) {
            counts[c] += 1;
            let mut at = c * w;
            for p in 0..PARTS {
                for (s, x) in sums[at..].iter_mut().zip(parts.part(p, r as usize)) {
                    *s += x;
                }
                at += parts.dims[p];
            }
        }
        for c in 0..k {
            if counts[c] == 0 {
                // An empty centre restarts on a row of its own (another sample each round).
                let again = sample(rows, 1, seed ^ (((round * k + c) as u64 + 1) << 7));
                if let Some(&r) = again.first() {
                    put(&mut centres, c, r as usize);
                }
                continue;
            }
            let n = counts[c] as f32;
            for (x, s) in centres[c * w..][..w].iter_mut().zip(&sums[c * w..][..w]) {
                *x = s / n;
            }
        }
    }
    centres
}

impl Lists {
    /// Cut the `rows` rows of `parts` into lists of about `per_list` each: `√k` groups by
    /// k-means, then each group into its share of the `k` lists (two levels: a row is
    /// compared with `2√k` centres, not `k`). Also returns the order to lay the rows out in
    /// (`order[j]` is the row that goes to place `j`), which the lists' ranges assume.
    pub(super) fn build(parts: &Parts<'_>, rows: usize, per_list: usize) -> (Self, Vec<u32>) {
        let w = parts.width();
        let k = rows.div_ceil(per_list.max(1)).max(1);
        let all: Vec<u32> = (0..rows as u32).collect();
        let k1 = (k as f64).sqrt().ceil() as usize;
        let top = train(
            parts,
            &sample(&all, k1 * SAMPLE_PER_CENTRE, 0x5A17),
            k1,
            0x1157,
        );
        let halves = half_norms(parts, &top);
        let owner: Vec<usize> = all
            .par_iter()
            .map(|&r| nearest(parts, r as usize, &top, &halves))
            .collect();
        let mut groups: Vec<Vec<u32>> = vec![Vec::new(); top.len() / w.max(1)];
        for (&r, &g) in all.iter().zip(&owner) {
            groups[g].push(r);
        }
        let mut lists = Lists {
            centres: Vec::new(),
            width: w,
            dims: parts.dims,
            starts: vec![0],
        };
        let mut order: Vec<u32> = Vec::with_capacity(rows);
        for (g, group) in groups.iter().enumerate() {
            if group.is_empty() {
                continue;
            }
            let share = ((k * group.len()) as f64 / rows as f64).round().max(1.0) as usize;
            let seed = 0xC1A5 + g as u64;
            let centres = train(
                parts,
                &sample(group, share * SAMPLE_PER_CENTRE, seed),
                share,
                seed,
            );
            let halves = half_norms(parts, &centres);
            let owner: Vec<usize> = group
                .par_iter()
                .map(|&r| nearest(parts, r as usize, &centres, &halves))
                .collect();
            let mut members = vec![Vec::new(); centres.len() / w.max(1)];
            for (&r, &c) in group.iter().zip(&owner) {
                members[c].push(r);
            }
            // A centre no row chose is dropped: it would only be opened for nothing.
            for (c, m) in members.into_iter().enumerate() {
                if !m.is_empty() {
                    lists.centres.extend_from_slice(&centres[c * w..][..w]);
                    order.extend_from_slice(&m);
                    lists.starts.push(order.len() as u32);
                }
            }
        }
        (lists, order)
    }

    /// How many lists.
    pub(super) fn len(&self) -> usize {
        self.starts.len() - 1
    }

    /// Bytes held: the centres and the lists' starts.
    pub(super) fn bytes(&self) -> usize {
        (self.centres.len() + self.starts.len()) * 4
    }

    /// The rows of the lists nearest `probe` (its parts, each empty or full length) by the
    /// part `weights` of an aspect, nearest lists first until at least `at_least` rows are
    /// taken: ranges of rows, ascending.
    pub(super) fn candidates(
        &self,
        probe: [&[f32]; PARTS],
        weights: [f32; PARTS],
        at_least: usize,
    ) -> Vec<std::ops::Range<u32>> {
        let mut scored: Vec<(f32, usize)> = self
            .centres
            .chunks_exact(self.width.max(1))
            .enumerate()
            .map(|(c, centre)| {
                let mut at = 0;
                let mut s = 0.0;
                for p in 0..PARTS {
                    let d = self.dims[p];
                    if weights[p] != 0.0 && probe[p].len() == d && d > 0 {
                        s += weights[p] * dot(probe[p], &centre[at..at + d]);
                    }
                    at += d;
                }
                (s, c)
            })
            .collect();
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut out = Vec::new();
        let mut taken = 0;
        for (_, c) in scored {
            if taken >= at_least {
                break;
            }
            let range = self.starts[c]..self.starts[c + 1];
            taken += range.len();
            out.push(range);
        }
        out.sort_unstable_by_key(|r| r.start);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_in_exactly_one_list_and_near_rows_share_one() {
        // Four tight clumps in 8-d: a list holds rows of one clump only.
        let dims = [8, 0, 0, 0, 0];
        let mut data = Vec::new();
        for i in 0..400 {
            let clump = i % 4;
            let mut v = [0.01 * (i % 7) as f32; 8];
            v[clump * 2] = 1.0;
            data.extend_from_slice(&v);
        }
        let parts = Parts {
            data: [&data, &[], &[], &[], &[]],
            dims,
        };
        let (lists, order) = Lists::build(&parts, 400, 100);
        let mut seen = order.clone();
        seen.sort_unstable();
        assert_eq!(seen, (0..400).collect::<Vec<u32>>());
        assert_eq!(lists.starts.last(), Some(&400));
        for c in 0..lists.len() {
            let m = &order[lists.starts[c] as usize..lists.starts[c + 1] as usize];
            assert!(m.iter().all(|&r| r % 4 == m[0] % 4), "a list mixes clumps");
        }
        // A probe at clump 2 opens its clump's lists first.
        let mut probe = [0.0f32; 8];
        probe[4] = 1.0;
        let got = lists.candidates([&probe, &[], &[], &[], &[]], [1.0, 0.0, 0.0, 0.0, 0.0], 50);
        let rows: Vec<u32> = got
            .iter()
            .flat_map(|r| order[r.start as usize..r.end as usize].iter().copied())
            .collect();
        assert!(
            !rows.is_empty() && rows.iter().all(|&r| r % 4 == 2),
            "{rows:?}"
        );
    }
}
