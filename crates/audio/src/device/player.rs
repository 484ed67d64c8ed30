//! Audition: play a file on an output device with loop, gain, transpose and click-free
//! start and stop.
//!
//! A feeder thread decodes the file, resamples it to the device rate (transposing by
//! resampling, as samplers do) and keeps a lock-free ring filled; the cpal callback pops
//! from the ring, applies gain and fades, and fills any shortfall with silence.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{FromSample, SizedSample};

use super::{find_device, DeviceError, Direction, BUFFER_FRAMES};
use crate::decode::{decode_file, Planes};
use crate::resample_mono;
use crate::stretch::{Stretch, Stretcher, RATES};

/// Most samples the player holds, over all channels: ten minutes of stereo at 48 kHz
/// (samples are short; a long file is cut).
const MAX_SAMPLES: usize = 600 * 48_000 * 2;
/// Fade length at start and stop, seconds: long enough to avoid a click, short enough
/// to feel instant.
const FADE_SECONDS: f32 = 0.005;
/// Silence before the fade-in, seconds: a server may drop the first frames of a new
/// stream while it joins the mix, and those must be silence, not the start of the fade.
const PREROLL_SECONDS: f32 = 0.01;
/// Ring size, seconds of audio.
const RING_SECONDS: f32 = 0.5;
/// A stream stays open after its last samples were handed over for the output latency the
/// device reports (the server plays behind the callback by its own buffer, and closing
/// earlier cuts off what it still holds, the end of a fade-out or the tail of a sound,
/// with a click), plus this margin, at most [`MAX_LINGER`].
const LINGER_MARGIN: Duration = Duration::from_millis(50);
/// Device buffers of stretched audio in the ring before a synced stream starts.
const PRIME_BUFFERS: usize = 4;
/// Longest wait for the feeder's first samples before the stream starts anyway.
const MAX_PRIME_WAIT: Duration = Duration::from_millis(100);
/// Upper bound of the wait after the last samples.
const MAX_LINGER: Duration = Duration::from_secs(2);

/// Options of [`Player::play`].
#[non_exhaustive]
#[derive(Debug, Clone, Default)]
pub struct PlayOptions {
    /// Output device id. Default: the host's default output.
    pub device: Option<String>,
    /// Repeat until stopped. Default: `false`.
    pub looped: bool,
    /// Gain, dB. Default: `0`.
    pub gain_db: f32,
    /// Transpose, semitones (pitch and length change together). Default: `0`.
    pub transpose: f32,
    /// Start position, seconds of the file. Default: `0`.
    pub start_s: f64,
    /// Play time-stretched and pitch-shifted (a project's tempo and key), in place of
    /// `transpose`. Default: none.
    pub stretch: Option<Stretch>,
    /// Play only this part of the file, seconds (start, end): a loop repeats it, and
    /// `start_s` falls inside it. Default: the whole file.
    pub region: Option<(f64, f64)>,
}

impl PlayOptions {
    /// Options for playing on `device` (None = default).
    pub fn on(device: Option<String>) -> Self {
        Self {
            device,
            ..Self::default()
        }
    }
}

/// State shared between the controller, the feeder and the audio callback: atomics only.
#[derive(Default)]
struct Shared {
    /// Feeder: stop producing.
    stop: AtomicBool,
    /// Callback: ramp to silence.
    fade_out: AtomicBool,
    /// Callback: the fade-out is complete.
    faded: AtomicBool,
    /// Feeder: everything has been pushed.
    feeder_done: AtomicBool,
    /// Feeder: the first samples (the pre-roll) are in the ring; before then an empty ring
    /// is the start's latency, not a glitch.
    primed: AtomicBool,
    /// Callback: the ring ran dry after the feeder finished.
    drained: AtomicBool,
    /// Frames played.
    frames_out: AtomicU64,
    /// Callbacks that found the ring short while audio was still due.
    underruns: AtomicU64,
    /// Gain as f32 bits.
    gain: AtomicU32,
    /// Stream errors seen.
    errors: AtomicU64,
    /// Callbacks run.
    callbacks: AtomicU64,
    /// Time spent inside the callback, ns (total and longest).
    busy_ns: AtomicU64,
    busy_max_ns: AtomicU64,
    /// Largest output latency the device reported (playback instant − callback instant), ns.
    latency_ns: AtomicU64,
}

