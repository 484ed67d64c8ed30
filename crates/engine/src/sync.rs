//! Playing a sample in a project's tempo and key, as a producer auditions against a track.
//!
//! A loop is stretched so that it spans the same whole number of bars at the project's
//! tempo (a 120 BPM 4-bar loop plays 4 bars at 128), taking half or double time when that is
//! nearer (an 85 BPM loop fits a 170 project at 85, not stretched 2×), and shifted to the
//! project's key (a minor loop into a major project goes to the relative minor, so its notes
//! fit the scale), by at most a tritone either way. A one-shot with a root note moves to the
//! nearest note of the project's scale, or to a note the producer picks, its length kept.
//! What cannot be synced plays as it is, and [`SyncPlan::notes`] says why.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::analysis::key_name::{normalise, tonic_and_mode};
use crate::analysis::pitch::{midi_of, note_name};
use crate::analysis::Analysis;
use crate::audio::decode::{decode_file, Planes};
use crate::audio::encode::{self, Encoding};
use crate::audio::resample_mono;
use crate::audio::stretch::{self, Stretch, DURATIONS, MAX_SEMITONES, RATES};

/// Slowest and fastest project tempo, BPM.
pub const BPM_RANGE: std::ops::RangeInclusive<f32> = 20.0..=400.0;

/// Most samples a synced render reads from its source, over all channels: two minutes of
/// stereo at 48 kHz (a render is a loop or a one-shot to drag into a track, and the API
/// answers with the whole file).
const MAX_RENDER_SAMPLES: usize = 120 * 48_000 * 2;

/// The rate a render is made at when the stretcher does not take the file's own.
const FALLBACK_RATE: u32 = 48_000;

/// A loop's length may differ from its bars by this share before its tempo reading is
/// taken as it is rather than rounded to whole bars (a tempo reading that does not fit the
/// length is not one to build a grid on).
const BAR_FIT_TOLERANCE: f64 = 0.06;

/// The `[project]` section of `config.toml`: the track the producer is working on.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(default, deny_unknown_fields)]
pub struct Project {
    /// Tempo, BPM.
    pub bpm: Option<f32>,
    /// Key, `"F minor"` (any spelling [`normalise`] reads).
    pub key: Option<String>,
    /// Whether audition follows the tempo and key.
    pub sync: bool,
}

impl Project {
    /// A project at `bpm` and `key`, synced.
    pub fn new(bpm: Option<f32>, key: Option<&str>) -> Self {
        Self {
            bpm,
            key: key.map(str::to_string),
            sync: true,
        }
    }

    /// Refuse a tempo outside [`BPM_RANGE`] or a key no spelling reads.
    ///
    /// # Errors
    /// A message naming the field.
    pub fn check(&self) -> Result<(), String> {
        if let Some(b) = self.bpm {
            if !b.is_finite() || !BPM_RANGE.contains(&b) {
                return Err(format!(
                    "project tempo {b} BPM is outside {}..{}",
                    BPM_RANGE.start(),
                    BPM_RANGE.end()
                ));
            }
        }
        if let Some(k) = &self.key {
            if normalise(k).is_none() {
                return Err(format!("project key {k:?} is not a key (try \"F minor\")"));
            }
        }
        Ok(())
    }
}

/// How one sample plays in a project.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SyncPlan {
    /// The change to make; `None` plays it as it is.
    pub stretch: Option<Stretch>,
    /// The tempo it plays at, BPM (loops with a tempo).
    pub bpm: Option<f32>,
    /// The bars it spans (loops with a tempo).
    pub bars: Option<f32>,
    /// The key it plays in (loops with a key), canonical spelling.
    pub key: Option<String>,
    /// The note it plays at (one-shots with a root note), `"C3"`.
    pub note: Option<String>,
    /// Why a part plays as it is: "no tempo reading", ...
    pub notes: Vec<String>,
}

