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
                Some((&settings.ai, &samplemind::config::ai_cache_dir())),
            ),
        };
        Ok(h.with_audio_engine(st.audio.health()))
    })
    .await
}