/// Figures of a playback, for benchmarks and diagnostics.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct PlayerStats {
    /// Frames played.
    pub frames: u64,
    /// Callbacks that found the ring short while audio was still due (audible glitches).
    pub underruns: u64,
    /// Stream errors reported by the device.
    pub errors: u64,
    /// Callbacks run.
    pub callbacks: u64,
    /// Time spent in the callback over the audio time it produced, 0..1.
    pub callback_load: f64,
    /// Longest single callback, microseconds.
    pub callback_max_us: f64,
}

/// A file playing on a device. Dropping it stops playback (with a fade).
pub struct Player {
    stream: Option<cpal::Stream>,
    shared: Arc<Shared>,
    feeder: Option<JoinHandle<()>>,
    /// Device sample rate.
    pub device_rate: u32,
    /// Device channel count.
    pub channels: u16,
}

impl Player {
    /// Decode `path` and start playing it.
    ///
    /// # Errors
    /// Decode errors naming the file; [`DeviceError`] when the device cannot be opened.
    pub fn play(path: &Path, opts: &PlayOptions) -> Result<Player, DeviceError> {
        // A long file is cut: what is kept is bounded whatever the file says of itself.
        let mut c = Planes::up_to(MAX_SAMPLES);
        let summary = decode_file(path, &mut c)?;
        let rate = summary.info.sample_rate;
        let mut start_s = opts.start_s;
        if let Some((a, b)) = opts.region {
            let (a, b) = cut_region(&mut c.planes, rate, a, b);
            start_s = (start_s.clamp(a, b) - a).max(0.0);
        }
        let device = find_device(opts.device.as_deref(), Direction::Output)?;
        let supported = device
            .default_output_config()
            .map_err(|e| DeviceError::Stream(e.to_string()))?;
        let device_rate = supported.sample_rate();
        let channels = supported.channels();
        let format = supported.sample_format();

        let shared = Arc::new(Shared::default());
        shared
            .gain
            .store(10f32.powf(opts.gain_db / 20.0).to_bits(), Ordering::Relaxed);
        let ring_len = (RING_SECONDS * device_rate as f32) as usize * channels as usize;
        let (producer, consumer) = rtrb::RingBuffer::<f32>::new(ring_len.max(4096));
        let preroll = (PREROLL_SECONDS * device_rate as f32) as usize * channels as usize;
        let source = match opts.stretch.filter(|s| !s.is_identity()) {
            Some(how) => Source::stretched(path, c.planes, rate, device_rate, how, start_s)?,
            None => Source::resampled(
                path,
                &c.planes,
                rate,
                device_rate,
                channels,
                opts.transpose,
                start_s,
            )?,
        };
        let feeder = {
            let shared = Arc::clone(&shared);
            let looped = opts.looped;
            let ch = channels as usize;
            std::thread::Builder::new()
                .name("samplemind-feeder".into())
                .spawn(move || match source {
                    Source::Plain { data, start } => {
                        feed(producer, &data, start * ch, looped, preroll, &shared)
                    }
                    Source::Stretched(s) => {
                        feed_stretched(producer, s, ch, looped, preroll, &shared)
                    }
                })
                .map_err(|e| DeviceError::Stream(e.to_string()))?
        };
        // A server asks for several buffers at once as soon as a stream is built (PulseAudio
        // does, before `play`): asked for before the feeder's first samples are in the ring
        // (a stretcher takes a few ms to prime), they would go out as silence ahead of the
        // sound, a buffer's length each. So the stream is built once the ring is primed.
        let t = Instant::now();
        while !shared.primed.load(Ordering::Acquire)
            && !shared.feeder_done.load(Ordering::Acquire)
            && t.elapsed() < MAX_PRIME_WAIT
        {
            std::thread::sleep(Duration::from_micros(200));
        }
        let config = super::stream_config(channels, device_rate);
        let fade_frames = (FADE_SECONDS * device_rate as f32) as u32;
        let stream = super::build_for_format!(
            format,
            build(&device, &config, consumer, &shared, fade_frames)
        )?;
        stream
            .play()
            .map_err(|e| DeviceError::Stream(e.to_string()))?;
        Ok(Player {
            stream: Some(stream),
            shared,
            feeder: Some(feeder),
            device_rate,
            channels,
        })
    }

