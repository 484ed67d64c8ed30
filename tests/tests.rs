//! Integration tests of the core and the CLI: one binary, one module per area.

mod util;

mod ai;
mod api;
mod fake_ollama;
mod fuzz_replay;

#[cfg(feature = "device")]
mod audio;
mod cli;
mod formats;
#[cfg(feature = "device")]
mod gui;
mod hostile;
mod keys;
mod kit;
mod levels;
mod llm;
mod models;
mod robustness;
mod scan;
mod secret_service;
mod shared;
mod store_damage;
mod sync;
mod watch;
