//! The settings panel's view of `config.toml`: [`AppSettings::of`] shows the settings with
//! where each provider's key comes from, and [`AppSettings::applied_to`] takes the panel's
//! edits back, keeping what the panel does not show.

use std::path::PathBuf;

use samplemind::ai::keys::KeySource;
use samplemind::config::{ProviderKind, ProviderSettings, Settings};

use crate::dto::{AppSettings, ProviderSetting};
use crate::error::{AppError, CmdResult, ErrorKind};

fn kind_name(k: ProviderKind) -> &'static str {
    match k {
        ProviderKind::Ollama => "ollama",
        ProviderKind::Openai => "openai",
        ProviderKind::Anthropic => "anthropic",
    }
}

fn kind_of(provider: &str, name: &str) -> CmdResult<ProviderKind> {
    match name {
        "ollama" => Ok(ProviderKind::Ollama),
        "openai" => Ok(ProviderKind::Openai),
        "anthropic" => Ok(ProviderKind::Anthropic),
        other => Err(AppError::new(
            ErrorKind::BadInput,
            format!("provider {provider}: unknown kind {other:?}"),
        )),
    }
}

impl AppSettings {
    /// The panel's view of `s`. Asks the OS keyring (a D-Bus round trip, or an unlock
    /// prompt): call it off the async threads.
    pub fn of(s: &Settings) -> Self {
        let keys = samplemind::ai::keys::status(&s.ai);
        let key_of = |name: &str| keys.iter().find(|k| k.provider == name);
        Self {
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
                    key_source: key_of(&p.name)
                        .map_or("none", |k| match k.source {
                            KeySource::Environment(_) => "environment",
                            KeySource::Keyring => "keyring",
                            KeySource::None => "none",
                        })
                        .into(),
                    key_error: key_of(&p.name).and_then(|k| k.keyring_error.clone()),
                })
                .collect(),
            output_device: s.audio.output_device.clone(),
            input_device: s.audio.input_device.clone(),
            shared_redis: s.shared.redis.clone(),
        }
    }

    /// `s` with the panel's edits. Fields the panel does not edit (a provider's context
    /// window and prices, every other section) are kept.
    ///
    /// # Errors
    /// A provider of an unknown kind.
    pub fn applied_to(&self, mut s: Settings) -> CmdResult<Settings> {
        s.library.folders = self.library_folders.iter().map(PathBuf::from).collect();
        s.ai.cloud = self.ai_cloud;
        s.ai.cache_max_mb = self.cache_max_mb.into();
        s.ai.cache_ttl_days = self.cache_ttl_days.max(0.0);
        let old = std::mem::take(&mut s.ai.providers);
        s.ai.providers = self
            .providers
            .iter()
            .map(|p| {
                let before = old.iter().find(|o| o.name == p.name);
                Ok(ProviderSettings {
                    name: p.name.clone(),
                    kind: kind_of(&p.name, &p.kind)?,
                    url: p.url.clone(),
                    model: p.model.clone(),
                    cloud: p.cloud,
                    api_key_env: p.api_key_env.clone().filter(|e| !e.is_empty()),
                    context_window: before.and_then(|b| b.context_window),
                    price_per_mtok: before.and_then(|b| b.price_per_mtok),
                })
            })
            .collect::<CmdResult<_>>()?;
        s.audio.output_device = self.output_device.clone().filter(|d| !d.is_empty());
        s.audio.input_device = self.input_device.clone().filter(|d| !d.is_empty());
        s.shared.redis = self
            .shared_redis
            .as_deref()
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .map(String::from);
        // A server named wrongly is refused here, with the reason, not found out later.
        if let Some(Err(e)) = samplemind::ai::shared::SharedCache::from_settings(&s.shared) {
            return Err(AppError::new(ErrorKind::BadInput, e.to_string()));
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_panel_keeps_what_it_does_not_show_and_refuses_an_unknown_kind() {
        let mut s = Settings::default();
        s.ai.providers = vec![ProviderSettings {
            name: "local".into(),
            kind: ProviderKind::Ollama,
            url: "http://127.0.0.1:11434".into(),
            model: "qwen".into(),
            cloud: false,
            api_key_env: None,
            context_window: Some(8192),
            price_per_mtok: None,
        }];
        let mut panel = AppSettings::of(&s);
        panel.providers[0].model = "llama".into();
        panel.output_device = Some(String::new());
        let back = panel.applied_to(s.clone()).unwrap();
        assert_eq!(back.ai.providers[0].model, "llama");
        assert_eq!(back.ai.providers[0].context_window, Some(8192));
        assert_eq!(back.audio.output_device, None);
        panel.providers[0].kind = "gopher".into();
        let e = panel.applied_to(s).unwrap_err();
        assert!(e.message.contains("gopher"), "{}", e.message);
    }

    #[test]
    fn the_studio_redis_is_kept_checked_and_cleared() {
        let s = Settings::default();
        let mut panel = AppSettings::of(&s);
        assert_eq!(panel.shared_redis, None);
        panel.shared_redis = Some(" redis://10.0.0.5:6379/0 ".into());
        let back = panel.applied_to(s.clone()).unwrap();
        assert_eq!(
            back.shared.redis.as_deref(),
            Some("redis://10.0.0.5:6379/0")
        );
        assert_eq!(AppSettings::of(&back).shared_redis, back.shared.redis);
        panel.shared_redis = Some("gopher://nas".into());
        let e = panel.applied_to(s.clone()).unwrap_err();
        assert!(e.message.contains("shared.redis"), "{}", e.message);
        panel.shared_redis = Some(String::new());
        assert_eq!(panel.applied_to(s).unwrap().shared.redis, None);
    }
}