    /// Whether the feeder thread (resampling into the ring) is still at work: it ends once
    /// the whole sound is in the ring, or when the player stops.
    pub fn feeder_running(&self) -> bool {
        self.feeder.as_ref().is_some_and(|h| !h.is_finished())
    }

    /// Whether a non-looping file has played to its end.
    pub fn finished(&self) -> bool {
        self.shared.drained.load(Ordering::Acquire)
    }

    /// Block until the file has played (or `timeout` passed); true when it finished.
    pub fn wait(&self, timeout: Duration) -> bool {
        let t = Instant::now();
        while !self.finished() && t.elapsed() < timeout {
            std::thread::sleep(Duration::from_millis(5));
        }
        self.finished()
    }

    /// Change the gain while playing.
    pub fn set_gain_db(&self, db: f32) {
        self.shared
            .gain
            .store(10f32.powf(db / 20.0).to_bits(), Ordering::Relaxed);
    }

    /// Frames played so far, glitches, errors and callback cost.
    pub fn stats(&self) -> PlayerStats {
        let frames = self.shared.frames_out.load(Ordering::Relaxed);
        let callbacks = self.shared.callbacks.load(Ordering::Relaxed);
        let busy = self.shared.busy_ns.load(Ordering::Relaxed) as f64 * 1e-9;
        // Audio time the callbacks covered: frames written plus silence padded, one
        // device buffer each.
        let audio_s =
            (callbacks * BUFFER_FRAMES as u64).max(frames) as f64 / self.device_rate.max(1) as f64;
        PlayerStats {
            frames,
            underruns: self.shared.underruns.load(Ordering::Relaxed),
            errors: self.shared.errors.load(Ordering::Relaxed),
            callbacks,
            callback_load: if audio_s > 0.0 { busy / audio_s } else { 0.0 },
            callback_max_us: self.shared.busy_max_ns.load(Ordering::Relaxed) as f64 * 1e-3,
        }
    }

    /// Fade out and stop, returning once the server has played the fade.
    pub fn stop(mut self) {
        self.begin_fade();
        Self::close(&self.shared, self.stream.take(), self.feeder.take());
    }

    /// Fade out and stop without waiting: the stream closes on a helper thread once its fade
    /// has been played, so a new sound can start right away (see [`super::AudioEngine`]).
    pub fn stop_in_background(mut self) {
        self.begin_fade();
        let (shared, stream, feeder) = (
            Arc::clone(&self.shared),
            self.stream.take(),
            self.feeder.take(),
        );
        let spawned = std::thread::Builder::new()
            .name("samplemind-fade".into())
            .spawn(move || Self::close(&shared, stream, feeder));
        if let Err(e) = spawned {
            tracing::warn!("cannot close the stream in the background: {e}");
        }
    }

    fn begin_fade(&self) {
        self.shared.fade_out.store(true, Ordering::Release);
    }

    /// Wait for the fade (or the end) to be written and played, then close.
    fn close(shared: &Shared, stream: Option<cpal::Stream>, feeder: Option<JoinHandle<()>>) {
        let t = Instant::now();
        while stream.is_some()
            && !shared.faded.load(Ordering::Acquire)
            && !shared.drained.load(Ordering::Acquire)
            && t.elapsed() < Duration::from_millis(100)
        {
            std::thread::sleep(Duration::from_millis(1));
        }
        if stream.is_some() {
            let latency = Duration::from_nanos(shared.latency_ns.load(Ordering::Relaxed));
            std::thread::sleep((latency + LINGER_MARGIN).min(MAX_LINGER));
        }
        shared.stop.store(true, Ordering::Release);
        drop(stream);
        if let Some(f) = feeder {
            let _ = f.join();
        }
    }
}

