//! The `[ai]` section of `config.toml`: language-model providers, the router and the answer
//! cache.

use serde::{Deserialize, Serialize};

/// The `[ai]` section: language-model providers, the router and the answer cache.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AiSettings {
    /// Cloud providers may be used (default `false`: local only).
    pub cloud: bool,
    /// Size bound of the answer cache, MiB.
    pub cache_max_mb: u64,
    /// How long an answer stays cached, days.
    pub cache_ttl_days: f64,
    /// Providers, local ones first. Default: Ollama on 127.0.0.1:11434.
    pub providers: Vec<ProviderSettings>,
}

/// The `[shared]` section: what the workstations of a studio share (issue 23). Without it
/// everything stays on this machine.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SharedSettings {
    /// The Redis server, `redis://host:port/db`; its password, if any, is best kept in
    /// `SAMPLEMIND_REDIS_PASSWORD` rather than here.
    pub redis: Option<String>,
    /// Longest wait for one call to it, milliseconds: past it the call fails and the cache
    /// goes on locally.
    pub timeout_ms: u64,
    /// `redis` names seed nodes of a Redis Cluster (implied when it lists several URLs,
    /// comma-separated).
    pub cluster: bool,
    /// PEM certificates of the authority that signed a `rediss://` server's certificate,
    /// when the system does not trust it (a studio's own authority). Unset: the system's.
    pub ca_file: Option<std::path::PathBuf>,
}

impl Default for SharedSettings {
    fn default() -> Self {
        Self {
            redis: None,
            timeout_ms: 250,
            cluster: false,
            ca_file: None,
        }
    }
}

impl Default for AiSettings {
    fn default() -> Self {
        Self {
            cloud: false,
            cache_max_mb: 256,
            cache_ttl_days: 30.0,
            providers: vec![ProviderSettings {
                name: "ollama".into(),
                kind: ProviderKind::Ollama,
                url: "http://127.0.0.1:11434".into(),
                model: "llama3.2:3b".into(),
                cloud: false,
                api_key_env: None,
                context_window: None,
                price_per_mtok: None,
            }],
        }
    }
}

/// Which protocol a provider speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    /// Ollama's native API.
    Ollama,
    /// OpenAI-compatible (`/v1/chat/completions`): llama-server, OpenAI, and others.
    Openai,
    /// Anthropic's Messages API (`/v1/messages`).
    Anthropic,
}

/// One `[[ai.providers]]` entry.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSettings {
    /// Name, unique (used by `--provider`, logs and health).
    pub name: String,
    /// Protocol.
    pub kind: ProviderKind,
    /// Base URL (`http://127.0.0.1:11434`, `https://api.openai.com`).
    pub url: String,
    /// Default model.
    pub model: String,
    /// A paid cloud service (used only when `[ai] cloud = true`).
    #[serde(default)]
    pub cloud: bool,
    /// Environment variable holding the API key. The key itself never goes in this file,
    /// in logs, in cache keys or in the library.
    #[serde(default)]
    pub api_key_env: Option<String>,
    /// The model's context window, tokens (requests that do not fit are not sent).
    #[serde(default)]
    pub context_window: Option<usize>,
    /// US dollars per million prompt and answer tokens, for cost-aware routing and
    /// `ai warm --simulate`.
    #[serde(default)]
    pub price_per_mtok: Option<(f64, f64)>,
}
