//! Waveform overviews: the lowest and highest sample of each column, for a face to draw a
//! sample's waveform without decoding it again (the store caches them per content).

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::decode::decode_mono;
use super::error::Result;

/// Longest stretch drawn: past ten minutes an overview says nothing more.
const MAX_SECONDS: f64 = 600.0;

/// A waveform overview of a mono mix.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Peaks {
    /// Lowest sample of each column, -1..=1.
    pub min: Vec<f32>,
    /// Highest sample of each column, -1..=1.
    pub max: Vec<f32>,
    /// Length of what was drawn, seconds.
    pub duration_s: f64,
}

/// The overview of `path` in `columns` columns (at least 1).
///
/// # Errors
/// As [`decode_mono`]: the file and the reason.
pub fn peaks(path: &Path, columns: usize) -> Result<Peaks> {
    let (info, mono) = decode_mono(path, Some(MAX_SECONDS))?;
    Ok(from_mono(&mono, info.sample_rate, columns))
}

/// The overview of mono samples at `rate`.
pub fn from_mono(mono: &[f32], rate: u32, columns: usize) -> Peaks {
    let columns = columns.max(1);
    let mut min = Vec::with_capacity(columns);
    let mut max = Vec::with_capacity(columns);
    for c in 0..columns {
        // Integer bounds so that every sample lands in exactly one column.
        let a = c * mono.len() / columns;
        let b = ((c + 1) * mono.len() / columns).max(a);
        let (lo, hi) = mono[a..b]
            .iter()
            .fold((0.0f32, 0.0f32), |(lo, hi), &x| (lo.min(x), hi.max(x)));
        min.push(lo.clamp(-1.0, 1.0));
        max.push(hi.clamp(-1.0, 1.0));
    }
    Peaks {
        min,
        max,
        duration_s: mono.len() as f64 / rate.max(1) as f64,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_hold_the_extremes_of_their_stretch() {
        // Silence, then a full-scale square burst in the last quarter.
        let mut x = vec![0.0f32; 4000];
        for (i, v) in x[3000..].iter_mut().enumerate() {
            *v = if i % 2 == 0 { 0.9 } else { -0.8 };
        }
        let p = from_mono(&x, 1000, 4);
        assert_eq!(p.min.len(), 4);
        assert_eq!(&p.max[..3], &[0.0, 0.0, 0.0]);
        assert_eq!((p.min[3], p.max[3]), (-0.8, 0.9));
        assert!((p.duration_s - 4.0).abs() < 1e-9);
    }

    #[test]
    fn more_columns_than_samples_still_gives_every_column() {
        let p = from_mono(&[0.5, -0.5], 2, 5);
        assert_eq!(p.max.len(), 5);
        assert!(p.max.contains(&0.5) && p.min.contains(&-0.5));
    }
}
