//! The `[ml]` section of `config.toml`, and where an installer puts the runtime and models.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// The `[ml]` section: local ONNX models.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct MlSettings {
    /// Run the models during scans (default `true`; they switch themselves off when the
    /// runtime or a model file is missing).
    pub enabled: bool,
    /// The ONNX Runtime library (`libonnxruntime.so.1.31.1`), when not in a default place.
    pub onnxruntime: Option<PathBuf>,
    /// A folder holding the model files, looked in before the default places.
    pub models_dir: Option<PathBuf>,
    /// The folder an installer put the runtime and the model files in: by default
    /// [`installed_ml_dir`] (`/usr/lib/SampleMind/ml` for a `samplemind` installed by the
    /// app's .deb or .rpm); the desktop app sets it from Tauri's own resource-folder rule.
    /// Looked in after the places above, before the source tree. Not a config key.
    #[serde(skip)]
    pub bundled_dir: Option<PathBuf>,
}

impl Default for MlSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            onnxruntime: None,
            models_dir: None,
            bundled_dir: installed_ml_dir(),
        }
    }
}

/// The folder the desktop app's packages install the ONNX runtime and models in, seen from
/// the running executable, when it exists. The packages carry the `samplemind` CLI beside
/// the app, so this mirrors Tauri's resource-folder rule for an installed app (the core
/// does not depend on Tauri): `<exe>/../lib/SampleMind/ml` on Linux (`/usr/lib/…` from the
/// .deb), `<exe>/../Resources/ml` in a macOS bundle, `<exe dir>/ml` on Windows.
pub fn installed_ml_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?;
    #[cfg(target_os = "macos")]
    let ml = dir.join("../Resources/ml");
    #[cfg(windows)]
    let ml = dir.join("ml");
    #[cfg(not(any(target_os = "macos", windows)))]
    let ml = dir.join("../lib/SampleMind/ml");
    // Canonical, so that logs and `health` name `/usr/lib/…`, not `/usr/bin/../lib/…`.
    std::fs::canonicalize(ml).ok().filter(|p| p.is_dir())
}
