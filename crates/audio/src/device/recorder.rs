//! Recording from an input device into a WAV file, with a level meter, a length limit,
//! optional silence trim and normalisation, and clipping reported.
//!
//! The cpal callback only pushes samples into a lock-free ring (counting overruns when it
//! is full); this thread drains it, meters the level and keeps the take.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::SizedSample;

use super::{find_device, DeviceError, Direction};

/// A sample at or above this magnitude counts as clipped.
const CLIP: f32 = 0.999;
/// Silence threshold for trimming, dBFS.
const TRIM_FLOOR_DB: f32 = -50.0;
/// Audio kept before the first and after the last sound when trimming, seconds.
const TRIM_MARGIN_S: f32 = 0.01;
/// How long the take keeps draining after a stop request.
const STOP_GRACE: Duration = Duration::from_millis(250);
/// Peak after normalising, dBFS.
const NORMALISE_TO_DB: f32 = -1.0;

/// Options of [`record`].
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct RecordOptions {
    /// Input device id. Default: the host's default input.
    pub device: Option<String>,
    /// Longest take, seconds. Default: `60`.
    pub max_seconds: f64,
    /// Cut silence at both ends. Default: `false`.
    pub trim: bool,
    /// Scale the peak to -1 dBFS. Default: `false`.
    pub normalise: bool,
}

impl Default for RecordOptions {
    fn default() -> Self {
        Self {
            device: None,
            max_seconds: 60.0,
            trim: false,
            normalise: false,
        }
    }
}

impl RecordOptions {
    /// Options for recording `seconds` from `device` (None = default).
    pub fn on(device: Option<String>, seconds: f64) -> Self {
        Self {
            device,
            max_seconds: seconds,
            ..Self::default()
        }
    }
}

/// A level reading, about every 50 ms while recording.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Level {
    /// Peak of the block, dBFS.
    pub peak_db: f32,
    /// RMS of the block, dBFS.
    pub rms_db: f32,
    /// The block clipped.
    pub clipped: bool,
}

/// A finished take.
#[derive(Debug, Clone, PartialEq)]
pub struct Recording {
    /// The WAV written.
    pub path: PathBuf,
    /// Frames in the file.
    pub frames: usize,
    /// Sample rate.
    pub sample_rate: u32,
    /// Channels.
    pub channels: u16,
    /// Peak before normalising, dBFS.
    pub peak_db: f32,
    /// Samples at or above full scale (before normalising).
    pub clipped_samples: usize,
    /// Seconds of silence trimmed.
    pub trimmed_s: f32,
    /// Callbacks whose samples were dropped because this thread fell behind.
    pub overruns: u64,
    /// When the first captured buffer arrived (its first sample is up to one device
    /// buffer older).
    pub first_callback_at: Option<std::time::Instant>,
    /// When this thread first saw a sample above -40 dBFS: the arrival time of the first
    /// sound, for latency measurements (at most one poll, 5 ms, late).
    pub first_sound_at: Option<std::time::Instant>,
}

fn db(v: f32) -> f32 {
    (20.0 * v.max(1e-10).log10()).max(-120.0)
}

/// A take recording on its own thread, for a face that starts and stops it from two
/// separate requests (the desktop app's record button).
#[derive(Debug)]
pub struct TakeInProgress {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<Result<Recording, DeviceError>>,
}

impl TakeInProgress {
    /// Start [`record`] into `out` on a new thread; `on_level` receives the meter there.
    ///
    /// # Errors
    /// [`DeviceError::Stream`] when the thread cannot start.
    pub fn start(
        out: PathBuf,
        opts: RecordOptions,
        mut on_level: impl FnMut(Level) + Send + 'static,
    ) -> Result<Self, DeviceError> {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("samplemind-record".into())
            .spawn(move || record(&out, &opts, &flag, &mut on_level))
            .map_err(|e| DeviceError::Stream(format!("cannot start recording: {e}")))?;
        Ok(Self { stop, thread })
    }

