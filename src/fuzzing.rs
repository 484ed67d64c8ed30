//! The bodies of the fuzz targets in `fuzz/` (libFuzzer through `cargo fuzz`, run by
//! `scripts/fuzz.sh`). They live in the library so that the test suite replays each target's
//! seed corpus and every crash a fuzzer found (`tests/fuzz_replay.rs`) on the stable
//! toolchain, without the fuzzer: CI proves the fixes stay fixed.
//!
//! Each takes any bytes and must return: no panic, no hang, no allocation that follows a
//! number in the input rather than its size. What they return is not checked; the readers'
//! own tests check the answers.

use std::path::PathBuf;

use crate::ai::types::Locality;

/// A scratch file per process for the targets that read files (the decoders open paths).
fn scratch_file(ext: &str) -> PathBuf {
    crate::library::scratch_parent().join(format!("samplemind-fuzz-{}.{ext}", std::process::id()))
}

/// Decode and analyse `data` as a file named with one of the extensions a sample can have,
/// on the DSP analysers alone (no models).
pub fn decode_analyse(data: &[u8]) {
    // The first byte picks the file's extension: the probe goes by content, but the name
    // readers (tempo in a name, loop chunks by container) see it.
    const EXTS: [&str; 7] = ["wav", "aiff", "flac", "mp3", "ogg", "m4a", "caf"];
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let path = scratch_file(EXTS[pick as usize % EXTS.len()]);
    if std::fs::write(&path, body).is_err() {
        return;
    }
    let opts = crate::analysis::AnalysisOptions::default();
    let _ = crate::analysis::analyse_file(&path, &opts);
    let _ = std::fs::remove_file(&path);
}

/// The loop chunks (`acid` in RIFF WAVE, `basc` in AIFF) of `data`, bare and behind each
/// container's header, so the fuzzer spends its time in the chunk walk.
pub fn loop_chunks(data: &[u8]) {
    use crate::analysis::metadata::loop_chunk_in;
    let _ = loop_chunk_in(data, 2.0);
    for (magic, form) in [(b"RIFF", b"WAVE"), (b"FORM", b"AIFF"), (b"FORM", b"AIFC")] {
        let mut head = Vec::with_capacity(data.len() + 12);
        head.extend_from_slice(magic);
        head.extend_from_slice(&(data.len() as u32).to_le_bytes());
        head.extend_from_slice(form);
        head.extend_from_slice(data);
        let _ = loop_chunk_in(&head, 2.0);
        let _ = loop_chunk_in(&head, 0.0);
    }
}

/// Every record the store decodes, from `data` as stored bytes; and `data` as lines of the
/// keep journal.
pub fn stored_records(data: &[u8]) {
    use crate::library::{Corrections, PathEntry, SampleRecord};
    let _ = rmp_serde::from_slice::<SampleRecord>(data);
    let _ = rmp_serde::from_slice::<PathEntry>(data);
    let _ = rmp_serde::from_slice::<Corrections>(data);
    let _ = rmp_serde::from_slice::<crate::ml::SoundVectors>(data);
    let _ = rmp_serde::from_slice::<crate::audio::peaks::Peaks>(data);
    crate::library::keep::read_lines(data);
}

/// The HTTP API's inputs: `data` as the query string of each route (through axum's own
/// extractor, as the server reads it), as each JSON body, and as a key name.
pub fn api_inputs(data: &[u8]) {
    use crate::api::views::{AnalyzeRequest, AskRequest, SampleFilters, SimilarParams};
    use axum::extract::Query;
    let _ = serde_json::from_slice::<AskRequest>(data);
    let _ = serde_json::from_slice::<AnalyzeRequest>(data);
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = crate::analysis::key_name::normalise(text);
    if let Ok(uri) = format!("/api/v1/samples?{text}").parse::<axum::http::Uri>() {
        if let Ok(Query(f)) = Query::<SampleFilters>::try_from_uri(&uri) {
            if let Some(k) = f.key {
                let _ = crate::analysis::key_name::normalise(&k);
            }
        }
        let _ = Query::<SimilarParams>::try_from_uri(&uri);
    }
}

/// Every reader of a language model's answer: the three providers' whole replies (from
/// `data` as JSON) and the description and search readers (from `data` as text).
pub fn ai_answers(data: &[u8]) {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let base = "http://127.0.0.1:1";
        let ollama = crate::ai::providers::ollama::Ollama::new(base, "m");
        let _ = ollama.read_answer(true, &v, "m");
        let _ = ollama.read_answer(false, &v, "m");
        let openai =
            crate::ai::providers::openai::OpenAiCompatible::new("o", base, "m", Locality::Local);
        let _ = openai.read_answer(&v);
        let anthropic =
            crate::ai::providers::anthropic::Anthropic::new("a", base, "m", Locality::Cloud);
        let _ = anthropic.read_answer(&v, "m");
    }
    let text = String::from_utf8_lossy(data);
    let _ = crate::ai::uses::parse_description(&text, "m");
    let _ = crate::ai::uses::parse_search_rules(&text);
}
