//! What one sound carries through the pipeline besides its record: the embeddings stored
//! apart from it, and what one stage hands to a later one ([`StageInputs`]). Plain data, at
//! the bottom of the crate: the stages, the classifiers and the pipeline all read it.

use samplemind_ml::SoundVectors;

use crate::record::Analysis;

/// What the DSP stage hands to the later stages and to training, and does not store.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StageInputs {
    /// Level of the first and of the last 100 ms against the whole sound's, dB. A loop is cut
    /// on the bar and sounds to its last sample; a one-shot, a pad note, an effect, dies away.
    pub edge_levels_db: (f32, f32),
    /// The tempo the audio supports before names and octave rules ([`crate::Tempo::heard_bpm`]
    /// and its confidence).
    pub heard_tempo: Option<(f32, f32)>,
    /// The feature vector the DSP classifiers read ([`crate::features::vector`];
    /// printed by `analyze --json --features` for training).
    pub classifier_input: Vec<f32>,
    /// The input of the tempo-octave model ([`crate::tempo_octave::features`];
    /// printed by `analyze --json --features` for training). Empty without a tempo.
    pub tempo_octave_input: Vec<f32>,
    /// The root pitch class of a one-shot the DSP stage heard as a chord: the models stage's
    /// pitch tracker follows one voice of a chord, so it may only move the octave.
    pub chord_root: Option<u8>,
}

/// One sound through the pipeline: the record, and what is kept apart from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysed {
    /// The record the library stores.
    pub analysis: Analysis,
    /// Embeddings for similar-sound and text search, stored apart from the record (the
    /// library's vector tree); `None` when the models did not run.
    pub vectors: Option<SoundVectors>,
    /// What the stages handed to one another.
    pub inputs: StageInputs,
}