impl Drop for Player {
    fn drop(&mut self) {
        self.begin_fade();
        Self::close(&self.shared, self.stream.take(), self.feeder.take());
    }
}

/// Longest stretched pass the feeder keeps to replay a loop without stretching it again,
/// seconds; a longer loop is stretched afresh on every pass.
const MAX_CACHED_PASS_SECONDS: f64 = 60.0;

/// What the feeder plays.
enum Source {
    /// Interleaved at the device's rate and channels, from sample `start` (a frame index).
    Plain { data: Vec<f32>, start: usize },
    /// Stretched on the feeder thread as it plays.
    Stretched(Box<StretchSource>),
}

/// A sound to stretch pass after pass, and the first pass already prepared.
struct StretchSource {
    /// Interleaved, one or two channels, at `rate`.
    input: Arc<[f32]>,
    channels: usize,
    rate: u32,
    device_rate: u32,
    how: Stretch,
    /// The pass from the start position; later passes start at the top.
    first: Stretcher,
    /// Whether the first pass starts at the top (and so can be kept for the next passes).
    first_is_whole: bool,
}

impl Source {
    /// Resample every channel to the device rate; transposing up plays the file as if it
    /// were recorded at a higher rate.
    fn resampled(
        path: &Path,
        planes: &[Vec<f32>],
        rate: u32,
        device_rate: u32,
        channels: u16,
        transpose: f32,
        start_s: f64,
    ) -> Result<Source, DeviceError> {
        let ratio_rate = rate as f64 * 2f64.powf(transpose as f64 / 12.0);
        let from = ratio_rate.round().max(1.0) as u32;
        let src: Vec<Vec<f32>> = planes
            .iter()
            .map(|p| resample_mono(p, from, device_rate))
            .collect::<Result<_, _>>()
            .map_err(|reason| resample_error(path, reason))?;
        let frames = src.first().map_or(0, Vec::len);
        // The start is in the file's time; transposed, the file runs faster or slower.
        let speed = 2f64.powf(transpose as f64 / 12.0);
        let start = ((start_s.max(0.0) / speed * device_rate as f64) as usize).min(frames);
        Ok(Source::Plain {
            data: interleave(&src, channels as usize),
            start,
        })
    }

    /// Fold to at most two channels (what the stretcher takes), bring a rate it does not
    /// take to the device's, and prepare the first pass from `start_s` (seconds of the file).
    fn stretched(
        path: &Path,
        mut planes: Vec<Vec<f32>>,
        mut rate: u32,
        device_rate: u32,
        how: Stretch,
        start_s: f64,
    ) -> Result<Source, DeviceError> {
        let refuse = |reason: String| {
            DeviceError::Stream(format!("{}: cannot play in sync: {reason}", path.display()))
        };
        if !RATES.contains(&device_rate) {
            return Err(refuse(format!("the output runs at {device_rate} Hz")));
        }
        if !RATES.contains(&rate) {
            planes = planes
                .iter()
                .map(|p| resample_mono(p, rate, device_rate))
                .collect::<Result<_, _>>()
                .map_err(|reason| resample_error(path, reason))?;
            rate = device_rate;
        }
        let channels = planes.len().clamp(1, 2);
        let input: Arc<[f32]> = interleave(&planes, channels).into();
        let frames = input.len() / channels;
        let start = ((start_s.max(0.0) * rate as f64) as usize).min(frames);
        let first = Stretcher::new(Arc::clone(&input), start, channels, rate, device_rate, how)
            .map_err(refuse)?;
        Ok(Source::Stretched(Box::new(StretchSource {
            input,
            channels,
            rate,
            device_rate,
            how,
            first,
            first_is_whole: start == 0,
        })))
    }
}

