//! The pipeline's stages, in the order they run (see [`super::pipeline`]).

pub mod dsp;
pub mod models;
pub mod words;
