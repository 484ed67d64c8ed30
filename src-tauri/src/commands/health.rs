//! The health panel: the same report as `samplemind health` and the HTTP API.

use tauri::State;

use super::blocking;
use crate::error::CmdResult;
use crate::state::Shared;

/// Every component's status, the cache's figures, CPU and memory.
#[tauri::command]
#[specta::specta]
pub async fn health(state: State<'_, Shared>) -> CmdResult<serde_json::Value> {
    blocking(&state, |st| {
        let settings = st.settings();
        let h = match st.router() {
            Ok(router) => samplemind::health::check_with_router(
                Some(&st.lib),
                st.started,
                &settings.ml,
                &settings.ai,
                &router,
            ),
            Err(_) => samplemind::health::check_with_ai(
                Some(&st.lib),
                st.started,
                &settings.ml,
                Some((&settings.ai, &samplemind::ai::setup::cache_dir())),
            ),
        };
        let h = h.with_audio_engine(st.audio.health());
        Ok(serde_json::to_value(h).unwrap_or_default())
    })
    .await
}
