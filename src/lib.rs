//! SampleMind: decode, analyse, store and search audio samples.
//!
//! This package is the `samplemind` CLI. Its library is a thin facade for anyone embedding
//! SampleMind: it re-exports the engine (`crates/engine`: every layer from audio to AI, the
//! settings and the health report) and the local HTTP API (`crates/api`), so
//! `samplemind::library::Library` and `samplemind::api::serve` name what they always named.
#![warn(missing_docs)]

pub use samplemind_api as api;
pub use samplemind_engine::*;

#[doc(hidden)]
pub mod fuzzing;
