//! Synced audition's stretcher, judged by ear's proxy: loops stretched ±10 % in tempo and
//! shifted ±3 semitones, each render read back by the analyser a scan uses (does it still
//! read at the new tempo, in the new key?), and the wall time per render (file in, file
//! out). The peer is Rubber Band (its `rubberband` CLI, R3 "fine" engine), the reference
//! stretcher of open-source audio tools, on the same files in the same run.
//!
//! The reference of each loop is its label (the eval corpus's `labels.csv`) where there is
//! one, else what the analyser reads of the untouched loop; the untouched loops' own score
//! is printed beside, so a miss of the analyser is not charged to the stretcher.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::Serialize;

use samplemind_engine::analysis::key_name::tonic_and_mode;
use samplemind_engine::analysis::{analyse_file, AnalysisOptions};
use samplemind_engine::audio::decode::{decode_file, Planes};
use samplemind_engine::audio::encode::{self, Encoding};
use samplemind_engine::audio::stretch::{self, Stretch, RATES};

/// Tempo reads right within this share of the reference (MIREX's Acc1 tolerance).
const TEMPO_TOLERANCE: f64 = 0.04;

/// Most samples a loop of the benchmark may hold (over all channels).
const MAX_SAMPLES: usize = 60 * 48_000 * 2;

/// One change applied to every loop.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Case {
    /// Output tempo over source tempo.
    pub tempo: f64,
    /// Pitch shift, semitones.
    pub semitones: i32,
}

/// The four changes the issue asks for: ±10 % tempo, ±3 semitones.
pub const CASES: [Case; 4] = [
    Case {
        tempo: 1.1,
        semitones: 0,
    },
    Case {
        tempo: 0.9,
        semitones: 0,
    },
    Case {
        tempo: 1.0,
        semitones: 3,
    },
    Case {
        tempo: 1.0,
        semitones: -3,
    },
];

/// How one stretcher did over every loop and case.
#[derive(Debug, Default, Clone, Serialize)]
pub struct StretcherScore {
    /// Its name and version.
    pub name: String,
    /// Renders made.
    pub renders: usize,
    /// Renders whose tempo read back within 4 % of the reference's, changed.
    pub tempo_right: usize,
    /// Renders whose key read back as the reference's, moved.
    pub key_right: usize,
    /// Renders with both right.
    pub both_right: usize,
    /// Renders that failed (the message of the first).
    pub failed: usize,
    /// The first failure's message.
    pub first_failure: Option<String>,
    /// Wall time per render (decode, stretch, write), median, ms.
    pub median_ms: f64,
    /// Audio produced over wall time: how many streams one core could stretch at once.
    pub realtime_factor: f64,
}

/// The benchmark's figures.
#[derive(Debug, Default, Clone, Serialize)]
pub struct StretchBench {
    /// Loops with a tempo and a key to check against.
    pub loops: usize,
    /// Untouched loops whose reading matches the reference (tempo and key): the ceiling.
    pub untouched_right: usize,
    /// The changes, in order.
    pub cases: Vec<Case>,
    /// Ours (the `timestretch` crate).
    pub ours: StretcherScore,
    /// Rubber Band, when its CLI is on the PATH.
    pub peer: Option<StretcherScore>,
    /// Why the peer did not run.
    pub peer_error: Option<String>,
}

/// A loop with what it should read as.
struct Loop {
    path: PathBuf,
    bpm: f64,
    /// Tonic pitch class and minor.
    key: (i32, bool),
}

/// Labels of the eval corpus: path → (bpm, key), for loops that have both.
fn labels(corpus: &Path) -> Vec<(PathBuf, f64, String)> {
    let Ok(text) = std::fs::read_to_string(corpus.join("labels.csv")) else {
        return Vec::new();
    };
    text.lines()
        .skip(1)
        .filter_map(|line| {
            // path,category,bpm,key,root_note,is_loop,...: the first six hold no comma.
            let f: Vec<&str> = line.splitn(7, ',').collect();
            let bpm: f64 = f.get(2)?.parse().ok()?;
            let key = f.get(3).filter(|k| !k.is_empty())?;
            (f.get(5) == Some(&"1")).then(|| (corpus.join(f[0]), bpm, key.to_string()))
        })
        .collect()
}

/// Up to `n` loops spread evenly over the labelled ones (or, with no labels, over the loops
/// the analyser finds a tempo and key in).
fn pick_loops(corpus: &Path, n: usize) -> Vec<Loop> {
    let mut all: Vec<Loop> = labels(corpus)
        .into_iter()
        .filter_map(|(path, bpm, key)| {
            Some(Loop {
                key: tonic_and_mode(&key)?,
                path,
                bpm,
            })
        })
        .filter(|l| l.path.is_file())
        .collect();
    if all.is_empty() {
        all = crate::audio_files(corpus)
            .into_iter()
            .filter_map(|path| {
                let a = analyse_file(&path, &AnalysisOptions::default())
                    .ok()?
                    .analysis;
                (a.is_loop).then_some(())?;
                Some(Loop {
                    bpm: a.bpm? as f64,
                    key: tonic_and_mode(a.key.as_deref()?)?,
                    path,
                })
            })
            .collect();
    }
    all.sort_by(|a, b| a.path.cmp(&b.path));
    let step = (all.len() as f64 / n.max(1) as f64).max(1.0);
    let chosen: Vec<usize> = (0..n.min(all.len()))
        .map(|i| (i as f64 * step) as usize)
        .collect();
    all.into_iter()
        .enumerate()
        .filter(|(i, _)| chosen.contains(i))
        .map(|(_, l)| l)
        .collect()
}

