//! The audition engine a face holds: one sound at a time, and a new one replaces the old
//! with a fade (the old fades out over 5 ms, the new fades in), so clicking or arrowing
//! through a list never clicks.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{DeviceError, PlayOptions, Player, PlayerStats};

/// What the audition engine is doing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EngineState {
    /// No stream open.
    #[default]
    Idle,
    /// A sound is playing.
    Playing,
    /// The last one-shot played to its end; its stream is still open.
    Finished,
    /// The engine's thread is gone (it panicked): nothing can play until the face restarts.
    Stopped,
}

/// One of the engine's threads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Worker {
    /// What it does.
    pub name: String,
    /// Whether it is running now.
    pub running: bool,
}

/// Plays one sample at a time.
#[derive(Default)]
pub struct AudioEngine {
    current: Option<Player>,
    /// What plays, to restart it (seek, reopen).
    file: Option<PathBuf>,
    opts: PlayOptions,
    /// Times the stream was reopened after an error.
    reopened: u32,
}

impl AudioEngine {
    /// An idle engine.
    pub fn new() -> Self {
        Self::default()
    }

    /// Play `path`, replacing whatever plays now.
    ///
    /// # Errors
    /// As [`Player::play`]; the previous sound is stopped either way.
    pub fn play(&mut self, path: &Path, opts: &PlayOptions) -> Result<(), DeviceError> {
        if let Some(p) = self.current.take() {
            p.stop_in_background();
        }
        self.file = Some(path.to_path_buf());
        self.opts = opts.clone();
        // Within a region, playback starts inside it: the position reads from there.
        if let Some((a, b)) = opts.region {
            self.opts.start_s = opts.start_s.clamp(a.min(b).max(0.0), a.max(b).max(0.0));
        }
        self.current = Some(Player::play(path, opts)?);
        Ok(())
    }

    /// Jump to `seconds` in the current sound (a fade out, then in at the new place).
    ///
    /// # Errors
    /// As [`Player::play`]; nothing happens when nothing plays.
    pub fn seek(&mut self, seconds: f64) -> Result<(), DeviceError> {
        let Some(file) = self.file.clone() else {
            return Ok(());
        };
        let mut opts = self.opts.clone();
        opts.start_s = seconds.max(0.0);
        self.play(&file, &opts)
    }

    /// Where the current sound is, seconds from the start of the file (as far as the
    /// callback has handed audio to the device).
    pub fn position(&self) -> Option<f64> {
        let p = self.current.as_ref()?;
        let played = p.stats().frames as f64 / p.device_rate.max(1) as f64;
        // Transposing plays the file faster or slower than its own time; a synced sound
        // runs at the project's tempo instead.
        let speed = match self.opts.stretch.filter(|s| !s.is_identity()) {
            Some(s) => 1.0 / s.duration,
            None => 2f64.powf(self.opts.transpose as f64 / 12.0),
        };
        Some(self.opts.start_s + played * speed)
    }

    /// Call now and then (a UI tick): after a stream error or a lost device, reopen the
    /// sound on the default output where it was. Returns true when it reopened.
    ///
    /// # Errors
    /// When the default device cannot be opened either; the engine is then idle.
    pub fn supervise(&mut self) -> Result<bool, DeviceError> {
        let failed = self.current.as_ref().is_some_and(|p| p.stats().errors > 0);
        if !failed {
            return Ok(false);
        }
        let at = self.position().unwrap_or(0.0);
        if let Some(p) = self.current.take() {
            p.stop_in_background();
        }
        let Some(file) = self.file.clone() else {
            return Ok(false);
        };
        let mut opts = self.opts.clone();
        opts.device = None;
        // Past the end of a looping sound the player starts at its end and wraps to 0.
        opts.start_s = at;
        self.current = Some(Player::play(&file, &opts)?);
        self.opts = opts;
        self.reopened += 1;
        tracing::warn!("audio stream failed; reopened on the default output at {at:.2} s");
        Ok(true)
    }

    /// Times the sound was reopened after a stream error.
    pub fn reopened(&self) -> u32 {
        self.reopened
    }

    /// Fade out and stop.
    pub fn stop(&mut self) {
        if let Some(p) = self.current.take() {
            p.stop();
        }
    }

    /// Whether a sound is playing (a finished one-shot counts as stopped).
    pub fn is_playing(&self) -> bool {
        self.current.as_ref().is_some_and(|p| !p.finished())
    }

    /// What the engine is doing.
    pub fn state(&self) -> EngineState {
        match &self.current {
            None => EngineState::Idle,
            Some(p) if p.finished() => EngineState::Finished,
            Some(_) => EngineState::Playing,
        }
    }

    /// The engine's threads besides the caller's: the device callback (while a stream is
    /// open) and the feeder (while it still fills the ring).
    pub fn workers(&self) -> Vec<Worker> {
        let Some(p) = &self.current else {
            return Vec::new();
        };
        vec![
            Worker {
                name: "device callback".into(),
                running: !p.finished(),
            },
            Worker {
                name: "feeder".into(),
                running: p.feeder_running(),
            },
        ]
    }

    /// The open stream's rate and channels.
    pub fn device_format(&self) -> Option<(u32, u16)> {
        self.current.as_ref().map(|p| (p.device_rate, p.channels))
    }

    /// Figures of the current sound.
    pub fn stats(&self) -> Option<PlayerStats> {
        self.current.as_ref().map(Player::stats)
    }
}
