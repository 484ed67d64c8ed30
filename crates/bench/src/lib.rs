//! The benchmark suite behind `samplemind bench`: figures, not pass/fail.
//!
//! Each figure is measured in the same run as its reference, so ratios hold on any machine:
//! full analysis is reported against decoding alone, on the same files, in the same process.
//!
//! This crate (`crates/bench`) holds the suite: the scan and analysis figures here, [`models`]
//! (`--models`), [`search`] (`--search`), [`ai`] (`--ai`) and [`peers`] (Essentia and LiteLLM,
//! timed in the same run). It sits beside the faces, above the engine, and is no part of the
//! engine's API.

#![warn(missing_docs)]

pub mod ai;
pub mod models;
pub mod peers;
pub mod search;
pub mod shared;
pub mod similar;
pub mod stretch;

use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use serde::Serialize;

use samplemind_engine::analysis::{analyse_file, AnalysisOptions};
use samplemind_engine::audio::{decode_file, has_audio_extension, FrameSink, StreamInfo};
use samplemind_engine::library::{scan, Library, ScanOptions};

/// Median and spread of a set of timings, milliseconds.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Spread {
    /// How many measurements.
    pub n: usize,
    /// Median.
    pub median_ms: f64,
    /// 10th percentile.
    pub p10_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 95th percentile.
    pub p95_ms: f64,
    /// Sum of all measurements.
    pub total_ms: f64,
}

impl Spread {
    /// Summarise `ms` (any order).
    pub fn of(mut ms: Vec<f64>) -> Self {
        if ms.is_empty() {
            return Self::default();
        }
        ms.sort_by(f64::total_cmp);
        let at = |q: f64| ms[((ms.len() - 1) as f64 * q).round() as usize];
        Spread {
            n: ms.len(),
            median_ms: at(0.5),
            p10_ms: at(0.1),
            p90_ms: at(0.9),
            p95_ms: at(0.95),
            total_ms: ms.iter().sum(),
        }
    }
}

/// What `samplemind bench` measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PipelineBench {
    /// Files measured.
    pub files: usize,
    /// Seconds of audio in them.
    pub audio_seconds: f64,
    /// Decode only (symphonia to planar f32), one core, per file.
    pub decode: Spread,
    /// Decode + every analyser, one core, per file.
    pub analyse: Spread,
    /// Total analysis time over total decode time (target ≤ 1.5).
    pub analyse_over_decode: f64,
    /// Audio seconds analysed per CPU second, one core.
    pub realtime_factor: f64,
    /// Threads used for the scan figures.
    pub threads: usize,
    /// A first scan of the files into an empty library, files per second.
    pub scan_files_per_s: f64,
    /// A rescan of the same unchanged files, seconds.
    pub rescan_s: f64,
    /// Files in the generated tree for the large rescan.
    pub big_tree_files: usize,
    /// Rescan of that unchanged tree, seconds (target < 1 s for 10,000 files).
    pub big_tree_rescan_s: f64,
    /// Files that failed to decode (left out of the timings).
    pub failed: Vec<String>,
    /// The files measured, in order (for a peer timed on the same files).
    #[serde(skip)]
    pub paths: Vec<PathBuf>,
    /// Decode + analysis of each of `paths`, ms (`None`: it failed).
    #[serde(skip)]
    pub analyse_ms: Vec<Option<f64>>,
}

/// Counts frames and drops them: decoding's cost alone.
struct NullSink(u64);

impl FrameSink for NullSink {
    fn begin(&mut self, _: &StreamInfo) {}
    fn frames(&mut self, _: &[Vec<f32>], frames: usize) -> ControlFlow<()> {
        self.0 += frames as u64;
        ControlFlow::Continue(())
    }
}

/// Every audio file under `dir`, sorted.
pub fn audio_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file() && has_audio_extension(e.path()))
        .map(|e| e.into_path())
        .collect();
    v.sort();
    v
}