/// Whether the file at `path` reads as `bpm` (within the tolerance) and `key`.
fn reads_as(path: &Path, bpm: f64, key: (i32, bool)) -> (bool, bool) {
    let Ok(a) = analyse_file(path, &AnalysisOptions::default()) else {
        return (false, false);
    };
    let a = a.analysis;
    let tempo = a
        .bpm
        .is_some_and(|b| ((b as f64) - bpm).abs() <= bpm * TEMPO_TOLERANCE);
    let k = a.key.as_deref().and_then(tonic_and_mode) == Some(key);
    (tempo, k)
}

/// Render `src` changed by `case` to `dst` with ours: decode, stretch, write 24-bit WAV.
fn ours(src: &Path, dst: &Path, case: Case) -> Result<f64, String> {
    let mut sound = Planes::up_to(MAX_SAMPLES);
    let summary = decode_file(src, &mut sound).map_err(|e| e.to_string())?;
    let rate = summary.info.sample_rate;
    if !RATES.contains(&rate) || sound.cut {
        return Err(format!("{}: {rate} Hz or too long", src.display()));
    }
    let planes = stretch::stretch_planes(
        &sound.planes,
        rate,
        Stretch {
            duration: 1.0 / case.tempo,
            semitones: case.semitones as f64,
        },
    )?;
    encode::write(dst, &planes, rate, 24, Encoding::Wav).map_err(|e| e.to_string())?;
    Ok(planes.first().map_or(0, Vec::len) as f64 / rate as f64)
}

/// Render with Rubber Band's CLI (R3, the "fine" engine; `-t` is the time ratio).
fn rubber_band(src: &Path, dst: &Path, case: Case) -> Result<f64, String> {
    let out = Command::new("rubberband")
        .arg("--fine")
        .args(["-t", &format!("{}", 1.0 / case.tempo)])
        .args(["-p", &case.semitones.to_string()])
        .arg(src)
        .arg(dst)
        .output()
        .map_err(|e| format!("rubberband: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "rubberband {}: {}",
            src.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let r = hound::WavReader::open(dst).map_err(|e| e.to_string())?;
    let s = r.spec();
    Ok(r.duration() as f64 / s.sample_rate as f64)
}

/// Rubber Band's version, or why it cannot run.
fn rubber_band_version() -> Result<String, String> {
    let out = Command::new("rubberband")
        .arg("--version")
        .output()
        .map_err(|e| format!("the `rubberband` CLI is not on the PATH ({e}); Debian: apt-get install rubberband-cli"))?;
    let v =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    Ok(format!(
        "Rubber Band {}",
        v.lines().next().unwrap_or("").trim()
    ))
}

type Render = fn(&Path, &Path, Case) -> Result<f64, String>;

fn score(
    name: String,
    loops: &[Loop],
    work: &Path,
    render: Render,
    progress: &mut dyn FnMut(&str),
) -> StretcherScore {
    let mut s = StretcherScore {
        name,
        ..StretcherScore::default()
    };
    let mut ms = Vec::new();
    let (mut audio_s, mut wall_s) = (0.0, 0.0);
    for (i, l) in loops.iter().enumerate() {
        progress(&format!("{}: loop {}/{}", s.name, i + 1, loops.len()));
        for (k, case) in CASES.iter().enumerate() {
            let dst = work.join(format!("stretch-{i}-{k}.wav"));
            let t = Instant::now();
            let made = render(&l.path, &dst, *case);
            let took = t.elapsed().as_secs_f64();
            s.renders += 1;
            match made {
                Ok(seconds) => {
                    ms.push(took * 1e3);
                    audio_s += seconds;
                    wall_s += took;
                    let key = (l.key.0 + case.semitones, l.key.1);
                    let (tempo, k) = reads_as(&dst, l.bpm * case.tempo, key);
                    s.tempo_right += usize::from(tempo);
                    s.key_right += usize::from(k);
                    s.both_right += usize::from(tempo && k);
                }
                Err(e) => {
                    s.failed += 1;
                    s.first_failure.get_or_insert(e);
                }
            }
            let _ = std::fs::remove_file(&dst);
        }
    }
    s.median_ms = crate::Spread::of(ms).median_ms;
    s.realtime_factor = if wall_s > 0.0 { audio_s / wall_s } else { 0.0 };
    s
}

/// Run the benchmark on up to `n` loops of `corpus`, writing renders under `work`; with
/// `peer`, Rubber Band too (its absence is then an error).
///
/// # Errors
/// `peer` asked and Rubber Band not installed.
pub fn stretch_bench(
    corpus: &Path,
    work: &Path,
    n: usize,
    peer: bool,
    mut progress: impl FnMut(&str),
) -> Result<StretchBench, String> {
    let loops = pick_loops(corpus, n);
    let mut out = StretchBench {
        loops: loops.len(),
        cases: CASES.to_vec(),
        ..StretchBench::default()
    };
    progress("untouched loops read back");
    out.untouched_right = loops
        .iter()
        .filter(|l| reads_as(&l.path, l.bpm, l.key) == (true, true))
        .count();
    out.ours = score("timestretch 0.16".into(), &loops, work, ours, &mut progress);
    match rubber_band_version() {
        Ok(name) => out.peer = Some(score(name, &loops, work, rubber_band, &mut progress)),
        Err(e) if peer => return Err(e),
        Err(e) => out.peer_error = Some(e),
    }
    Ok(out)
}
