//! SampleMind core: decode, analyse, store and search audio samples.
//!
//! This crate is the one core behind every face of SampleMind (the `samplemind` CLI today,
//! the desktop app and the local HTTP API later). It has no UI dependency: faces parse
//! input, call functions here and render what comes back.
//!
//! - [`audio`]: the `samplemind-audio` crate (`crates/audio`), re-exported: decode any
//!   supported file to planar f32 frames (symphonia), resample (rubato), play and record.
//! - [`analysis`]: the `samplemind-analysis` crate (`crates/analysis`), re-exported: the
//!   pipeline that measures a file once — loudness, levels, spectrum, tempo, key, pitch,
//!   category, loop-or-one-shot, and the models' readings — into an [`analysis::Analysis`].
//! - [`library`]: the sled store keyed by blake3 content hash, and the scanner that indexes
//!   folders first and analyses after.
//! - [`ai`]: language models (Ollama, OpenAI-compatible) behind a router, with an embedded
//!   answer cache and request coalescing.
//! - [`ml`]: the `samplemind-ml` crate (`crates/ml`), re-exported: local ONNX model runners
//!   (embeddings, tags, CREPE pitch, notes) through `ort`, loaded at run time so that a
//!   machine without ONNX Runtime still runs. They know no record.
//! - [`search`]: filters and words over stored samples.
//! - [`bench`], [`bench_models`], [`bench_ai`], [`bench_search`]: the benchmark suite behind
//!   `samplemind bench`.
//! - [`health`]: the health report every face shows.
//! - [`api`]: the local HTTP API (`samplemind serve`).
#![warn(missing_docs)]

pub mod ai;
pub use samplemind_analysis as analysis;
pub mod api;
pub use samplemind_audio as audio;
pub mod bench;
pub mod bench_ai;
pub mod bench_models;
pub mod bench_peers;
pub mod bench_search;
pub mod config;
#[doc(hidden)]
pub mod fuzzing;
pub mod health;
pub use samplemind_analysis::isolate;
pub mod library;
pub use samplemind_ml as ml;
pub mod search;

pub use analysis::{analyse_file, Analysis};
pub use library::{Library, SampleRecord};
