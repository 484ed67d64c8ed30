//! A processed copy: the sound decoded, its silence trimmed, its loudness brought to a
//! target, and written as WAV or FLAC. The original is only read.
//!
//! Trimming is for one-shots only: a loop's length is its tempo (so many beats), and cutting
//! its head or tail would put it off the grid in the DAW it is dragged into.

use std::path::Path;

use samplemind_analysis::loudness::LoudnessMeter;
use samplemind_audio::decode::{decode_file, Planes, StreamInfo};
use samplemind_audio::encode::{self, Encoding};

use crate::curation::Region;

/// What is done to a copy besides renaming it.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Processing {
    /// Cut leading and trailing silence (below [`TRIM_FLOOR_DB`]) from one-shots.
    #[serde(default)]
    pub trim: bool,
    /// Bring each copy to this integrated loudness, LUFS (peaks kept at or below
    /// [`PEAK_CEILING_DB`]).
    #[serde(default)]
    pub normalise_lufs: Option<f32>,
    /// Write every copy in this format; without it a processed copy keeps FLAC as FLAC and
    /// turns anything else into WAV, and an unprocessed copy is the file as it is.
    #[serde(default)]
    #[cfg_attr(feature = "specta", specta(type = Option<String>))]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "flac"))]
    pub format: Option<Encoding>,
    /// Write only the part of each sample its producer selected on the waveform (samples
    /// without one are copied whole).
    #[serde(default)]
    pub regions: bool,
}

/// Loudness targets a copy may be normalised to, LUFS.
pub const LUFS_TARGETS: std::ops::RangeInclusive<f32> = -40.0..=0.0;

/// Below this level (dBFS, on the loudest channel) a one-shot's head and tail count as
/// silence: under a 24-bit noise floor's audible part, above most recorders' hiss.
pub const TRIM_FLOOR_DB: f32 = -60.0;

/// A normalised copy's sample peak stays at or below this (dBFS): room for the inter-sample
/// peaks a lossy encode or a resampler adds later.
pub const PEAK_CEILING_DB: f32 = -1.0;

/// The most samples (frames × channels) a copy is processed with: 128 MiB of f32, six
/// minutes of stereo at 96 kHz. A longer file is named and not exported processed.
pub const MAX_SAMPLES: usize = 32 * 1024 * 1024;

/// Kept before the first sound when trimming: the attack's own lead-in.
const PRE_ROLL_S: f64 = 0.001;
/// Kept after the last sound, faded out, when trimming.
const TAIL_S: f64 = 0.010;

impl Processing {
    /// Whether nothing but a copy under a new name is asked for.
    pub fn is_plain(&self) -> bool {
        !self.trim && self.normalise_lufs.is_none() && self.format.is_none() && !self.regions
    }

    /// Check the asked loudness target.
    ///
    /// # Errors
    /// A sentence naming the field and the range.
    pub fn check(&self) -> Result<(), String> {
        match self.normalise_lufs {
            Some(l) if !l.is_finite() || !LUFS_TARGETS.contains(&l) => Err(format!(
                "normalise_lufs: {l} is outside {}..{} LUFS",
                LUFS_TARGETS.start(),
                LUFS_TARGETS.end()
            )),
            _ => Ok(()),
        }
    }

    /// The encoding a copy of `src` is written in, or `None` for the file copied as it is.
    pub fn encoding_for(&self, src: &Path, has_region: bool) -> Option<Encoding> {
        let ext = src
            .extension()
            .map(|e| e.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let own = match ext.as_str() {
            "wav" | "wave" => Some(Encoding::Wav),
            "flac" => Some(Encoding::Flac),
            _ => None,
        };
        let changed = self.trim || self.normalise_lufs.is_some() || (self.regions && has_region);
        match self.format {
            Some(f) if !changed && own == Some(f) => None,
            Some(f) => Some(f),
            None if changed => Some(own.unwrap_or(Encoding::Wav)),
            None => None,
        }
    }
}

/// What was done to one processed copy.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rendered {
    /// Seconds cut from the head and the tail.
    pub trimmed_s: f64,
    /// Gain applied, dB.
    pub gain_db: Option<f32>,
    /// Whether the peak ceiling held the gain below what the target asked.
    pub peak_limited: bool,
}

