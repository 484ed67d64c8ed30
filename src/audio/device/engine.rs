//! The audition engine a face holds: one sound at a time, and a new one replaces the old
//! with a fade (the old fades out over 5 ms, the new fades in), so clicking or arrowing
//! through a list never clicks.

use std::path::Path;

use super::{DeviceError, PlayOptions, Player, PlayerStats};

/// Plays one sample at a time.
#[derive(Default)]
pub struct AudioEngine {
    current: Option<Player>,
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
        self.current = Some(Player::play(path, opts)?);
        Ok(())
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

    /// Figures of the current sound.
    pub fn stats(&self) -> Option<PlayerStats> {
        self.current.as_ref().map(Player::stats)
    }
}
