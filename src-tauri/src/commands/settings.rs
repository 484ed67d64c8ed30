//! The settings panel: library folders, language-model providers (local first, cloud off by
//! default) and their API keys in the OS keyring, the answer cache's size and lifetime,
//! audio devices. The panel's view of the settings is [`crate::panel`].

use tauri::State;

use super::blocking;
use crate::dto::AppSettings;
use crate::error::{AppError, CmdResult, ErrorKind};
use crate::state::Shared;

/// The settings as the panel shows them.
#[tauri::command]
#[specta::specta]
pub async fn get_settings(state: State<'_, Shared>) -> CmdResult<AppSettings> {
    // Asking the OS keyring is a D-Bus round trip (or an unlock prompt): off the async threads.
    blocking(&state, |st| Ok(AppSettings::of(&st.settings()))).await
}

/// Save the settings (config.toml) and rebuild the AI router with them.
#[tauri::command]
#[specta::specta]
pub async fn save_settings(
    app: tauri::AppHandle,
    state: State<'_, Shared>,
    settings: AppSettings,
) -> CmdResult<()> {
    let shared = state.inner().clone();
    blocking(&state, move |st| {
        st.save_settings(settings.applied_to(st.settings())?)?;
        // The library folders may have changed: watch the ones there are now.
        crate::watcher::restart(&app, &shared);
        Ok(())
    })
    .await
}

/// Store a provider's API key in the OS keyring and rebuild the router with it. The key
/// goes nowhere else: not the config file, the logs, or back to the page.
#[tauri::command]
#[specta::specta]
pub async fn set_api_key(
    state: State<'_, Shared>,
    provider: String,
    key: String,
) -> CmdResult<AppSettings> {
    blocking(&state, move |st| {
        samplemind::ai::keys::store(&provider, &key)
            .map_err(|e| AppError::new(ErrorKind::Ai, format!("{provider}: {e}")))?;
        st.reload_router();
        Ok(AppSettings::of(&st.settings()))
    })
    .await
}

/// Remove a provider's API key from the OS keyring and rebuild the router without it.
#[tauri::command]
#[specta::specta]
pub async fn delete_api_key(state: State<'_, Shared>, provider: String) -> CmdResult<AppSettings> {
    blocking(&state, move |st| {
        samplemind::ai::keys::delete(&provider)
            .map_err(|e| AppError::new(ErrorKind::Ai, format!("{provider}: {e}")))?;
        st.reload_router();
        Ok(AppSettings::of(&st.settings()))
    })
    .await
}