/// Decode `src`, process it as `p` asks and write it to `dst` in `encoding`.
///
/// # Errors
/// A sentence naming the file and the reason (decoding, length, encoding); nothing is left
/// at `dst` then.
pub fn render(
    src: &Path,
    dst: &Path,
    p: &Processing,
    is_loop: bool,
    region: Option<Region>,
    encoding: Encoding,
) -> Result<Rendered, String> {
    let mut sound = Planes::up_to(MAX_SAMPLES);
    let summary = decode_file(src, &mut sound).map_err(|e| e.to_string())?;
    if sound.cut {
        return Err(format!(
            "{}: too long to process (over {} samples); not exported",
            src.display(),
            MAX_SAMPLES
        ));
    }
    let info = summary.info;
    let mut planes = sound.planes;
    if planes.first().is_none_or(Vec::is_empty) {
        return Err(format!("{}: no audio to export", src.display()));
    }
    let mut done = Rendered::default();
    if let Some(r) = region.filter(|_| p.regions) {
        let at = |ms: u32| (ms as u64 * info.sample_rate as u64 / 1000) as usize;
        let frames = planes[0].len();
        let (a, b) = (at(r.start_ms).min(frames), at(r.end_ms).min(frames));
        if a >= b {
            return Err(format!(
                "{}: its selected part starts past its end; not exported",
                src.display()
            ));
        }
        for plane in &mut planes {
            plane.truncate(b);
            plane.drain(..a);
        }
    }
    if p.trim && !is_loop {
        let before = planes[0].len();
        trim(&mut planes, info.sample_rate);
        done.trimmed_s = (before - planes[0].len()) as f64 / f64::from(info.sample_rate);
    }
    if let Some(target) = p.normalise_lufs {
        let (gain, limited) = normalising_gain(&planes, info.sample_rate, target);
        if let Some(g) = gain {
            let k = 10f32.powf(g / 20.0);
            planes.iter_mut().flatten().for_each(|x| *x *= k);
        }
        done.gain_db = gain;
        done.peak_limited = limited;
    }
    encode::write(dst, &planes, info.sample_rate, bits_for(&info), encoding)
        .map_err(|e| format!("{}: {e}", src.display()))?;
    Ok(done)
}

/// 16-bit sources stay 16-bit; deeper, float and lossy sources become 24-bit.
fn bits_for(info: &StreamInfo) -> u16 {
    match info.bits_per_sample {
        Some(b) if b <= 16 => 16,
        _ => 24,
    }
}

/// Cut what lies below [`TRIM_FLOOR_DB`] at both ends, keeping a short lead-in (faded in)
/// and a short tail (faded out) so that no edge clicks. A sound that is silence throughout
/// is left whole.
fn trim(planes: &mut [Vec<f32>], rate: u32) {
    let floor = 10f32.powf(TRIM_FLOOR_DB / 20.0);
    let frames = planes[0].len();
    let loud = |i: usize| planes.iter().any(|p| p[i].abs() > floor);
    let Some(first) = (0..frames).find(|&i| loud(i)) else {
        return;
    };
    let last = (0..frames).rev().find(|&i| loud(i)).unwrap_or(first);
    let pre = (PRE_ROLL_S * f64::from(rate)) as usize;
    let tail = (TAIL_S * f64::from(rate)) as usize;
    let start = first.saturating_sub(pre);
    let end = (last + 1 + tail).min(frames);
    for p in planes.iter_mut() {
        p.truncate(end);
        p.drain(..start);
        let n = p.len();
        let fade_in = first - start;
        for (i, x) in p.iter_mut().take(fade_in).enumerate() {
            *x *= i as f32 / fade_in as f32;
        }
        let fade_out = (end - last - 1).min(n);
        for (i, x) in p.iter_mut().rev().take(fade_out).enumerate() {
            *x *= i as f32 / fade_out as f32;
        }
    }
}