/// Measure the pipeline on the audio under `corpus`, and a rescan of a generated tree of
/// `big_tree_files` tiny files (0 to skip). `work` is a scratch directory.
///
/// # Errors
/// Store errors of the scratch libraries, I/O errors writing the generated tree.
pub fn pipeline(
    corpus: &Path,
    work: &Path,
    threads: usize,
    big_tree_files: usize,
    mut progress: impl FnMut(&str),
) -> Result<PipelineBench, Box<dyn std::error::Error>> {
    let files = audio_files(corpus);
    let opts = AnalysisOptions::default();
    let mut out = PipelineBench {
        files: files.len(),
        paths: files.clone(),
        threads,
        big_tree_files,
        ..Default::default()
    };

    progress("decode and analyse, one core");
    // Warm the page cache and the FFT plans so the first file is not an outlier.
    for f in files.iter().take(3) {
        let _ = analyse_file(f, &opts);
    }
    let (mut dec, mut ana) = (Vec::new(), Vec::new());
    for f in &files {
        let t = Instant::now();
        let mut sink = NullSink(0);
        let decoded = decode_file(f, &mut sink);
        let d = t.elapsed().as_secs_f64() * 1e3;
        let summary = match decoded {
            Ok(s) => s,
            Err(e) => {
                out.failed.push(e.to_string());
                out.analyse_ms.push(None);
                continue;
            }
        };
        let t = Instant::now();
        let a = analyse_file(f, &opts);
        let a_ms = t.elapsed().as_secs_f64() * 1e3;
        out.analyse_ms.push(a.is_ok().then_some(a_ms));
        if a.is_ok() {
            dec.push(d);
            ana.push(a_ms);
            out.audio_seconds += summary.frames as f64 / summary.info.sample_rate as f64;
        }
    }
    out.decode = Spread::of(dec);
    out.analyse = Spread::of(ana);
    out.analyse_over_decode = out.analyse.total_ms / out.decode.total_ms.max(1e-9);
    out.realtime_factor = out.audio_seconds / (out.analyse.total_ms / 1e3).max(1e-9);

    progress("scan and rescan");
    let mut sopts = ScanOptions::default();
    sopts.threads = threads;
    let stop = AtomicBool::new(false);
    let lib = Library::open(&work.join("corpus-lib"))?;
    let roots = [corpus.to_path_buf()];
    let t = Instant::now();
    let r = scan(&lib, &roots, &sopts, &stop, &mut |_| {})?;
    out.scan_files_per_s = r.files as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    scan(&lib, &roots, &sopts, &stop, &mut |_| {})?;
    out.rescan_s = t.elapsed().as_secs_f64();

    if big_tree_files > 0 {
        progress("generate and scan the large tree");
        let tree = work.join("tree");
        write_tree(&tree, big_tree_files)?;
        let lib = Library::open(&work.join("tree-lib"))?;
        let roots = [tree];
        scan(&lib, &roots, &sopts, &stop, &mut |_| {})?;
        let t = Instant::now();
        let r = scan(&lib, &roots, &sopts, &stop, &mut |_| {})?;
        out.big_tree_rescan_s = t.elapsed().as_secs_f64();
        if r.unchanged as usize != big_tree_files {
            out.failed.push(format!(
                "large tree rescan saw {} unchanged of {big_tree_files}",
                r.unchanged
            ));
        }
    }
    Ok(out)
}

