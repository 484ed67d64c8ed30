//! Local ONNX models through `ort`: embeddings for similar sounds (aisfx, musicnn), tags
//! (musicnn), a second opinion on pitch (CREPE tiny), and audio to MIDI (basic-pitch).
//! Offline, no Python.
//!
//! [`open`] loads ONNX Runtime (see [`runtime`]) and returns [`Models`], which opens each
//! model file on first use after checking its pinned SHA-256. Runners take audio or tokens
//! and give readings (embeddings, tags, pitch, notes); they know nothing of the library's
//! record, whose pipeline decides when each runs. When the runtime or a model is missing, callers get an
//! [`MlError`] that says which and why, and everything else keeps working.

#![warn(missing_docs)]

pub mod aisfx;
pub mod basic_pitch;
pub mod crepe;
pub mod error;
mod infer;
pub use infer::normalise;
pub mod mel;
pub mod midi_file;
pub mod models;
pub mod musicnn;
pub mod runtime;
pub mod settings;
pub mod text;
pub mod vad;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use error::MlError;
pub use models::{ModelId, Models};

use crate::settings::MlSettings;

/// Load the runtime named by `settings` (or found in the default places) and get ready to
/// open models. Model files are opened, and checked, on first use.
///
/// # Errors
/// [`MlError::RuntimeMissing`] / [`MlError::RuntimeLoad`] naming the library and the reason.
pub fn open(settings: &MlSettings) -> Result<Arc<Models>, MlError> {
    let bundled = settings.bundled_dir.as_deref();
    let rt = runtime::runtime(settings.onnxruntime.as_deref(), bundled)?;
    Ok(Arc::new(Models::new(
        rt,
        models::model_dirs(settings.models_dir.as_deref(), bundled),
    )))
}

/// A tag a model gave, with its score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredTag {
    /// Lowercase tag.
    pub tag: String,
    /// Model probability, 0..1.
    pub score: f32,
}

/// The embeddings of one sound (unit length; empty when a model did not run).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SoundVectors {
    /// aisfx, 512-d: what a one-shot sounds like.
    pub aisfx: Vec<f32>,
    /// musicnn, 200-d: what a loop or phrase sounds like.
    pub musicnn: Vec<f32>,
    /// MiniLM, 384-d: the sample's words (name, folder, category, tags), for text search.
    pub text: Vec<f32>,
}
