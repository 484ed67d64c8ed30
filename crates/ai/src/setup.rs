//! Building the router from the settings.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use super::cache::AiCache;
use super::endpoint::Configure;
use super::router::{Router, RouterSettings};
use super::shared::SharedCache;
use super::types::Locality;
use super::AiError;
use crate::providers::ollama::Ollama;
use crate::providers::openai::OpenAiCompatible;
use crate::providers::Provider;
use crate::settings::{AiSettings, ProviderKind, SharedSettings};

/// The providers of `settings`, with their keys from the environment or the OS keyring
/// ([`super::keys`]).
///
/// # Errors
/// [`AiError::Config`] for two providers with one name.
pub fn providers(settings: &AiSettings) -> Result<Vec<Arc<dyn Provider>>, AiError> {
    let mut names = std::collections::HashSet::new();
    let mut out: Vec<Arc<dyn Provider>> = Vec::new();
    for p in &settings.providers {
        if !names.insert(p.name.as_str()) {
            return Err(AiError::Config(format!(
                "two AI providers are named {:?}",
                p.name
            )));
        }
        // A cloud provider that cannot run (cloud off) is not worth a keyring prompt.
        let (key, _) = super::keys::lookup(p, !p.cloud || settings.cloud);
        let locality = if p.cloud {
            Locality::Cloud
        } else {
            Locality::Local
        };
        out.push(match p.kind {
            ProviderKind::Ollama => Arc::new(
                Ollama::new(&p.url, &p.model)
                    .with_name(&p.name)
                    .with_context_window(p.context_window),
            ),
            ProviderKind::Anthropic => Arc::new(
                crate::providers::anthropic::Anthropic::new(&p.name, &p.url, &p.model, locality)
                    .with_api_key(key)
                    .with_context_window(p.context_window),
            ),
            ProviderKind::Openai => {
                let (pp, pa) = p.price_per_mtok.unwrap_or((0.0, 0.0));
                Arc::new(
                    OpenAiCompatible::new(&p.name, &p.url, &p.model, locality)
                        .with_api_key(key)
                        .with_context_window(p.context_window)
                        .with_prices(pp, pa),
                )
            }
        });
    }
    Ok(out)
}

/// The router of `settings`, with its cache in `cache_dir` (and on the studio's Redis when
/// `shared` names one), and the local ONNX text model first among the embedding providers
/// when `models` are given.
///
/// # Errors
/// Provider settings errors, a Redis URL that does not parse; [`AiError::Cache`] when the
/// cache cannot be opened. A Redis server that does not answer is not an error: the cache
/// works locally and `health` says why the shared part is down.
pub fn router(
    settings: &AiSettings,
    shared: &SharedSettings,
    cache_dir: &Path,
    models: Option<Arc<samplemind_ml::Models>>,
) -> Result<Router, AiError> {
    let mut cache = AiCache::open(
        cache_dir,
        settings.cache_max_mb.saturating_mul(1 << 20),
        Duration::from_secs_f64(settings.cache_ttl_days.max(0.0) * 86_400.0),
    )?;
    if let Some(tier) = SharedCache::from_settings(shared) {
        cache = cache.with_shared(Arc::new(tier?));
    }
    let mut all: Vec<Arc<dyn Provider>> = Vec::new();
    if let Some(m) = models {
        all.push(Arc::new(crate::providers::onnx::OnnxText::new(m)));
    }
    all.extend(providers(settings)?);
    Ok(Router::new(
        all,
        Some(cache),
        RouterSettings {
            cloud_enabled: settings.cloud,
            ..RouterSettings::default()
        },
    ))
}
