//! SampleMind's AI layer. Language models for descriptions and search in words: providers
//! behind one trait ([`providers::Provider`]: Ollama, OpenAI-compatible, Anthropic, the local
//! ONNX text model), a [`router::Router`] that tries
//! local providers first and cloud ones only when enabled, an embedded answer cache
//! ([`cache::AiCache`], sled + blake3) and request coalescing ([`coalesce::Coalescer`]).
//!
//! Everything here is async (tokio); the faces bring the runtime. It imports the engine's
//! lower crates (ml for the local text model, analysis for the music vocabulary, library for
//! what a description is stored as and for cache warming), never a face. The root crate
//! re-exports it as `samplemind::ai`.

#![warn(missing_docs)]

pub mod cache;
pub mod coalesce;
pub mod endpoint;
pub mod error;
pub mod http;
pub mod keys;
pub mod lease;
pub mod providers;
pub mod router;
pub mod settings;
pub mod setup;
pub mod shared;
pub mod types;
pub mod uses;
pub mod warm;

pub use endpoint::{Configure, Endpoint};
pub use error::AiError;
pub use router::{AskOptions, Router, RouterSettings};
pub use types::{ChatRequest, ChatResponse, Locality, Message, Role, StreamEvent};
