//! What can go wrong in the local models.

use std::path::PathBuf;

/// A model or the runtime could not be used. Every variant names the file and the reason, so
/// `health` and the CLI can say which feature is off and why.
#[derive(Debug, Clone, thiserror::Error)]
pub enum MlError {
    /// No ONNX Runtime library was found where we look.
    #[error("ONNX Runtime not found (looked in: {looked}); run scripts/fetch-ml.sh or set ORT_DYLIB_PATH")]
    RuntimeMissing {
        /// The places tried, in order.
        looked: String,
    },
    /// The runtime library exists but could not be loaded.
    #[error("{}: cannot load ONNX Runtime: {reason}", path.display())]
    RuntimeLoad {
        /// The library file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A model file is not where we look.
    #[error("model {name} not found (looked in: {looked})")]
    ModelMissing {
        /// File name of the model.
        name: &'static str,
        /// The folders tried.
        looked: String,
    },
    /// A model file does not match its pinned checksum (damaged or replaced).
    #[error("{}: checksum mismatch (expected sha256 {expected}, found {found})", path.display())]
    Checksum {
        /// The model file.
        path: PathBuf,
        /// Pinned SHA-256.
        expected: String,
        /// SHA-256 of the file found.
        found: String,
    },
    /// The runtime refused the model file or a run failed.
    #[error("{}: {reason}", path.display())]
    Model {
        /// The model file.
        path: PathBuf,
        /// ONNX Runtime's message.
        reason: String,
    },
    /// Reading a model file failed.
    #[error("{}: {reason}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// The audio cannot be fed to the model (too short, silent).
    #[error("{0}")]
    Input(String),
}
