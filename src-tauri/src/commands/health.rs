//! The health panel: the same report as `samplemind health` and the HTTP API.

use tauri::State;

use super::blocking;
use crate::error::CmdResult;
use crate::state::Shared;

/// Every component's status, the cache's figures, CPU and memory.
#[tauri::command]
#[specta::specta]
pub async fn health(state: State<'_, Shared>) -> CmdResult<samplemind::health::Health> {
    blocking(&state, |st| {
        let router = st.router().ok();
        let h = samplemind::health::report(
            Some(&st.lib),
            st.started,
            &st.settings(),
            router.as_deref(),
        );
        Ok(h.with_audio_engine(st.audio.health()))
    })
    .await
}