/// Keep only `a..b` seconds of `planes` (clamped to the sound, at least one frame when the
/// sound has any); returns the seconds kept.
fn cut_region(planes: &mut [Vec<f32>], rate: u32, a: f64, b: f64) -> (f64, f64) {
    let frames = planes.first().map_or(0, Vec::len);
    let at = |s: f64| {
        if s.is_finite() {
            ((s.max(0.0) * rate as f64) as usize).min(frames)
        } else {
            frames
        }
    };
    let lo = at(a.min(b)).min(frames.saturating_sub(1));
    let hi = at(a.max(b)).max(lo + 1).min(frames);
    for p in planes.iter_mut() {
        p.truncate(hi);
        p.drain(..lo);
    }
    (lo as f64 / rate as f64, hi as f64 / rate as f64)
}

fn resample_error(path: &Path, reason: String) -> DeviceError {
    DeviceError::Decode(crate::DecodeError::Resample {
        path: path.to_path_buf(),
        reason,
    })
}

/// Planar to interleaved with `channels` outputs: mono is copied to every output, more
/// inputs than outputs are folded round-robin and averaged.
fn interleave(src: &[Vec<f32>], channels: usize) -> Vec<f32> {
    let frames = src.first().map_or(0, Vec::len);
    let mut out = vec![0.0f32; frames * channels];
    if src.is_empty() || channels == 0 {
        return out;
    }
    for c in 0..channels {
        let inputs: Vec<&Vec<f32>> = if src.len() == 1 {
            vec![&src[0]]
        } else {
            src.iter()
                .enumerate()
                .filter(|(i, _)| i % channels == c % src.len().min(channels))
                .map(|(_, p)| p)
                .collect()
        };
        let scale = 1.0 / inputs.len().max(1) as f32;
        for f in 0..frames {
            out[f * channels + c] = inputs.iter().map(|p| p[f]).sum::<f32>() * scale;
        }
    }
    out
}

/// Write `n` samples of silence (the ring is empty and larger than the pre-roll, so this
/// always fits).
fn write_preroll(producer: &mut rtrb::Producer<f32>, n: usize) {
    if let Ok(mut chunk) = producer.write_chunk(n.min(producer.slots())) {
        let (a, b) = chunk.as_mut_slices();
        a.fill(0.0);
        b.fill(0.0);
        chunk.commit_all();
    }
}

/// Push all of `data` into the ring, waiting for room; false when asked to stop first.
fn push_all(producer: &mut rtrb::Producer<f32>, mut data: &[f32], shared: &Shared) -> bool {
    while !data.is_empty() {
        if shared.stop.load(Ordering::Acquire) {
            return false;
        }
        let n = producer.slots().min(data.len());
        if n == 0 {
            std::thread::sleep(Duration::from_millis(2));
            continue;
        }
        if let Ok(mut chunk) = producer.write_chunk(n) {
            let (a, b) = chunk.as_mut_slices();
            let split = a.len();
            a.copy_from_slice(&data[..split]);
            b.copy_from_slice(&data[split..n]);
            chunk.commit_all();
            data = &data[n..];
        }
    }
    true
}

/// The feeder loop: `preroll` samples of silence, then keep the ring full, wrapping
/// around when looping.
fn feed(
    mut producer: rtrb::Producer<f32>,
    data: &[f32],
    start: usize,
    looped: bool,
    preroll: usize,
    shared: &Shared,
) {
    write_preroll(&mut producer, preroll);
    shared.primed.store(true, Ordering::Release);
    let mut from = start.min(data.len());
    loop {
        if !push_all(&mut producer, &data[from..], shared) || !looped || data.is_empty() {
            break;
        }
        from = 0;
    }
    shared.feeder_done.store(true, Ordering::Release);
}

