//! API keys: where a provider's key comes from, and storing one in the OS keyring.
//!
//! A provider's key is the environment variable its settings name (`api_key_env`) when that
//! is set, else the entry the OS keyring holds for it: service [`SERVICE`], account = the
//! provider's name (Keychain on macOS, Credential Manager on Windows, Secret Service on
//! Linux, through the `keyring` crate). The environment wins so that a CI job or a shell can
//! override a stored key without touching it.
//!
//! Keys never reach logs, errors, cache keys or the library: nothing here formats one, and
//! [`KeyStatus`] says where a key is without holding it.

use serde::Serialize;

use crate::settings::{AiSettings, ProviderKind, ProviderSettings};

/// The keyring service every SampleMind key is stored under.
pub const SERVICE: &str = "samplemind";

/// Where a provider's key comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "from", content = "name")]
pub enum KeySource {
    /// The environment variable of this name.
    Environment(String),
    /// The OS keyring.
    Keyring,
    /// No key (fine for local servers).
    None,
}

/// What `ai key status` and the app's settings show for one provider: never the key.
#[derive(Debug, Clone, Serialize)]
pub struct KeyStatus {
    /// The provider's name (the keyring account).
    pub provider: String,
    /// Where its key comes from.
    pub source: KeySource,
    /// Why the keyring could not be read, when it could not.
    pub keyring_error: Option<String>,
}

/// Whether the keyring is worth asking for this provider: Ollama takes no key.
fn keyed(p: &ProviderSettings) -> bool {
    !matches!(p.kind, ProviderKind::Ollama)
}

/// The key of provider `p` and where it came from. The keyring is asked only for providers
/// whose protocol takes a key, and only when `ask_keyring` (a cloud provider while cloud
/// use is off is never asked, so no unlock prompt appears for a provider that cannot run).
pub fn lookup(p: &ProviderSettings, ask_keyring: bool) -> (Option<String>, KeyStatus) {
    let mut status = KeyStatus {
        provider: p.name.clone(),
        source: KeySource::None,
        keyring_error: None,
    };
    if let Some(var) = p.api_key_env.as_deref() {
        if let Some(k) = std::env::var(var).ok().filter(|k| !k.is_empty()) {
            status.source = KeySource::Environment(var.to_string());
            return (Some(k), status);
        }
    }
    if !(ask_keyring && keyed(p)) {
        return (None, status);
    }
    match os::get(&p.name) {
        Ok(Some(k)) => {
            status.source = KeySource::Keyring;
            (Some(k), status)
        }
        Ok(None) => (None, status),
        Err(e) => {
            tracing::debug!(provider = %p.name, error = %e, "the OS keyring could not be read");
            status.keyring_error = Some(e);
            (None, status)
        }
    }
}

/// Where each provider's key comes from, asking the keyring for every keyed provider.
pub fn status(settings: &AiSettings) -> Vec<KeyStatus> {
    settings
        .providers
        .iter()
        .map(|p| lookup(p, true).1)
        .collect()
}

/// The secret the OS keyring holds under `account` (service [`SERVICE`]), for what is not a
/// provider (the studio Redis's password, `shared-redis`). Never logged.
///
/// # Errors
/// The keyring's reason.
pub fn secret(account: &str) -> Result<Option<String>, String> {
    os::get(account)
}

/// Store `key` for `provider` in the OS keyring (replacing any key stored before).
///
/// # Errors
/// The keyring's reason (no keyring service running, locked, refused), never the key.
pub fn store(provider: &str, key: &str) -> Result<(), String> {
    let key = key.trim();
    if key.is_empty() {
        return Err("the key is empty".into());
    }
    if provider.is_empty() {
        return Err("no provider named".into());
    }
    os::set(provider, key)
}

/// Remove `provider`'s key from the OS keyring; `Ok(false)` when none was stored.
///
/// # Errors
/// The keyring's reason.
pub fn delete(provider: &str) -> Result<bool, String> {
    os::delete(provider)
}

#[cfg(any(target_os = "linux", target_os = "macos", target_os = "windows"))]
mod os {
    //! The platform keyring through the `keyring` crate.

    use keyring::{Entry, Error};

    /// The keyring's errors carry no secret, but their text can be long and platform-shaped:
    /// say what a producer can act on.
    fn reason(e: &Error) -> String {
        match e {
            Error::NoStorageAccess(inner) => {
                format!("the OS keyring is not available ({inner}); set the provider's api_key_env variable instead")
            }
            Error::PlatformFailure(inner) => format!("the OS keyring failed: {inner}"),
            other => format!("the OS keyring refused: {other}"),
        }
    }

    fn entry(provider: &str) -> Result<Entry, String> {
        Entry::new(super::SERVICE, provider).map_err(|e| reason(&e))
    }

    pub(super) fn get(provider: &str) -> Result<Option<String>, String> {
        match entry(provider)?.get_password() {
            Ok(k) => Ok(Some(k)),
            Err(Error::NoEntry) => Ok(None),
            Err(e) => Err(reason(&e)),
        }
    }

    pub(super) fn set(provider: &str, key: &str) -> Result<(), String> {
        entry(provider)?.set_password(key).map_err(|e| reason(&e))
    }

    pub(super) fn delete(provider: &str) -> Result<bool, String> {
        match entry(provider)?.delete_credential() {
            Ok(()) => Ok(true),
            Err(Error::NoEntry) => Ok(false),
            Err(e) => Err(reason(&e)),
        }
    }
}

#[cfg(not(any(target_os = "linux", target_os = "macos", target_os = "windows")))]
mod os {
    //! No keyring support on this platform: keys come from the environment only.

    const NONE: &str = "no OS keyring on this platform; set the provider's api_key_env variable";

    pub(super) fn get(_: &str) -> Result<Option<String>, String> {
        Err(NONE.into())
    }

    pub(super) fn set(_: &str, _: &str) -> Result<(), String> {
        Err(NONE.into())
    }

    pub(super) fn delete(_: &str) -> Result<bool, String> {
        Err(NONE.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn provider(kind: ProviderKind, env: Option<&str>) -> ProviderSettings {
        ProviderSettings {
            name: "p".into(),
            kind,
            url: "http://127.0.0.1:1".into(),
            model: "m".into(),
            cloud: true,
            api_key_env: env.map(str::to_string),
            context_window: None,
            price_per_mtok: None,
        }
    }

    #[test]
    fn the_environment_wins_and_ollama_never_asks_the_keyring() {
        std::env::set_var("SM_KEYS_UNIT_TEST", "sk-env");
        let (k, s) = lookup(
            &provider(ProviderKind::Openai, Some("SM_KEYS_UNIT_TEST")),
            true,
        );
        assert_eq!(k.as_deref(), Some("sk-env"));
        assert_eq!(s.source, KeySource::Environment("SM_KEYS_UNIT_TEST".into()));
        // Not asked: no error even where no keyring runs.
        let (k, s) = lookup(&provider(ProviderKind::Ollama, None), true);
        assert_eq!(
            (k, s.source, s.keyring_error),
            (None, KeySource::None, None)
        );
        let (k, s) = lookup(&provider(ProviderKind::Anthropic, None), false);
        assert_eq!((k, s.keyring_error), (None, None));
    }

    #[test]
    fn an_empty_key_or_provider_is_refused_before_the_keyring() {
        assert_eq!(store("p", "  \n").unwrap_err(), "the key is empty");
        assert_eq!(store("", "sk").unwrap_err(), "no provider named");
    }
}