/// How one sample plays in the project, as every face shows it (the app's status line, the
/// API's `/sync`): a [`SyncPlan`] with its stretch spelled out.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SyncView {
    /// Whether it is stretched or shifted at all.
    pub changed: bool,
    /// Output length over the file's length.
    pub duration_ratio: f64,
    /// Pitch shift, semitones.
    pub semitones: f64,
    /// The tempo it plays at, BPM (loops with a tempo).
    pub bpm: Option<f32>,
    /// The bars it spans (loops with a tempo).
    pub bars: Option<f32>,
    /// The key it plays in (loops with a key).
    pub key: Option<String>,
    /// The note it plays at (one-shots with a root note).
    pub note: Option<String>,
    /// Why a part plays as it is.
    pub notes: Vec<String>,
}

impl From<&SyncPlan> for SyncView {
    fn from(p: &SyncPlan) -> Self {
        let s = p.stretch.unwrap_or(Stretch::NONE);
        Self {
            changed: p.stretch.is_some(),
            duration_ratio: s.duration,
            semitones: s.semitones,
            bpm: p.bpm,
            bars: p.bars,
            key: p.key.clone(),
            note: p.note.clone(),
            notes: p.notes.clone(),
        }
    }
}

/// How to play a sample of analysis `a` (with the user's corrections on top) in `project`;
/// `to_note` picks a one-shot's note (MIDI) in place of the scale's nearest.
pub fn plan(a: &Analysis, project: &Project, to_note: Option<u8>) -> SyncPlan {
    let mut p = SyncPlan::default();
    if !project.sync {
        return p;
    }
    let (duration, semitones) = if a.is_loop {
        (
            loop_duration(a, project, &mut p),
            loop_shift(a, project, &mut p),
        )
    } else {
        (1.0, one_shot_shift(a, project, to_note, &mut p))
    };
    let s = Stretch {
        duration,
        semitones,
    };
    p.stretch = (!s.is_identity()).then_some(s);
    p
}

/// Output length over source length for a loop, filling in the tempo and bars it plays at.
fn loop_duration(a: &Analysis, project: &Project, p: &mut SyncPlan) -> f64 {
    let Some(target) = project.bpm.filter(|b| BPM_RANGE.contains(b)) else {
        return 1.0;
    };
    let Some(bpm) = a.bpm.filter(|b| b.is_finite() && *b > 0.0) else {
        p.notes
            .push("no tempo reading: plays at its own tempo".into());
        return 1.0;
    };
    let (bpm, target, length) = (bpm as f64, target as f64, a.duration_s);
    // Half or double the project's tempo when it is nearer the loop's own.
    let plays_at = [target / 2.0, target, target * 2.0]
        .into_iter()
        .min_by(|x, y| (x / bpm).ln().abs().total_cmp(&(y / bpm).ln().abs()))
        .unwrap_or(target);
    let beats = length * bpm / 60.0;
    let bars = (beats / 4.0).round();
    let whole = if bars >= 1.0 {
        bars * 4.0
    } else {
        beats.round().max(1.0)
    };
    let duration = if length > 0.0 && (beats - whole).abs() <= whole * BAR_FIT_TOLERANCE {
        // The same bars at the new tempo, exactly, so that it loops on the grid.
        whole * 60.0 / plays_at / length
    } else {
        bpm / plays_at
    };
    if !DURATIONS.contains(&duration) {
        p.notes.push(format!(
            "{bpm:.0} BPM is too far from {target:.0}: plays at its own tempo"
        ));
        return 1.0;
    }
    p.bpm = Some(plays_at as f32);
    p.bars = Some((length * duration * plays_at / 240.0) as f32);
    duration
}

/// What sync needs to know of the file at `path`: the library's record with the user's
/// corrections when the library has it, else a fresh analysis (DSP only, a fraction of a
/// second for a sample).
///
/// # Errors
/// The file cannot be decoded; the message names it.
pub fn analysis_of(
    lib: Option<&crate::Library>,
    path: &std::path::Path,
) -> Result<Analysis, String> {
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let stored = lib.and_then(|lib| {
        let entry = lib.path_entry(&canonical).ok()??;
        lib.sample(&entry.hash).ok()?
    });
    if let Some(rec) = stored {
        return Ok(rec.corrected());
    }
    crate::analysis::analyse_file(path, &crate::analysis::pipeline::AnalysisOptions::default())
        .map(|a| a.analysis)
        .map_err(|e| e.to_string())
}

