//! Audition: play a sample at once (replacing what plays, with a fade), stop, and list
//! devices.

use samplemind::audio::device::{list_devices as core_devices, PlayOptions};
use tauri::State;

use super::blocking;
use crate::dto::{AudioState, Device, PlayStarted};
use crate::error::CmdResult;
use crate::state::Shared;

/// Play sample `id`; `looped` repeats it, `transpose` shifts it by semitones, `start_s`
/// starts it that far in (a click on the waveform).
#[tauri::command]
#[specta::specta]
pub async fn play_sample(
    state: State<'_, Shared>,
    id: String,
    looped: bool,
    transpose: f32,
    start_s: Option<f64>,
) -> CmdResult<PlayStarted> {
    blocking(&state, move |st| {
        let (path, _) = st.sample(&id)?;
        let mut opts = PlayOptions::on(st.settings().audio.output_device);
        opts.looped = looped;
        opts.transpose = transpose.clamp(-24.0, 24.0);
        // A start past the end plays nothing; a non-number is the start.
        opts.start_s = start_s.filter(|s| s.is_finite()).unwrap_or(0.0).max(0.0);
        let took = st.audio.play(&path, &opts)?;
        Ok(PlayStarted {
            open_ms: took.as_secs_f64() * 1000.0,
        })
    })
    .await
}

/// Fade out and stop.
#[tauri::command]
#[specta::specta]
pub async fn stop_audio(state: State<'_, Shared>) -> CmdResult<()> {
    blocking(&state, |st| {
        st.audio.stop();
        Ok(())
    })
    .await
}

/// What plays now.
#[tauri::command]
#[specta::specta]
pub async fn audio_state(state: State<'_, Shared>) -> CmdResult<AudioState> {
    blocking(&state, |st| {
        let s = st.audio.status();
        Ok(AudioState {
            playing: s.playing,
            path: s.file.map(|f| f.display().to_string()),
            position_s: s.position_s,
            underruns: s.stats.map(|s| s.underruns as u32).unwrap_or(0),
        })
    })
    .await
}

/// Audio devices of the host.
#[tauri::command]
#[specta::specta]
pub async fn list_devices(state: State<'_, Shared>) -> CmdResult<Vec<Device>> {
    blocking(&state, |_| {
        Ok(core_devices()?
            .into_iter()
            .map(|d| Device {
                id: d.id,
                name: d.name,
                input: d.input,
                output: d.output,
            })
            .collect())
    })
    .await
}
