//! A one-shot played from a keyboard or pads: [`crate::voices`] on an output stream.
//!
//! Notes reach the audio callback through a lock-free ring (the MIDI input's thread, or any
//! caller, pushes; the callback pops), and the callback renders the voices into a scratch
//! buffer made before the stream starts: no allocation, lock or I/O in the callback.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use cpal::traits::{DeviceTrait, StreamTrait};
use cpal::{FromSample, SizedSample};

use super::{find_device, stream_config, DeviceError, Direction, BUFFER_FRAMES};
use crate::decode::{decode_file, Planes};
use crate::resample_mono;
use crate::voices::{NoteEvent, SamplerSound, Voices};

/// Longest sound a sampler holds, samples over all channels (a minute of stereo at 48 kHz;
/// one-shots are short).
const MAX_SAMPLES: usize = 60 * 48_000 * 2;

/// Note events queued between two callbacks at most.
const EVENTS: usize = 256;

/// Where notes go: hand it to a MIDI input, or send notes yourself.
pub struct NoteSender {
    ring: rtrb::Producer<NoteEvent>,
    dropped: Arc<AtomicU64>,
}

impl NoteSender {
    /// Queue a note for the next callback; a full queue (over [`EVENTS`] notes within one
    /// callback) drops it and counts it.
    pub fn send(&mut self, e: NoteEvent) {
        if self.ring.push(e).is_err() {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }
}

/// A sound on an output stream, played by notes. Dropping it closes the stream.
pub struct Sampler {
    _stream: cpal::Stream,
    /// Notes dropped because the queue was full.
    dropped: Arc<AtomicU64>,
    /// Callbacks run.
    callbacks: Arc<AtomicU64>,
    /// The output's rate.
    pub device_rate: u32,
}

impl Sampler {
    /// Decode `path` (its root note `root`, MIDI), and open the output `device` (None: the
    /// default) to play it by notes; returns the sampler and where to send notes.
    ///
    /// # Errors
    /// Decode errors naming the file; [`DeviceError`] when the device cannot be opened.
    pub fn start(
        path: &Path,
        root: u8,
        device: Option<&str>,
    ) -> Result<(Sampler, NoteSender), DeviceError> {
        let mut sound = Planes::up_to(MAX_SAMPLES);
        let summary = decode_file(path, &mut sound)?;
        let device = find_device(device, Direction::Output)?;
        let supported = device
            .default_output_config()
            .map_err(|e| DeviceError::Stream(e.to_string()))?;
        let rate = supported.sample_rate();
        let channels = supported.channels();
        let planes: Vec<Vec<f32>> = sound
            .planes
            .iter()
            .take(2)
            .map(|p| resample_mono(p, summary.info.sample_rate, rate))
            .collect::<Result<_, _>>()
            .map_err(|reason| {
                DeviceError::Decode(crate::DecodeError::Resample {
                    path: path.to_path_buf(),
                    reason,
                })
            })?;
        let ch = planes.len().max(1);
        let frames = planes.first().map_or(0, Vec::len);
        let mut data = Vec::with_capacity(frames * ch);
        for f in 0..frames {
            data.extend(planes.iter().map(|p| p[f]));
        }
        let voices = Voices::new(
            SamplerSound {
                data: data.into(),
                channels: ch,
                root,
            },
            rate,
        );
        let (producer, consumer) = rtrb::RingBuffer::new(EVENTS);
        let dropped = Arc::new(AtomicU64::new(0));
        let callbacks = Arc::new(AtomicU64::new(0));
        let config = stream_config(channels, rate);
        let counter = Arc::clone(&callbacks);
        let stream = super::build_for_format!(
            supported.sample_format(),
            build(&device, &config, voices, consumer, counter)
        )?;
        stream
            .play()
            .map_err(|e| DeviceError::Stream(e.to_string()))?;
        Ok((
            Sampler {
                _stream: stream,
                dropped: Arc::clone(&dropped),
                callbacks,
                device_rate: rate,
            },
            NoteSender {
                ring: producer,
                dropped,
            },
        ))
    }

    /// Notes dropped because the queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    /// Callbacks run so far.
    pub fn callbacks(&self) -> u64 {
        self.callbacks.load(Ordering::Relaxed)
    }
}

fn build<T>(
    device: &cpal::Device,
    config: &cpal::StreamConfig,
    mut voices: Voices,
    mut notes: rtrb::Consumer<NoteEvent>,
    callbacks: Arc<AtomicU64>,
) -> Result<cpal::Stream, DeviceError>
where
    T: SizedSample + FromSample<f32>,
{
    let channels = config.channels as usize;
    // Made here, before the stream runs: the callback renders into it a piece at a time.
    let mut scratch = vec![0.0f32; BUFFER_FRAMES as usize * channels.max(1)];
    device
        .build_output_stream::<T, _, _>(
            *config,
            move |data: &mut [T], _| {
                while let Ok(e) = notes.pop() {
                    voices.handle(e);
                }
                for piece in data.chunks_mut(scratch.len().max(1)) {
                    let buf = &mut scratch[..piece.len()];
                    buf.fill(0.0);
                    voices.render(buf, channels);
                    for (o, v) in piece.iter_mut().zip(buf.iter()) {
                        *o = T::from_sample(v.clamp(-1.0, 1.0));
                    }
                }
                callbacks.fetch_add(1, Ordering::Relaxed);
            },
            |_err| {},
            None,
        )
        .map_err(|e| DeviceError::Stream(e.to_string()))
}

/// A sampler and its MIDI input on a thread of their own (a stream may not move between
/// threads on every platform), for a face that starts and stops it from separate calls.
/// Dropping it stops it.
pub struct PadsSession {
    stop: Option<std::sync::mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    /// The MIDI input's name.
    pub input: String,
}

impl PadsSession {
    /// Open `path` (root note `root`) on `device` and the MIDI input named like `port`.
    ///
    /// # Errors
    /// As [`Sampler::start`] and [`super::midi::connect`].
    pub fn start(
        path: &Path,
        root: u8,
        device: Option<String>,
        port: Option<String>,
    ) -> Result<PadsSession, DeviceError> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop_tx, stop_rx) = std::sync::mpsc::channel::<()>();
        let path = path.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("samplemind-pads".into())
            .spawn(move || {
                let opened =
                    Sampler::start(&path, root, device.as_deref()).and_then(|(sampler, notes)| {
                        super::midi::connect(port.as_deref(), notes).map(|m| (sampler, m))
                    });
                match opened {
                    Ok((_sampler, input)) => {
                        let _ = ready_tx.send(Ok(input.name.clone()));
                        // Held until asked to stop (or the session is dropped).
                        let _ = stop_rx.recv();
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                    }
                }
            })
            .map_err(|e| DeviceError::Stream(e.to_string()))?;
        let input = ready_rx
            .recv()
            .map_err(|_| DeviceError::Stream("the pads thread ended".into()))??;
        Ok(PadsSession {
            stop: Some(stop_tx),
            thread: Some(thread),
            input,
        })
    }
}

impl Drop for PadsSession {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
