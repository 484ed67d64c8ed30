//! SampleMind's engine, assembled: one front door over every layer, and what belongs to no
//! single layer (where things live and the settings, [`config`]; the health report every face
//! shows, [`health`]).
//!
//! The layers, ground up, each its own crate that imports only those below it:
//! - [`audio`] (`crates/audio`): decode any supported file to planar f32 (symphonia),
//!   resample (rubato), waveform overviews, play and record (feature `device`, cpal).
//! - [`ml`] (`crates/ml`): local ONNX model runners through `ort`, loaded at run time so a
//!   machine without ONNX Runtime still runs. Audio or tokens in, readings out.
//! - [`analysis`] (`crates/analysis`): the record and the pipeline that measures a file once
//!   (DSP, then the models, then the words); [`isolate`], the panic boundary.
//! - [`library`] (`crates/library`): the sled store keyed by blake3 content hash, the scanner,
//!   and [`search`] (filters, words, similar sounds).
//! - [`ai`] (`crates/ai`): language models behind a router, with an embedded answer cache and
//!   request coalescing.
//!
//! The faces (the CLI, the desktop app, the HTTP API in `crates/api`) call this crate and
//! nothing of each other.

#![warn(missing_docs)]

pub use samplemind_ai as ai;
pub use samplemind_analysis as analysis;
pub use samplemind_analysis::isolate;
pub use samplemind_audio as audio;
pub use samplemind_library as library;
pub use samplemind_library::search;
pub use samplemind_ml as ml;

pub mod config;
#[cfg(feature = "device")]
pub mod find_by_sound;
pub mod health;
pub mod studio;
pub mod sync;

pub use analysis::{analyse_file, Analysis};
pub use library::{Library, SampleRecord};