/// The feeder loop of a synced sound: stretch block by block into the ring (spread over
/// the device's channels), pass after pass when looping. A pass from the top is kept, up to
/// [`MAX_CACHED_PASS_SECONDS`], and replayed instead of stretched again.
fn feed_stretched(
    mut producer: rtrb::Producer<f32>,
    source: Box<StretchSource>,
    device_channels: usize,
    looped: bool,
    preroll: usize,
    shared: &Shared,
) {
    let StretchSource {
        input,
        channels,
        rate,
        device_rate,
        how,
        first,
        first_is_whole,
    } = *source;
    // The pre-roll goes in with the first stretched block, not before: until the stretcher
    // has primed, the stream plays silence without counting it as a glitch.
    let mut preroll_due = Some(preroll);
    // The stream starts once this much is in the ring: a server's first request takes
    // several buffers at once, more than one stretched block.
    let prime_samples = PRIME_BUFFERS * BUFFER_FRAMES as usize * device_channels;
    let mut pushed = 0usize;
    let keep_up_to = (MAX_CACHED_PASS_SECONDS * device_rate as f64) as usize * device_channels;
    let mut spread = Vec::new();
    let mut stretcher = Some(first);
    let mut whole = first_is_whole;
    let mut kept: Option<Vec<f32>> = None;
    'passes: loop {
        if let Some(pass) = &kept {
            if !push_all(&mut producer, pass, shared) {
                break;
            }
        } else {
            let mut s = match stretcher.take() {
                Some(s) => s,
                None => {
                    match Stretcher::new(Arc::clone(&input), 0, channels, rate, device_rate, how) {
                        Ok(s) => s,
                        Err(e) => {
                            tracing::warn!("cannot stretch the next pass: {e}");
                            break;
                        }
                    }
                }
            };
            let total = s.total_frames() as usize * device_channels;
            let mut keeping =
                (whole && looped && total <= keep_up_to).then(|| Vec::with_capacity(total));
            loop {
                match s.next_block() {
                    Ok(Some(block)) => {
                        spread_channels(block, channels, device_channels, &mut spread);
                        if let Some(k) = &mut keeping {
                            k.extend_from_slice(&spread);
                        }
                        if let Some(n) = preroll_due.take() {
                            write_preroll(&mut producer, n);
                        }
                        if !push_all(&mut producer, &spread, shared) {
                            break 'passes;
                        }
                        pushed += spread.len();
                        if pushed >= prime_samples {
                            shared.primed.store(true, Ordering::Release);
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        tracing::warn!("the stretcher failed: {e}");
                        break 'passes;
                    }
                }
            }
            kept = keeping;
        }
        if !looped {
            break;
        }
        whole = true;
    }
    shared.primed.store(true, Ordering::Release);
    shared.feeder_done.store(true, Ordering::Release);
}

/// Interleaved `block` of `from` channels to `to` channels in `out`: mono goes to every
/// output, stereo to one output is averaged, stereo to more outputs alternates sides.
fn spread_channels(block: &[f32], from: usize, to: usize, out: &mut Vec<f32>) {
    out.clear();
    if from == 0 || to == 0 {
        return;
    }
    for frame in block.chunks_exact(from) {
        if to == 1 {
            out.push(frame.iter().sum::<f32>() / from as f32);
        } else {
            out.extend((0..to).map(|c| frame[c % from]));
        }
    }
}

