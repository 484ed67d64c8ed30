//! Integration tests of the core and the CLI: one binary, one module per area.

mod util;

mod cli;
mod formats;
mod levels;
mod robustness;
mod scan;
