//! Audition: play a sample at once (replacing what plays, with a fade), stop, and list
//! devices.

use samplemind::audio::device::{list_devices as core_devices, PadsSession, PlayOptions};
use tauri::State;

use super::blocking;
use samplemind::sync;

use crate::dto::{AudioState, Device, PlayStarted};
use crate::error::{AppError, CmdResult, ErrorKind};
use crate::state::Shared;

/// Play sample `id`; `looped` repeats it, `transpose` shifts it by semitones, `start_s`
/// starts it that far in (a click on the waveform). With the project's sync on, it plays
/// in the project's tempo and key instead of transposed, a one-shot at `note` (`"C3"`)
/// when one is chosen, and the answer says how.
#[tauri::command]
#[specta::specta]
pub async fn play_sample(
    state: State<'_, Shared>,
    id: String,
    looped: bool,
    transpose: f32,
    start_s: Option<f64>,
    note: Option<String>,
) -> CmdResult<PlayStarted> {
    blocking(&state, move |st| {
        let note = chosen_note(note.as_deref())?;
        let (path, rec) = st.sample(&id)?;
        let settings = st.settings();
        let mut opts = PlayOptions::on(settings.audio.output_device);
        opts.looped = looped;
        opts.transpose = transpose.clamp(-24.0, 24.0);
        // A start past the end plays nothing; a non-number is the start.
        opts.start_s = start_s.filter(|s| s.is_finite()).unwrap_or(0.0).max(0.0);
        let plan = settings
            .project
            .sync
            .then(|| sync::plan(&rec.corrected(), &settings.project, note));
        opts.stretch = plan.as_ref().and_then(|p| p.stretch);
        // The part the producer selected on the waveform is what plays and loops.
        opts.region = selected_part(st, &rec);
        let took = st.audio.play(&path, &opts)?;
        Ok(PlayStarted {
            open_ms: took.as_secs_f64() * 1000.0,
            sync: plan.as_ref().map(sync::SyncView::from),
        })
    })
    .await
}

/// The note a one-shot is to play at, when one is chosen.
fn chosen_note(note: Option<&str>) -> CmdResult<Option<u8>> {
    note.map(|n| {
        samplemind::analysis::pitch::midi_of(n).ok_or_else(|| {
            AppError::new(
                ErrorKind::BadInput,
                format!("note: {n:?} is not a note (C-1 to G9, e.g. \"C3\" or \"F#2\")"),
            )
        })
    })
    .transpose()
}

/// The part of `rec` selected on its waveform, seconds (none when unmarked or unreadable:
/// the whole sound then plays).
fn selected_part(
    st: &crate::state::AppState,
    rec: &samplemind::SampleRecord,
) -> Option<(f64, f64)> {
    st.lib
        .curation(&rec.hash)
        .ok()
        .and_then(|c| c.region)
        .map(|r| r.seconds())
}

/// The project audition follows.
#[tauri::command]
#[specta::specta]
pub async fn get_project(state: State<'_, Shared>) -> CmdResult<sync::Project> {
    blocking(&state, |st| Ok(st.settings().project)).await
}

/// Set the project's tempo, key and sync (kept in config.toml); refused when the tempo or
/// key is not one.
#[tauri::command]
#[specta::specta]
pub async fn set_project(
    state: State<'_, Shared>,
    project: sync::Project,
) -> CmdResult<sync::Project> {
    blocking(&state, move |st| {
        st.save_project(project)?;
        Ok(st.settings().project)
    })
    .await
}

/// Render sample `id` as it is heard, for dragging into a DAW: its selected part only, in
/// the project's tempo and key when sync is on (a one-shot at `note` when one is chosen,
/// as [`play_sample`] plays it); a WAV under `$SAMPLEMIND_HOME/synced`, named
/// with its tempo, key and part (made once, then reused). `None` when it is heard as it is
/// (drag the file itself then).
#[tauri::command]
#[specta::specta]
pub async fn render_heard(
    state: State<'_, Shared>,
    id: String,
    note: Option<String>,
) -> CmdResult<Option<String>> {
    blocking(&state, move |st| {
        let note = chosen_note(note.as_deref())?;
        let (path, rec) = st.sample(&id)?;
        let project = st.settings().project;
        let plan = if project.sync {
            sync::plan(&rec.corrected(), &project, note)
        } else {
            sync::SyncPlan::default()
        };
        let region = selected_part(st, &rec);
        if plan.stretch.is_none() && region.is_none() {
            return Ok(None);
        }
        let out = sync::rendered_path(&path, &rec.hash.to_hex(), &plan, region);
        if !out.exists() {
            sync::render(&path, plan.stretch, region, &out)
                .map_err(|e| AppError::new(ErrorKind::Decode, e))?;
        }
        Ok(Some(out.display().to_string()))
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

/// Play sample `id` from a MIDI keyboard or pads (the input named like `port`, else the
/// first): each note transposed from its root note (C4 when it has none), velocity to level,
/// eight at once. Replaces the one playing; answers the input's name.
#[tauri::command]
#[specta::specta]
pub async fn start_pads(
    state: State<'_, Shared>,
    id: String,
    port: Option<String>,
) -> CmdResult<String> {
    blocking(&state, move |st| {
        let (path, rec) = st.sample(&id)?;
        let root = rec
            .root_note()
            .and_then(samplemind::analysis::pitch::midi_of)
            .unwrap_or(60);
        let mut pads = st
            .pads
            .lock()
            .map_err(|_| AppError::new(ErrorKind::Audio, "the pads lock is poisoned"))?;
        // The old session closes its stream before the new one opens the device.
        pads.take();
        let session = PadsSession::start(&path, root, st.settings().audio.output_device, port)?;
        let name = session.input.clone();
        *pads = Some(session);
        Ok(name)
    })
    .await
}

/// Stop playing from the MIDI input.
#[tauri::command]
#[specta::specta]
pub async fn stop_pads(state: State<'_, Shared>) -> CmdResult<()> {
    blocking(&state, |st| {
        if let Ok(mut p) = st.pads.lock() {
            p.take();
        }
        Ok(())
    })
    .await
}