/// Where the render of what is heard of the sample with content hash `hash` (hex) from
/// `path` goes for dragging out: `$SAMPLEMIND_HOME/synced/<hash prefix> <stretch>/<stem>
/// <tempo> <key or note> <region>.wav`, so a DAW shows what it is, two files with one name
/// never meet, and a render made before a correction of the tempo (the same project, another
/// stretch) is not served again.
pub fn rendered_path(
    path: &Path,
    hash: &str,
    plan: &SyncPlan,
    region: Option<(f64, f64)>,
) -> PathBuf {
    let stem = path
        .file_stem()
        .map_or_else(|| "sample".into(), |s| s.to_string_lossy().into_owned());
    let mut name = stem;
    if plan.stretch.is_some() {
        if let Some(bpm) = plan.bpm {
            name.push_str(&format!(" {bpm:.0}bpm"));
        }
        if let Some(k) = plan.key.as_ref().or(plan.note.as_ref()) {
            name.push(' ');
            name.push_str(&k.replace('#', "s"));
        }
    }
    if let Some((a, b)) = region {
        name.push_str(&format!(" {a:.2}-{b:.2}s"));
    }
    let mut prefix: String = hash
        .chars()
        .filter(char::is_ascii_hexdigit)
        .take(12)
        .collect();
    if let Some(s) = plan.stretch {
        prefix.push_str(&format!(" {:.6}x {:+.2}st", s.duration, s.semitones));
    }
    crate::config::home_dir()
        .join("synced")
        .join(prefix)
        .join(format!("{name}.wav"))
}

/// Render the file at `path` as it is heard: only `region` of it (seconds) when given,
/// changed as `how` says when given, to a 24-bit WAV at `out` (at the file's own rate, or 48
/// kHz when the stretcher does not take that rate; stretched, more than two channels are
/// folded to two). The source is never touched.
///
/// # Errors
/// A sentence naming the file: it cannot be decoded, is too long, or cannot be written.
pub fn render(
    path: &Path,
    how: Option<Stretch>,
    region: Option<(f64, f64)>,
    out: &Path,
) -> Result<(), String> {
    let named = |e: String| format!("{}: {e}", path.display());
    let mut sound = Planes::up_to(MAX_RENDER_SAMPLES);
    let summary = decode_file(path, &mut sound).map_err(|e| e.to_string())?;
    if sound.cut {
        return Err(named("too long to render".into()));
    }
    let mut rate = summary.info.sample_rate;
    let mut planes = sound.planes;
    if let Some((a, b)) = region {
        let frames = planes.first().map_or(0, Vec::len);
        let at = |s: f64| ((s.max(0.0) * rate as f64) as usize).min(frames);
        let (lo, hi) = (at(a.min(b)), at(a.max(b)));
        if lo >= hi {
            return Err(named("its selected part lies past its end".into()));
        }
        for p in &mut planes {
            p.truncate(hi);
            p.drain(..lo);
        }
    }
    let planes = match how.filter(|h| !h.is_identity()) {
        Some(how) => {
            if !RATES.contains(&rate) {
                planes = planes
                    .iter()
                    .map(|p| resample_mono(p, rate, FALLBACK_RATE))
                    .collect::<Result<_, _>>()
                    .map_err(named)?;
                rate = FALLBACK_RATE;
            }
            stretch::stretch_planes(&planes, rate, how).map_err(named)?
        }
        None => planes,
    };
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    // Written aside and renamed, so a DAW never picks up half a file and a render that
    // fails leaves nothing.
    let part = out.with_extension("part.wav");
    encode::write(&part, &planes, rate, 24, Encoding::Wav).map_err(|e| named(e.to_string()))?;
    std::fs::rename(&part, out).map_err(|e| {
        let _ = std::fs::remove_file(&part);
        format!("{}: {e}", out.display())
    })
}

/// `d` semitones folded to -6..=5: the shorter way round.
fn shortest(d: i32) -> i32 {
    (d + 6).rem_euclid(12) - 6
}

