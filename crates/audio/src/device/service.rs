//! [`AudioService`]: the [`AudioEngine`] on a thread of its own, so that faces holding shared
//! state (the desktop app, the HTTP API) can audition from any thread.
//!
//! A cpal stream is not `Send` on every platform, so the engine never leaves the thread that
//! made it; callers send it commands and wait for the answer. The thread also supervises the
//! stream (reopening after a lost device) between commands.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Mutex;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::engine::{EngineState, Worker};
use super::{AudioEngine, DeviceError, PlayOptions, PlayerStats};

/// The audition thread's name (as `ps -L` and the health report show it).
const THREAD_NAME: &str = "samplemind-audio";

/// How often the idle thread checks the stream for errors.
const SUPERVISE_EVERY: Duration = Duration::from_millis(250);

/// What the engine is doing.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct AudioStatus {
    /// What the engine is doing.
    pub state: EngineState,
    /// A sound is playing (a finished one-shot is not).
    pub playing: bool,
    /// The engine's threads: its own, the device callback and the feeder.
    pub workers: Vec<Worker>,
    /// The open stream's sample rate, Hz.
    pub device_rate: Option<u32>,
    /// The open stream's channels.
    pub channels: Option<u16>,
    /// The file last started.
    pub file: Option<PathBuf>,
    /// Where it is, seconds from the start of the file.
    pub position_s: Option<f64>,
    /// Times the stream was reopened after an error.
    pub reopened: u32,
    /// Figures of the current sound.
    pub stats: Option<PlayerStats>,
}

type Reply<T> = mpsc::Sender<T>;

enum Command {
    Play(PathBuf, PlayOptions, Reply<Result<Duration, DeviceError>>),
    Seek(f64, Reply<Result<(), DeviceError>>),
    Stop(Reply<()>),
    Status(Reply<AudioStatus>),
    Quit,
}

/// A handle to the audition thread. `Send + Sync`; dropping it stops the sound and the
/// thread.
pub struct AudioService {
    tx: mpsc::Sender<Command>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

/// The thread is gone (it panicked): the face shows this rather than hanging.
fn gone() -> DeviceError {
    DeviceError::Host("the audio thread stopped".into())
}

impl AudioService {
    /// Start the audition thread (no device is opened until the first sound).
    pub fn start() -> Self {
        let (tx, rx) = mpsc::channel::<Command>();
        let thread = std::thread::Builder::new()
            .name(THREAD_NAME.into())
            .spawn(move || {
                let mut engine = AudioEngine::new();
                let mut file: Option<PathBuf> = None;
                loop {
                    match rx.recv_timeout(SUPERVISE_EVERY) {
                        Ok(Command::Play(path, opts, reply)) => {
                            let t0 = Instant::now();
                            let r = engine.play(&path, &opts).map(|()| t0.elapsed());
                            file = Some(path);
                            let _ = reply.send(r);
                        }
                        Ok(Command::Seek(s, reply)) => {
                            let _ = reply.send(engine.seek(s));
                        }
                        Ok(Command::Stop(reply)) => {
                            engine.stop();
                            let _ = reply.send(());
                        }
                        Ok(Command::Status(reply)) => {
                            let playing = engine.is_playing();
                            let format = engine.device_format();
                            let mut workers = vec![Worker {
                                name: THREAD_NAME.into(),
                                running: true,
                            }];
                            workers.extend(engine.workers());
                            let _ = reply.send(AudioStatus {
                                state: engine.state(),
                                playing,
                                workers,
                                device_rate: format.map(|f| f.0),
                                channels: format.map(|f| f.1),
                                file: file.clone(),
                                position_s: if playing { engine.position() } else { None },
                                reopened: engine.reopened(),
                                stats: engine.stats(),
                            });
                        }
                        Ok(Command::Quit) | Err(RecvTimeoutError::Disconnected) => {
                            engine.stop();
                            return;
                        }
                        Err(RecvTimeoutError::Timeout) => {
                            if let Err(e) = engine.supervise() {
                                tracing::warn!("audio: {e}");
                            }
                        }
                    }
                }
            })
            .ok();
        Self {
            tx,
            thread: Mutex::new(thread),
        }
    }

    fn ask<T>(&self, make: impl FnOnce(Reply<T>) -> Command) -> Option<T> {
        let (reply, answer) = mpsc::channel();
        self.tx.send(make(reply)).ok()?;
        answer.recv().ok()
    }

    /// Play `path`, replacing what plays (with a fade). Returns how long opening the sound
    /// took: decode of the first block and stream start.
    ///
    /// # Errors
    /// As [`AudioEngine::play`].
    pub fn play(&self, path: &Path, opts: &PlayOptions) -> Result<Duration, DeviceError> {
        self.ask(|r| Command::Play(path.to_path_buf(), opts.clone(), r))
            .unwrap_or_else(|| Err(gone()))
    }

    /// Jump to `seconds` in the current sound.
    ///
    /// # Errors
    /// As [`AudioEngine::seek`].
    pub fn seek(&self, seconds: f64) -> Result<(), DeviceError> {
        self.ask(|r| Command::Seek(seconds, r))
            .unwrap_or_else(|| Err(gone()))
    }

    /// Fade out and stop.
    pub fn stop(&self) {
        let _ = self.ask(Command::Stop);
    }

    /// What plays now; a default (idle) status when the thread is gone.
    pub fn status(&self) -> AudioStatus {
        self.try_status().unwrap_or_default()
    }

    /// What plays now, or `None` when the audition thread is gone (it panicked).
    pub fn try_status(&self) -> Option<AudioStatus> {
        self.ask(Command::Status)
    }

    /// The engine's state for the health report: [`EngineState::Stopped`] with no workers
    /// when the thread is gone.
    pub fn health(&self) -> AudioStatus {
        self.try_status().unwrap_or(AudioStatus {
            state: EngineState::Stopped,
            ..AudioStatus::default()
        })
    }
}

impl Drop for AudioService {
    fn drop(&mut self) {
        let _ = self.tx.send(Command::Quit);
        if let Some(t) = self.thread.lock().ok().and_then(|mut t| t.take()) {
            let _ = t.join();
        }
    }
}
