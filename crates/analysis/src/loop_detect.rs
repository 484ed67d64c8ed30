//! Loop or one-shot, v1: a loop keeps sounding to its end and has hits spread through it; a
//! one-shot is one event that decays. The musical-analysis work refines this with tempo.

/// What the loop decision looks at.
pub struct LoopEvidence<'a> {
    /// Full length of the file.
    pub duration_s: f64,
    /// Onset times, seconds.
    pub onset_times: &'a [f64],
    /// Level per analysis frame, dBFS.
    pub frame_db: &'a [f32],
}

/// Loops are at least this long; shorter sounds are one-shots.
const MIN_LOOP_S: f64 = 1.0;

/// Whether the evidence describes a loop.
pub fn is_loop(e: &LoopEvidence<'_>) -> bool {
    if e.duration_s < MIN_LOOP_S || e.onset_times.len() < 3 || e.frame_db.is_empty() {
        return false;
    }
    // Hits must continue into the second half, not just ring out from the start.
    let late = e
        .onset_times
        .iter()
        .filter(|&&t| t > 0.5 * e.duration_s)
        .count();
    if late == 0 {
        return false;
    }
    // A loop's end is not a fade to silence: compare the last 10 % with the loudest 10 %.
    let n = e.frame_db.len();
    let tail_n = ((0.1 * n as f64).ceil() as usize).max(1);
    let energy = |db: &f32| 10f64.powf(*db as f64 / 10.0);
    let tail = e.frame_db[n - tail_n..].iter().map(energy).sum::<f64>() / tail_n as f64;
    let mut sorted: Vec<f64> = e.frame_db.iter().map(energy).collect();
    sorted.sort_by(|a, b| b.total_cmp(a));
    let body = sorted[..tail_n].iter().sum::<f64>() / tail_n as f64;
    let sounding_to_the_end = body > 0.0 && tail / body > 10f64.powf(-30.0 / 10.0);
    // A sparse loop (a click, a hit every beat) ends in near-silence, but its last hit is
    // no further from the end than hits are from each other: the next bar would start there.
    let mut iois: Vec<f64> = e.onset_times.windows(2).map(|w| w[1] - w[0]).collect();
    iois.sort_by(f64::total_cmp);
    let median_ioi = iois[(iois.len() - 1) / 2]; // lower median: the typical spacing
    let end_gap = e.duration_s - e.onset_times.last().copied().unwrap_or(0.0);
    let rhythmic_to_the_end = end_gap <= 1.5 * median_ioi;
    sounding_to_the_end || rhythmic_to_the_end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decaying_hit_is_a_one_shot_and_steady_hits_are_a_loop() {
        let decaying: Vec<f32> = (0..300).map(|i| -6.0 - i as f32 * 0.3).collect();
        let one = LoopEvidence {
            duration_s: 3.0,
            onset_times: &[0.0, 0.2, 1.6],
            frame_db: &decaying,
        };
        assert!(!is_loop(&one));
        let steady: Vec<f32> = (0..400)
            .map(|i| if i % 50 < 10 { -6.0 } else { -30.0 })
            .collect();
        let onsets: Vec<f64> = (0..8).map(|i| i as f64 * 0.5).collect();
        let lp = LoopEvidence {
            duration_s: 4.0,
            onset_times: &onsets,
            frame_db: &steady,
        };
        assert!(is_loop(&lp));
    }
}
