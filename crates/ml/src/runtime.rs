//! Finding and loading the ONNX Runtime library, once per process.
//!
//! `ort` is built with `load-dynamic`: nothing links against ONNX Runtime at build time, so a
//! machine without it still runs SampleMind with the models switched off. The library is
//! looked for, in order, at the config setting `ml.onnxruntime`, `ORT_DYLIB_PATH`, next to the
//! executable, and in the source tree's `vendor/ml/` (where `scripts/fetch-ml.sh` puts it).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use super::MlError;

/// File name of the ONNX Runtime build `ort` 2.0.0-rc.15 (`api-31`) is made for.
pub const LIBRARY_FILE: &str = "libonnxruntime.so.1.31.1";

/// The loaded runtime.
#[derive(Debug)]
pub struct Runtime {
    /// The process's one ONNX Runtime environment.
    pub(crate) environment: ort::environment::Environment,
    /// Where the library was loaded from.
    pub path: PathBuf,
}

/// Places the runtime library is looked for, in order: `configured`, `ORT_DYLIB_PATH`, next
/// to the executable (and in its `lib/`), in `bundled` (an installed package's folder, see
/// [`crate::settings::MlSettings::bundled_dir`]), then the source tree's `vendor/ml/`.
pub fn candidates(configured: Option<&Path>, bundled: Option<&Path>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Some(p) = configured {
        out.push(p.to_path_buf());
    }
    if let Some(p) = std::env::var_os("ORT_DYLIB_PATH").filter(|p| !p.is_empty()) {
        out.push(PathBuf::from(p));
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        out.push(dir.join(LIBRARY_FILE));
        out.push(dir.join("lib").join(LIBRARY_FILE));
    }
    if let Some(dir) = bundled {
        out.push(dir.join(LIBRARY_FILE));
    }
    out.push(source_tree().join("vendor/ml").join(LIBRARY_FILE));
    out
}

static RUNTIME: OnceLock<Result<Runtime, MlError>> = OnceLock::new();

/// Load ONNX Runtime the first time it is asked for and return it ever after (ONNX Runtime
/// allows one environment per process). A failure is remembered too: the answer does not
/// change while the process runs.
pub fn runtime(
    configured: Option<&Path>,
    bundled: Option<&Path>,
) -> Result<&'static Runtime, MlError> {
    RUNTIME
        .get_or_init(|| load(configured, bundled))
        .as_ref()
        .map_err(Clone::clone)
}

fn load(configured: Option<&Path>, bundled: Option<&Path>) -> Result<Runtime, MlError> {
    let mut tried = candidates(configured, bundled);
    // A place the user named is the only place: falling back would hide their mistake.
    if configured.is_some() || std::env::var_os("ORT_DYLIB_PATH").is_some_and(|p| !p.is_empty()) {
        tried.truncate(1);
    }
    let path =
        tried
            .iter()
            .find(|p| p.is_file())
            .cloned()
            .ok_or_else(|| MlError::RuntimeMissing {
                looked: tried
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
    let fail = |reason: String| MlError::RuntimeLoad {
        path: path.clone(),
        reason,
    };
    let builder = ort::init_from(&path).map_err(|e| fail(e.to_string()))?;
    let environment = builder
        .with_name("samplemind")
        .with_telemetry(false)
        .build()
        .map_err(|e| fail(e.to_string()))?;
    tracing::debug!("ONNX Runtime loaded from {}", path.display());
    Ok(Runtime { environment, path })
}

/// The source tree's root (`vendor/ml/`, `assets/models/` are looked in last, for a
/// developer's `cargo run`).
pub(crate) fn source_tree() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors().nth(2).unwrap_or(here).to_path_buf()
}