    /// End the take and wait for its file.
    ///
    /// # Errors
    /// What [`record`] met, or [`DeviceError::Stream`] when its thread died.
    pub fn stop(self) -> Result<Recording, DeviceError> {
        self.stop.store(true, Ordering::SeqCst);
        self.thread
            .join()
            .map_err(|_| DeviceError::Stream("the recording thread failed".into()))?
    }
}

/// Record from the input device into `out` (32-bit float WAV) until `stop` is set or
/// `opts.max_seconds` have been captured; `on_level` receives the meter.
///
/// # Errors
/// [`DeviceError`] when the device cannot be opened, nothing is captured, or the file
/// cannot be written.
pub fn record(
    out: &Path,
    opts: &RecordOptions,
    stop: &AtomicBool,
    on_level: &mut dyn FnMut(Level),
) -> Result<Recording, DeviceError> {
    let device = find_device(opts.device.as_deref(), Direction::Input)?;
    let supported = device
        .default_input_config()
        .map_err(|e| DeviceError::Stream(e.to_string()))?;
    let rate = supported.sample_rate();
    let channels = supported.channels();
    let config = super::stream_config(channels, rate);
    let (producer, mut consumer) = rtrb::RingBuffer::<f32>::new(rate as usize * channels as usize);
    let overruns = Arc::new(AtomicU64::new(0));
    let epoch = std::time::Instant::now();
    let first_ns = Arc::new(AtomicU64::new(0));
    let timing = (epoch, Arc::clone(&first_ns));
    let stream = super::build_for_format!(
        supported.sample_format(),
        build(&device, &config, producer, &overruns, timing)
    )?;
    stream
        .play()
        .map_err(|e| DeviceError::Stream(e.to_string()))?;

    let max = (opts.max_seconds.max(0.0) * rate as f64) as usize * channels as usize;
    let mut take: Vec<f32> = Vec::with_capacity(max.min(rate as usize * channels as usize * 30));
    let block = (rate as usize / 20).max(1) * channels as usize;
    let mut metered = 0usize;
    let mut first_sound_at = None;
    let sound = 10f32.powf(-40.0 / 20.0);
    // After a stop request keep draining briefly: the server delivers captured audio with
    // some delay, and the tail of the take is still on its way.
    let mut stop_at: Option<std::time::Instant> = None;
    while take.len() < max {
        if stop_at.is_none() && stop.load(Ordering::Acquire) {
            stop_at = Some(std::time::Instant::now());
        }
        if stop_at.is_some_and(|t| t.elapsed() >= STOP_GRACE) {
            break;
        }
        let n = consumer.slots().min(max - take.len());
        if n == 0 {
            std::thread::sleep(Duration::from_millis(5));
            continue;
        }
        if let Ok(chunk) = consumer.read_chunk(n) {
            let (a, b) = chunk.as_slices();
            if first_sound_at.is_none() && a.iter().chain(b).any(|v| v.abs() >= sound) {
                first_sound_at = Some(std::time::Instant::now());
            }
            take.extend_from_slice(a);
            take.extend_from_slice(b);
            chunk.commit_all();
        }
        while take.len() >= metered + block {
            let blk = &take[metered..metered + block];
            let peak = blk.iter().fold(0.0f32, |m, v| m.max(v.abs()));
            let rms = (blk.iter().map(|v| v * v).sum::<f32>() / blk.len() as f32).sqrt();
            on_level(Level {
                peak_db: db(peak),
                rms_db: db(rms),
                clipped: peak >= CLIP,
            });
            metered += block;
        }
    }
    drop(stream);
    let ch = channels as usize;
    take.truncate(take.len() - take.len() % ch.max(1));
    if take.is_empty() {
        return Err(DeviceError::NothingCaptured);
    }
    let peak = take.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let clipped_samples = take.iter().filter(|v| v.abs() >= CLIP).count();
    let before = take.len();
    if opts.trim {
        take = trim_silence(&take, ch, rate);
    }
    let trimmed_s = (before - take.len()) as f32 / ch as f32 / rate as f32;
    if opts.normalise && peak > 0.0 {
        let g = 10f32.powf(NORMALISE_TO_DB / 20.0) / peak;
        take.iter_mut().for_each(|v| *v *= g);
    }
    write_wav(out, &take, channels, rate)?;
    Ok(Recording {
        path: out.to_path_buf(),
        frames: take.len() / ch,
        sample_rate: rate,
        channels,
        peak_db: db(peak),
        clipped_samples,
        trimmed_s,
        overruns: overruns.load(Ordering::Relaxed),
        first_sound_at,
        first_callback_at: match first_ns.load(Ordering::Relaxed) {
            0 => None,
            ns => Some(epoch + Duration::from_nanos(ns)),
        },
    })
}

