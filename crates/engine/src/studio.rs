//! What the workstations of a studio share (issue 23), built from `[shared]` in
//! `config.toml`: the analyses by content hash a scan asks for before it decodes. (The AI
//! answers' shared tier belongs to the answer cache: [`crate::ai::setup::router`] builds it.)

use std::sync::Arc;

use crate::ai::shared::SharedCache;
use crate::config::Settings;
use crate::library::AnalysisShare;

/// The share a scan uses, or `None` when `config.toml` names no server. A server named
/// wrongly is logged and the scan works alone: the share is only ever a cache.
pub fn analysis_share(settings: &Settings) -> Option<Arc<dyn AnalysisShare>> {
    match SharedCache::from_settings(&settings.shared)? {
        Ok(c) => Some(Arc::new(c.namespaced("analysis"))),
        Err(e) => {
            tracing::warn!("{e}; scanning without the studio's shared analyses");
            None
        }
    }
}