/// Build the output stream for sample type `T`.
fn build<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    mut consumer: rtrb::Consumer<f32>,
    shared: &Arc<Shared>,
    fade_frames: u32,
) -> Result<cpal::Stream, DeviceError>
where
    T: SizedSample + FromSample<f32>,
{
    let channels = config.channels as usize;
    let cb = Arc::clone(shared);
    let err_shared = Arc::clone(shared);
    // Callback-owned ramp state: fade in from the first frame, fade out on request.
    let mut ramp = 0.0f32;
    let step = 1.0 / fade_frames.max(1) as f32;
    device
        .build_output_stream::<T, _, _>(
            *config,
            move |data: &mut [T], info: &cpal::OutputCallbackInfo| {
                // Two clock reads per callback (vDSO, no syscall): the callback's own cost.
                let t0 = Instant::now();
                let ts = info.timestamp();
                let latency = ts.playback.duration_since(ts.callback).as_nanos() as u64;
                cb.latency_ns.fetch_max(latency, Ordering::Relaxed);
                let gain = f32::from_bits(cb.gain.load(Ordering::Relaxed));
                let fading_out = cb.fade_out.load(Ordering::Acquire);
                let want = data.len();
                let avail = consumer.slots().min(want);
                let avail = avail - avail % channels.max(1);
                let mut written = 0;
                if let Ok(chunk) = consumer.read_chunk(avail) {
                    let (a, b) = chunk.as_slices();
                    for frame in a.chunks_exact(channels).chain(b.chunks_exact(channels)) {
                        ramp = if fading_out {
                            (ramp - step).max(0.0)
                        } else {
                            (ramp + step).min(1.0)
                        };
                        for (o, v) in data[written..written + channels].iter_mut().zip(frame) {
                            *o = T::from_sample(v * gain * ramp);
                        }
                        written += channels;
                    }
                    chunk.commit_all();
                }
                for o in &mut data[written..] {
                    *o = T::EQUILIBRIUM;
                }
                cb.frames_out
                    .fetch_add((written / channels.max(1)) as u64, Ordering::Relaxed);
                if fading_out && ramp <= 0.0 {
                    cb.faded.store(true, Ordering::Release);
                }
                if written < want {
                    if cb.feeder_done.load(Ordering::Acquire) {
                        cb.drained.store(true, Ordering::Release);
                    } else if cb.primed.load(Ordering::Acquire) {
                        cb.underruns.fetch_add(1, Ordering::Relaxed);
                    }
                }
                let ns = t0.elapsed().as_nanos() as u64;
                cb.callbacks.fetch_add(1, Ordering::Relaxed);
                cb.busy_ns.fetch_add(ns, Ordering::Relaxed);
                cb.busy_max_ns.fetch_max(ns, Ordering::Relaxed);
            },
            move |_err| {
                err_shared.errors.fetch_add(1, Ordering::Relaxed);
            },
            None,
        )
        .map_err(|e| DeviceError::Stream(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::{cut_region, interleave, spread_channels};

    #[test]
    fn mono_goes_to_both_outputs_and_stereo_keeps_its_sides() {
        assert_eq!(interleave(&[vec![1.0, 2.0]], 2), vec![1.0, 1.0, 2.0, 2.0]);
        assert_eq!(interleave(&[vec![1.0], vec![3.0]], 2), vec![1.0, 3.0]);
        assert_eq!(interleave(&[vec![1.0], vec![3.0]], 1), vec![2.0]);
    }

    #[test]
    fn a_region_keeps_its_part_of_every_channel() {
        let mut planes = vec![(0..10).map(|i| i as f32).collect::<Vec<_>>(); 2];
        assert_eq!(cut_region(&mut planes, 10, 0.7, 0.3), (0.3, 0.7));
        assert_eq!(planes[1], vec![3.0, 4.0, 5.0, 6.0]);
        // Past the end, or empty: one frame is kept, so a click still plays something.
        let mut planes = vec![(0..10).map(|i| i as f32).collect::<Vec<_>>()];
        assert_eq!(cut_region(&mut planes, 10, 5.0, f64::NAN), (0.9, 1.0));
        assert_eq!(planes[0], vec![9.0]);
    }

    #[test]
    fn a_stretched_block_spreads_over_the_device_channels() {
        let mut out = Vec::new();
        spread_channels(&[1.0, 2.0], 1, 2, &mut out);
        assert_eq!(out, vec![1.0, 1.0, 2.0, 2.0]);
        spread_channels(&[1.0, 3.0], 2, 1, &mut out);
        assert_eq!(out, vec![2.0]);
        spread_channels(&[1.0, 3.0], 2, 4, &mut out);
        assert_eq!(out, vec![1.0, 3.0, 1.0, 3.0]);
    }
}