/// Interleaved `x` without the silence at its ends (a margin kept); all of it if silent.
pub fn trim_silence(x: &[f32], channels: usize, rate: u32) -> Vec<f32> {
    let floor = 10f32.powf(TRIM_FLOOR_DB / 20.0);
    let frames = x.len() / channels.max(1);
    let loud = |f: usize| {
        x[f * channels..(f + 1) * channels]
            .iter()
            .any(|v| v.abs() >= floor)
    };
    let Some(first) = (0..frames).find(|&f| loud(f)) else {
        return x.to_vec();
    };
    let last = (0..frames).rev().find(|&f| loud(f)).unwrap_or(first);
    let margin = (TRIM_MARGIN_S * rate as f32) as usize;
    let start = first.saturating_sub(margin);
    let end = (last + 1 + margin).min(frames);
    x[start * channels..end * channels].to_vec()
}

fn write_wav(path: &Path, x: &[f32], channels: u16, rate: u32) -> Result<(), DeviceError> {
    let err = |e: hound::Error| DeviceError::Write {
        path: path.to_path_buf(),
        reason: e.to_string(),
    };
    let spec = hound::WavSpec {
        channels,
        sample_rate: rate,
        bits_per_sample: 32,
        sample_format: hound::SampleFormat::Float,
    };
    let mut w = hound::WavWriter::create(path, spec).map_err(err)?;
    for v in x {
        w.write_sample(*v).map_err(err)?;
    }
    w.finalize().map_err(err)
}

/// Build the input stream for sample type `T`: convert to f32 and push, nothing else.
fn build<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    mut producer: rtrb::Producer<f32>,
    overruns: &Arc<AtomicU64>,
    (epoch, first_ns): (std::time::Instant, Arc<AtomicU64>),
) -> Result<cpal::Stream, DeviceError>
where
    T: SizedSample,
    f32: cpal::FromSample<T>,
{
    let over = Arc::clone(overruns);
    device
        .build_input_stream::<T, _, _>(
            *config,
            move |data: &[T], _| {
                if first_ns.load(Ordering::Relaxed) == 0 {
                    first_ns.store(
                        (epoch.elapsed().as_nanos() as u64).max(1),
                        Ordering::Relaxed,
                    );
                }
                let n = producer.slots().min(data.len());
                if n < data.len() {
                    over.fetch_add(1, Ordering::Relaxed);
                }
                if let Ok(mut chunk) = producer.write_chunk(n) {
                    let (a, b) = chunk.as_mut_slices();
                    let split = a.len();
                    for (o, v) in a.iter_mut().zip(&data[..split]) {
                        *o = cpal::Sample::from_sample(*v);
                    }
                    for (o, v) in b.iter_mut().zip(&data[split..n]) {
                        *o = cpal::Sample::from_sample(*v);
                    }
                    chunk.commit_all();
                }
            },
            |_err| {},
            None,
        )
        .map_err(|e| DeviceError::Stream(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::trim_silence;

    #[test]
    fn trims_both_ends_and_keeps_a_margin() {
        let rate = 1000;
        let mut x = vec![0.0f32; 500];
        x.extend(vec![0.5f32; 100]);
        x.extend(vec![0.0f32; 400]);
        let t = trim_silence(&x, 1, rate);
        assert_eq!(t.len(), 100 + 2 * 10);
        assert_eq!(trim_silence(&[0.0; 50], 1, rate).len(), 50);
    }
}