/// Semitones that move a loop's key onto the project's (same mode) or its relative.
fn loop_shift(a: &Analysis, project: &Project, p: &mut SyncPlan) -> f64 {
    let Some((tonic, minor)) = project.key.as_deref().and_then(tonic_and_mode) else {
        return 0.0;
    };
    let Some((from, from_minor)) = a.key.as_deref().and_then(tonic_and_mode) else {
        p.notes
            .push("no key reading: plays at its own pitch".into());
        return 0.0;
    };
    let to = match (minor, from_minor) {
        // A minor sound into a major project: its relative minor, three below.
        (false, true) => tonic - 3,
        (true, false) => tonic + 3,
        _ => tonic,
    };
    let d = shortest(to - from);
    p.key = Some(format!(
        "{} {}",
        crate::analysis::key_name::TONICS[to.rem_euclid(12) as usize],
        if from_minor { "minor" } else { "major" }
    ));
    d as f64
}

/// Scale degrees of a major and a natural minor scale.
const MAJOR: [i32; 7] = [0, 2, 4, 5, 7, 9, 11];
const MINOR: [i32; 7] = [0, 2, 3, 5, 7, 8, 10];

/// Semitones that move a one-shot's root note to `to_note`, else to the project scale's
/// nearest note (down on a tie: a sample sounds more natural lowered than raised).
fn one_shot_shift(a: &Analysis, project: &Project, to_note: Option<u8>, p: &mut SyncPlan) -> f64 {
    let key = project.key.as_deref().and_then(tonic_and_mode);
    if to_note.is_none() && key.is_none() {
        return 0.0;
    }
    let Some(root) = a.root_note.as_deref().and_then(midi_of) else {
        p.notes.push("no root note: plays at its own pitch".into());
        return 0.0;
    };
    let root = root as i32;
    let d = match (to_note, key) {
        (Some(n), _) => n as i32 - root,
        (None, Some((tonic, minor))) => {
            let scale = if minor { &MINOR } else { &MAJOR };
            [0, -1, 1, -2, 2]
                .into_iter()
                .find(|d| scale.contains(&(root + d - tonic).rem_euclid(12)))
                .unwrap_or(0)
        }
        (None, None) => 0,
    };
    if d.unsigned_abs() as f64 > MAX_SEMITONES {
        p.notes.push(format!(
            "{} is more than two octaves from its root: plays at its own pitch",
            note_name((root + d).clamp(0, 127) as u8)
        ));
        return 0.0;
    }
    p.note = Some(note_name((root + d).clamp(0, 127) as u8));
    d as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn a_loop(bpm: Option<f32>, key: Option<&str>, seconds: f64) -> Analysis {
        Analysis {
            is_loop: true,
            bpm,
            key: key.map(str::to_string),
            duration_s: seconds,
            ..Analysis::default()
        }
    }

    fn a_one_shot(root: Option<&str>) -> Analysis {
        Analysis {
            root_note: root.map(str::to_string),
            duration_s: 1.0,
            ..Analysis::default()
        }
    }

    #[test]
    fn a_120_bpm_four_bar_loop_plays_four_bars_at_128_in_the_project_key() {
        let p = plan(
            &a_loop(Some(119.7), Some("Am"), 8.0),
            &Project::new(Some(128.0), Some("F minor")),
            None,
        );
        let s = p.stretch.unwrap();
        // Four bars at 128 BPM last 7.5 s, whatever the reading's small error.
        assert!((s.duration * 8.0 - 7.5).abs() < 1e-9, "{s:?}");
        assert_eq!(s.semitones, -4.0);
        assert_eq!(p.bars, Some(4.0));
        assert_eq!(p.key.as_deref(), Some("F minor"));
        assert!(p.notes.is_empty());
    }

    #[test]
    fn half_time_and_the_relative_key_are_taken_when_nearer() {
        let p = plan(
            &a_loop(Some(85.0), Some("C major"), 60.0 / 85.0 * 8.0),
            &Project::new(Some(172.0), Some("A minor")),
            None,
        );
        assert_eq!(p.bpm, Some(86.0));
        // C major is A minor's relative major: no shift.
        assert_eq!(p.stretch.unwrap().semitones, 0.0);
        assert_eq!(p.key.as_deref(), Some("C major"));
        // Into a major project a minor loop goes to the relative minor: E minor for G major.
        let p = plan(
            &a_loop(None, Some("A minor"), 4.0),
            &Project::new(Some(120.0), Some("G")),
            None,
        );
        assert_eq!(p.stretch.unwrap().semitones, -5.0);
        assert_eq!(p.key.as_deref(), Some("E minor"));
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
    }

    #[test]
    fn what_has_no_reading_plays_as_it_is_and_says_why() {
        let p = plan(
            &a_loop(None, None, 4.0),
            &Project::new(Some(128.0), Some("F minor")),
            None,
        );
        assert_eq!(p.stretch, None);
        assert_eq!(p.notes.len(), 2);
        let p = plan(
            &a_one_shot(None),
            &Project::new(Some(128.0), Some("F minor")),
            None,
        );
        assert_eq!(p.stretch, None);
        assert!(p.notes[0].contains("no root note"));
        // Sync off: nothing changes, and nothing to explain.
        let mut off = Project::new(Some(128.0), Some("F minor"));
        off.sync = false;
        assert_eq!(
            plan(&a_loop(Some(120.0), None, 8.0), &off, None),
            SyncPlan::default()
        );
    }

    #[test]
    fn a_one_shot_moves_to_the_nearest_scale_note_or_the_chosen_one() {
        let project = Project::new(Some(128.0), Some("F minor"));
        // A is not in F minor; Ab (down) and Bb (up) are both a semitone off: down wins.
        let p = plan(&a_one_shot(Some("A2")), &project, None);
        assert_eq!(p.stretch.unwrap().semitones, -1.0);
        assert_eq!(p.stretch.unwrap().duration, 1.0);
        assert_eq!(p.note.as_deref(), Some("G#2"));
        // C is in F minor: it stays.
        assert_eq!(plan(&a_one_shot(Some("C3")), &project, None).stretch, None);
        let p = plan(&a_one_shot(Some("A2")), &project, midi_of("C3"));
        assert_eq!(p.stretch.unwrap().semitones, 3.0);
        assert_eq!(p.note.as_deref(), Some("C3"));
        let p = plan(&a_one_shot(Some("A0")), &project, midi_of("C8"));
        assert_eq!(p.stretch, None);
        assert_eq!(p.notes.len(), 1);
    }

    #[test]
    fn a_loop_too_far_from_the_project_plays_at_its_own_tempo() {
        // 3 bars at 60 BPM into 200: double time is 120, still 2× too fast.
        let p = plan(
            &a_loop(Some(60.0), None, 12.0),
            &Project::new(Some(200.0), None),
            None,
        );
        assert_eq!(p.bpm, Some(200.0 / 2.0));
        let far = plan(
            &a_loop(Some(30.0), None, 8.0),
            &Project::new(Some(400.0), None),
            None,
        );
        assert_eq!(far.stretch, None);
        assert!(far.notes[0].contains("too far"), "{:?}", far.notes);
    }

    #[test]
    fn a_render_is_named_by_what_is_heard_and_a_new_stretch_is_a_new_file() {
        let project = Project::new(Some(128.0), Some("F minor"));
        let path = Path::new("/packs/Loop Am.wav");
        let at = |bpm| {
            rendered_path(
                path,
                "ab12",
                &plan(&a_loop(Some(bpm), Some("Am"), 8.0), &project, None),
                None,
            )
        };
        let p = at(120.0);
        assert_eq!(p.file_name().unwrap(), "Loop Am 128bpm F minor.wav");
        // Corrected to 100 BPM, the loop is stretched otherwise: same name, not the same file.
        let corrected = at(100.0);
        assert_eq!(corrected.file_name(), p.file_name());
        assert_ne!(corrected, p);
        let whole = rendered_path(path, "ab12", &SyncPlan::default(), Some((0.5, 1.25)));
        assert_eq!(whole.file_name().unwrap(), "Loop Am 0.50-1.25s.wav");
    }

    #[test]
    fn a_project_is_checked() {
        assert!(Project::new(Some(128.0), Some("F#m")).check().is_ok());
        assert!(Project::new(Some(0.0), None).check().is_err());
        assert!(Project::new(Some(f32::NAN), None).check().is_err());
        assert!(Project::new(None, Some("purple")).check().is_err());
    }
}