/// The gain (dB) that brings the sound to `target` LUFS, held down so that its sample peak
/// stays at [`PEAK_CEILING_DB`]; `None` for silence (nothing to measure). The flag says
/// whether the ceiling held it.
fn normalising_gain(planes: &[Vec<f32>], rate: u32, target: f32) -> (Option<f32>, bool) {
    let mut meter = LoudnessMeter::new(planes.len(), rate);
    meter.add(planes, planes[0].len());
    let Some(lufs) = meter.finish().lufs else {
        return (None, false);
    };
    let peak = planes
        .iter()
        .flatten()
        .fold(0f32, |m, x| m.max(x.abs()))
        .max(f32::MIN_POSITIVE);
    let wanted = target - lufs;
    let room = PEAK_CEILING_DB - 20.0 * peak.log10();
    if wanted > room {
        (Some(room), true)
    } else {
        (Some(wanted), false)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn burst(rate: u32) -> Vec<Vec<f32>> {
        // 0.5 s of silence, 0.2 s of a decaying tone, 0.5 s of silence.
        let mut p = vec![0f32; rate as usize / 2];
        p.extend((0..rate as usize / 5).map(|i| {
            let t = i as f32 / rate as f32;
            0.8 * (-t * 10.0).exp() * (t * 220.0 * std::f32::consts::TAU).sin()
        }));
        p.extend(vec![0f32; rate as usize / 2]);
        vec![p.clone(), p]
    }

    #[test]
    fn trimming_keeps_the_sound_with_a_short_lead_in_and_tail() {
        let mut planes = burst(48_000);
        trim(&mut planes, 48_000);
        let n = planes[0].len();
        // The 0.2 s sound, plus at most 1 ms before and 10 ms after.
        assert!((9_600..=9_600 + 48 + 480).contains(&n), "{n} frames");
        assert_eq!(planes[0].last(), Some(&0.0));
        assert_eq!(planes[0][0], 0.0);
        let mut silent = vec![vec![0f32; 1000]];
        trim(&mut silent, 48_000);
        assert_eq!(silent[0].len(), 1000, "silence is left whole");
    }

    #[test]
    fn normalising_reaches_the_target_unless_the_peak_ceiling_holds_it() {
        let rate = 48_000;
        let quiet: Vec<Vec<f32>> = vec![(0..rate)
            .map(|i| 0.05 * (i as f32 * 440.0 * std::f32::consts::TAU / rate as f32).sin())
            .collect()];
        let (g, limited) = normalising_gain(&quiet, rate as u32, -20.0);
        let g = g.unwrap();
        let mut after = quiet.clone();
        let k = 10f32.powf(g / 20.0);
        after[0].iter_mut().for_each(|x| *x *= k);
        let mut m = LoudnessMeter::new(1, rate as u32);
        m.add(&after, after[0].len());
        let lufs = m.finish().lufs.unwrap();
        assert!(!limited);
        assert!((lufs - -20.0).abs() < 0.1, "{lufs} LUFS");
        // Asking for 0 LUFS of a sine at -26 dBFS would clip: the ceiling holds it at -1 dBFS.
        let (g, limited) = normalising_gain(&quiet, rate as u32, 0.0);
        assert!(limited);
        let peak = 0.05 * 10f32.powf(g.unwrap() / 20.0);
        assert!((20.0 * peak.log10() - PEAK_CEILING_DB).abs() < 0.01);
        assert_eq!(
            normalising_gain(&[vec![0.0; 1000]], 48_000, -14.0),
            (None, false)
        );
    }

    #[test]
    fn the_encoding_follows_the_source_unless_one_is_asked() {
        let plain = Processing::default();
        let trim = Processing {
            trim: true,
            ..plain
        };
        let to_flac = Processing {
            format: Some(Encoding::Flac),
            ..plain
        };
        let to_wav = Processing {
            format: Some(Encoding::Wav),
            ..plain
        };
        let p = |s: &str| Path::new(s).to_path_buf();
        assert_eq!(plain.encoding_for(&p("a.mp3"), false), None);
        assert_eq!(trim.encoding_for(&p("a.mp3"), false), Some(Encoding::Wav));
        assert_eq!(trim.encoding_for(&p("a.flac"), false), Some(Encoding::Flac));
        assert_eq!(
            to_flac.encoding_for(&p("a.wav"), false),
            Some(Encoding::Flac)
        );
        assert_eq!(
            to_wav.encoding_for(&p("a.WAV"), false),
            None,
            "already WAV: copied"
        );
        // Regions: only a sample that has one is cut (and so written anew).
        let regions = Processing {
            regions: true,
            ..plain
        };
        assert_eq!(regions.encoding_for(&p("a.mp3"), true), Some(Encoding::Wav));
        assert_eq!(
            regions.encoding_for(&p("a.flac"), true),
            Some(Encoding::Flac)
        );
        assert_eq!(regions.encoding_for(&p("a.mp3"), false), None);
        assert!(Processing {
            normalise_lufs: Some(6.0),
            ..plain
        }
        .check()
        .is_err());
    }
}
