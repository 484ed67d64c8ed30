//! The settings panel: library folders, language-model providers (local first, cloud off by
//! default) and their API keys in the OS keyring, the answer cache's size and lifetime,
//! audio devices.

use std::path::PathBuf;

use samplemind::ai::keys::KeySource;
use samplemind::config::{ProviderKind, ProviderSettings};
use tauri::State;

use super::blocking;
use crate::dto::{AppSettings, ProviderSetting};
use crate::error::{AppError, CmdResult, ErrorKind};
use crate::state::{AppState, Shared};

fn kind_name(k: ProviderKind) -> &'static str {
    match k {
        ProviderKind::Ollama => "ollama",
        ProviderKind::Openai => "openai",
        ProviderKind::Anthropic => "anthropic",
    }
}

/// The settings as the panel shows them.
#[tauri::command]
#[specta::specta]
pub async fn get_settings(state: State<'_, Shared>) -> CmdResult<AppSettings> {
    // Asking the OS keyring is a D-Bus round trip (or an unlock prompt): off the async threads.
    blocking(&state, |st| Ok(settings_view(st))).await
}

fn settings_view(st: &AppState) -> AppSettings {
    let s = st.settings();
    let keys = samplemind::ai::keys::status(&s.ai);
    AppSettings {
        library_folders: s
            .library
            .folders
            .iter()
            .map(|f| f.display().to_string())
            .collect(),
        ai_cloud: s.ai.cloud,
        cache_max_mb: s.ai.cache_max_mb.min(u32::MAX as u64) as u32,
        cache_ttl_days: s.ai.cache_ttl_days,
        providers: s
            .ai
            .providers
            .iter()
            .map(|p| ProviderSetting {
                name: p.name.clone(),
                kind: kind_name(p.kind).into(),
                url: p.url.clone(),
                model: p.model.clone(),
                cloud: p.cloud,
                api_key_env: p.api_key_env.clone(),
                key_source: keys
                    .iter()
                    .find(|k| k.provider == p.name)
                    .map_or("none", |k| match k.source {
                        KeySource::Environment(_) => "environment",
                        KeySource::Keyring => "keyring",
                        KeySource::None => "none",
                    })
                    .into(),
                key_error: keys
                    .iter()
                    .find(|k| k.provider == p.name)
                    .and_then(|k| k.keyring_error.clone()),
            })
            .collect(),
        output_device: s.audio.output_device,
        input_device: s.audio.input_device,
    }
}

/// Save the settings (config.toml) and rebuild the AI router with them.
#[tauri::command]
#[specta::specta]
pub async fn save_settings(state: State<'_, Shared>, settings: AppSettings) -> CmdResult<()> {
    blocking(&state, move |st| {
        let mut s = st.settings();
        s.library.folders = settings.library_folders.iter().map(PathBuf::from).collect();
        s.ai.cloud = settings.ai_cloud;
        s.ai.cache_max_mb = settings.cache_max_mb.into();
        s.ai.cache_ttl_days = settings.cache_ttl_days.max(0.0);
        let old = s.ai.providers.clone();
        s.ai.providers = settings
            .providers
            .iter()
            .map(|p| {
                let kind = match p.kind.as_str() {
                    "ollama" => ProviderKind::Ollama,
                    "openai" => ProviderKind::Openai,
                    "anthropic" => ProviderKind::Anthropic,
                    other => {
                        return Err(AppError::new(
                            ErrorKind::BadInput,
                            format!("provider {}: unknown kind {other:?}", p.name),
                        ))
                    }
                };
                // Fields the panel does not edit (context window, prices) are kept.
                let before = old.iter().find(|o| o.name == p.name);
                Ok(ProviderSettings {
                    name: p.name.clone(),
                    kind,
                    url: p.url.clone(),
                    model: p.model.clone(),
                    cloud: p.cloud,
                    api_key_env: p.api_key_env.clone().filter(|e| !e.is_empty()),
                    context_window: before.and_then(|b| b.context_window),
                    price_per_mtok: before.and_then(|b| b.price_per_mtok),
                })
            })
            .collect::<CmdResult<_>>()?;
        s.audio.output_device = settings.output_device.filter(|d| !d.is_empty());
        s.audio.input_device = settings.input_device.filter(|d| !d.is_empty());
        s.save_to(&st.config_path)
            .map_err(|e| AppError::new(ErrorKind::Other, e))?;
        if let Ok(mut cur) = st.settings.write() {
            *cur = s;
        }
        reload_router(st);
        Ok(())
    })
    .await
}

fn reload_router(st: &AppState) {
    // The old router holds the cache open; drop it before the new one opens it.
    if let Ok(mut r) = st.router.write() {
        *r = None;
    }
    st.rebuild_router();
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
        reload_router(st);
        Ok(settings_view(st))
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
        reload_router(st);
        Ok(settings_view(st))
    })
    .await
}
