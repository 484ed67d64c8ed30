//! Integration tests of the core and the CLI: one binary, one module per area.

mod util;

#[cfg(feature = "device")]
mod audio;
mod cli;
mod formats;
mod levels;
mod models;
mod robustness;
mod scan;