/// `n` distinct 20 ms mono WAVs in folders of 100, like a sample pack's layout.
fn write_tree(dir: &Path, n: usize) -> std::io::Result<()> {
    for i in 0..n {
        let folder = dir.join(format!("pack{:03}", i / 100));
        if i % 100 == 0 {
            std::fs::create_dir_all(&folder)?;
        }
        let frames = 441u32;
        let mut bytes = Vec::with_capacity(44 + frames as usize * 2);
        bytes.extend_from_slice(b"RIFF");
        bytes.extend_from_slice(&(36 + frames * 2).to_le_bytes());
        bytes.extend_from_slice(b"WAVEfmt ");
        bytes.extend_from_slice(&16u32.to_le_bytes());
        bytes.extend_from_slice(&1u16.to_le_bytes());
        bytes.extend_from_slice(&1u16.to_le_bytes());
        bytes.extend_from_slice(&22_050u32.to_le_bytes());
        bytes.extend_from_slice(&44_100u32.to_le_bytes());
        bytes.extend_from_slice(&2u16.to_le_bytes());
        bytes.extend_from_slice(&16u16.to_le_bytes());
        bytes.extend_from_slice(b"data");
        bytes.extend_from_slice(&(frames * 2).to_le_bytes());
        // A different tone per file, so every file is a distinct content.
        let freq = 100.0 + i as f64 * 0.37;
        for k in 0..frames {
            let v = (0.3
                * (2.0 * std::f64::consts::PI * freq * k as f64 / 22_050.0).sin()
                * 32767.0) as i16;
            bytes.extend_from_slice(&v.to_le_bytes());
        }
        std::fs::write(folder.join(format!("s{i:05}.wav")), bytes)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Spread;

    #[test]
    fn spread_of_known_values() {
        let s = Spread::of((1..=11).map(f64::from).collect());
        assert_eq!(
            (s.n, s.median_ms, s.p10_ms, s.p90_ms, s.total_ms),
            (11, 6.0, 2.0, 10.0, 66.0)
        );
        assert_eq!(Spread::of(vec![]).n, 0);
    }
}

/// Audio figures of `samplemind bench --audio` (feature `device`).
#[cfg(feature = "device")]
#[derive(Debug, Clone, Default, Serialize)]
pub struct AudioBench {
    /// From the play call to the arrival of the first non-silent captured sample, through
    /// the output device and back in from the input (e.g. a sink's monitor), ms. Includes
    /// decoding the file, both device buffers and the server's own buffering.
    pub latency: Spread,
    /// The same, playing in sync (stretched and shifted on the feeder thread).
    pub latency_synced: Spread,
    /// Device buffer period, ms.
    pub buffer_ms: f64,
    /// Output-callback time over the audio time it produced, while loaded (target < 10 %).
    pub callback_load: f64,
    /// Longest output callback, microseconds.
    pub callback_max_us: f64,
    /// Underruns (audible glitches) during the loaded playback (target 0).
    pub glitches: u64,
    /// The same, playing in sync with the stretcher at work the whole time.
    pub glitches_synced: u64,
    /// Length of the loaded playback, seconds.
    pub loaded_seconds: f64,
    /// Full scans of the corpus run meanwhile on all cores.
    pub scan_passes: u32,
}

/// Measure latency (play → capture, `trials` times), then loop a sound for `seconds` while
/// scanning `corpus` over and over on `threads` threads, counting glitches.
///
/// # Errors
/// Device and store errors.
#[cfg(feature = "device")]
pub fn audio(
    output: Option<String>,
    input: Option<String>,
    corpus: &Path,
    work: &Path,
    threads: usize,
    seconds: f64,
    mut progress: impl FnMut(&str),
) -> Result<AudioBench, Box<dyn std::error::Error>> {
    use samplemind_engine::audio::device::{
        record, PlayOptions, Player, RecordOptions, BUFFER_FRAMES,
    };
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    let rate = 48_000u32;
    let click = work.join("click.wav");
    let mut x = vec![0.0f32; rate as usize / 2];
    x.iter_mut()
        .take(rate as usize / 20)
        .enumerate()
        .for_each(|(i, v)| *v = 0.5 * ((i as f32) * 0.13).sin());
    write_wav_f32(&click, &x, rate)?;
    let mut out = AudioBench {
        buffer_ms: BUFFER_FRAMES as f64 * 1e3 / rate as f64,
        ..Default::default()
    };

    // Click to first sound, as played and as played in sync (120 → 128 BPM, 4 semitones
    // down: the stretcher's start is in the figure).
    let latency = |opts: &PlayOptions| -> Result<Spread, Box<dyn std::error::Error>> {
        let mut lat = Vec::new();
        for trial in 0..10 {
            let stop = AtomicBool::new(false);
            let take = work.join(format!("take{trial}.wav"));
            let mut t_play = Instant::now();
            let rec = std::thread::scope(|s| {
                let h = s.spawn(|| {
                    record(
                        &take,
                        &RecordOptions::on(input.clone(), 2.0),
                        &stop,
                        &mut |_| {},
                    )
                });
                std::thread::sleep(Duration::from_millis(300));
                t_play = Instant::now();
                let played = Player::play(&click, opts).map(|p| {
                    p.wait(Duration::from_secs(3));
                    p.stop();
                });
                std::thread::sleep(Duration::from_millis(300));
                stop.store(true, Ordering::SeqCst);
                played.map(|_| h.join())
            })?;
            let rec = rec.map_err(|_| "recorder thread panicked")??;
            if let Some(at) = rec.first_sound_at {
                lat.push(at.saturating_duration_since(t_play).as_secs_f64() * 1e3);
            }
        }
        Ok(Spread::of(lat))
    };
    progress("latency: play → capture");
    out.latency = latency(&PlayOptions::on(output.clone()))?;
    progress("latency in sync: play → capture");
    let mut synced = PlayOptions::on(output.clone());
    synced.stretch = Some(samplemind_engine::audio::stretch::Stretch {
        duration: 120.0 / 128.0,
        semitones: -4.0,
    });
    out.latency_synced = latency(&synced)?;

    progress("glitches: looped playback while scanning on every core");
    let tone = |secs: f64| -> Vec<f32> {
        (0..(rate as f64 * secs) as usize)
            .map(|i| {
                let t = i as f32 / rate as f32;
                0.2 * ((2.0 * std::f32::consts::PI * 220.0 * t).sin()
                    + (2.0 * std::f32::consts::PI * 330.0 * t).sin())
            })
            .collect()
    };
    // Play `file` looped for `seconds` while full scans of the corpus run on every core.
    let loaded = |file: &Path, opts: &PlayOptions| -> Result<_, Box<dyn std::error::Error>> {
        let player = Player::play(file, opts)?;
        let done = AtomicBool::new(false);
        let passes = std::thread::scope(|s| {
            let h = s.spawn(|| {
                let mut passes = 0u32;
                let mut sopts = ScanOptions::default();
                sopts.threads = threads;
                while !done.load(Ordering::SeqCst) {
                    let Ok(lib) = Library::open(&work.join(format!("load-lib-{passes}"))) else {
                        break;
                    };
                    let stop = AtomicBool::new(false);
                    if scan(&lib, &[corpus.to_path_buf()], &sopts, &stop, &mut |_| {}).is_err() {
                        break;
                    }
                    passes += 1;
                }
                passes
            });
            std::thread::sleep(Duration::from_secs_f64(seconds));
            done.store(true, Ordering::SeqCst);
            h.join().unwrap_or(0)
        });
        let st = player.stats();
        player.stop();
        Ok((st, passes))
    };
    let loop_file = work.join("loop.wav");
    write_wav_f32(&loop_file, &tone(4.0), rate)?;
    let mut opts = PlayOptions::on(output);
    opts.looped = true;
    let (st, passes) = loaded(&loop_file, &opts)?;
    out.glitches = st.underruns;
    out.callback_load = st.callback_load;
    out.callback_max_us = st.callback_max_us;
    out.loaded_seconds = seconds;
    out.scan_passes = passes;

    // In sync, with a loop too long to be kept after its first pass, so the stretcher runs
    // on the feeder thread for the whole time.
    progress("glitches in sync: stretched looped playback while scanning on every core");
    let long_loop = work.join("long-loop.wav");
    write_wav_f32(&long_loop, &tone(seconds.max(65.0) + 5.0), rate)?;
    opts.stretch = synced.stretch;
    let (st, _) = loaded(&long_loop, &opts)?;
    out.glitches_synced = st.underruns;
    Ok(out)
}

#[cfg(feature = "device")]
fn write_wav_f32(path: &Path, x: &[f32], rate: u32) -> Result<(), hound::Error> {
    let spec = hound::WavSpec {
        channels: 1,
        sample_rate: rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec)?;
    for v in x {
        w.write_sample(*v)?;
    }
    w.finalize()
}
