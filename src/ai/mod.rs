//! Language models for descriptions and search in words: providers behind one trait
//! ([`provider::Provider`]: Ollama, OpenAI-compatible), a [`router::Router`] that tries
//! local providers first and cloud ones only when enabled, an embedded answer cache
//! ([`cache::AiCache`], sled + blake3) and request coalescing ([`coalesce::Coalescer`]).
//!
//! Everything here is async (tokio); the faces bring the runtime.

pub mod anthropic;
pub mod cache;
pub mod coalesce;
pub mod endpoint;
pub mod error;
pub mod http;
pub mod keys;
pub mod ollama;
pub mod onnx;
pub mod openai;
pub mod provider;
pub mod router;
pub mod setup;
pub mod types;
pub mod uses;
pub mod warm;

pub use endpoint::{Configure, Endpoint};
pub use error::AiError;
pub use router::{AskOptions, Router, RouterSettings};
pub use types::{ChatRequest, ChatResponse, Locality, Message, Role, StreamEvent};
