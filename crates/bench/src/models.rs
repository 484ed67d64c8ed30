//! `samplemind bench --models`: what the local models cost, and how fast similar-sound search
//! answers over a large library. Figures, not pass/fail; each ratio is against a peer measured
//! in the same run (analysis with models against analysis without, on the same files).

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use serde::Serialize;

use crate::{audio_files, Spread};
use samplemind_engine::analysis::stages::models::{CREPE_HOP, CREPE_SECONDS, VAD_SECONDS};
use samplemind_engine::analysis::{
    analyse_audio, analyse_file, analyse_words, Analysed, AnalysisOptions,
};
use samplemind_engine::audio::decode_mono;
use samplemind_engine::ml::{aisfx, crepe, musicnn, Models};
use samplemind_engine::search::similar::{Aspect, SimilarIndex};
use samplemind_library::search::similar::clustered_library;

/// Cost of one model.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ModelCost {
    /// Model name.
    pub model: &'static str,
    /// Seconds of audio fed to it.
    pub audio_seconds: f64,
    /// Milliseconds of one core per second of audio fed.
    pub ms_per_audio_second: f64,
}

/// What `bench --models` measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ModelsBench {
    /// Files measured.
    pub files: usize,
    /// Each model on its own, one core.
    pub per_model: Vec<ModelCost>,
    /// Decode + analysis without models, one core, per file.
    pub without_models: Spread,
    /// Decode + analysis + models as a scan runs them, one core, per file.
    pub with_models: Spread,
    /// Total with over total without (target ≤ 3).
    pub with_over_without: f64,
    /// Vectors in the synthetic library the queries ran over.
    pub index_size: usize,
    /// One similar-sound query over it (overall aspect), milliseconds.
    pub query: Spread,
    /// 95th percentile of `query`, ms (target < 20).
    pub query_p95_ms: f64,
}

/// Measure the models on the audio under `corpus` and similar-sound queries over
/// `index_size` synthetic samples.
pub fn models(
    corpus: &Path,
    models: Arc<Models>,
    index_size: usize,
    mut progress: impl FnMut(&str),
) -> ModelsBench {
    let files = audio_files(corpus);
    let mut out = ModelsBench {
        files: files.len(),
        index_size,
        ..Default::default()
    };
    progress("each model on its own, one core");
    let mut costs = [
        ModelCost {
            model: "aisfx",
            ..Default::default()
        },
        ModelCost {
            model: "musicnn MTT",
            ..Default::default()
        },
        ModelCost {
            model: "CREPE tiny",
            ..Default::default()
        },
        ModelCost {
            model: "silero-vad",
            ..Default::default()
        },
    ];
    let mut spent = [0f64; 4];
    for f in &files {
        let Ok((info, mono)) = decode_mono(f, Some(6.0)) else {
            continue;
        };
        let rate = info.sample_rate;
        let secs = mono.len() as f64 / rate as f64;
        let t = Instant::now();
        // Whole blocks, patches and frames: the seconds each model really saw.
        if aisfx::embed(&models, &mono, rate, 1).is_ok() {
            spent[0] += t.elapsed().as_secs_f64();
            // One block: the sound's own frames, between 32 and 64 of them.
            costs[0].audio_seconds +=
                secs.clamp(32.0 * 1024.0 / 44_100.0, 64.0 * 1024.0 / 44_100.0);
        }
        let t = Instant::now();
        if musicnn::analyse(&models, &mono, rate, 1).is_ok() {
            spent[1] += t.elapsed().as_secs_f64();
            costs[1].audio_seconds += 187.0 * 256.0 / 16_000.0;
        }
        let t = Instant::now();
        if crepe::pitch(&models, &mono, rate, 0.0, CREPE_SECONDS, CREPE_HOP).is_ok() {
            spent[2] += t.elapsed().as_secs_f64();
            costs[2].audio_seconds += secs.min(0.57);
        }
        let t = Instant::now();
        if samplemind_engine::ml::vad::speech_share(&models, &mono, rate, VAD_SECONDS).is_ok() {
            spent[3] += t.elapsed().as_secs_f64();
            costs[3].audio_seconds += secs.min(VAD_SECONDS);
        }
    }
    for (c, s) in costs.iter_mut().zip(spent) {
        c.ms_per_audio_second = 1000.0 * s / c.audio_seconds.max(1e-9);
    }
    out.per_model = costs.to_vec();

    progress("analysis with and without models, one core");
    let plain = AnalysisOptions::default();
    // As a scan does it: the models per file, the samples' words in batches of 32.
    let with = AnalysisOptions::with_models(Some(models.clone()));
    let (mut a, mut b) = (Vec::new(), Vec::new());
    let mut pending: Vec<(&std::path::Path, Analysed)> = Vec::new();
    let mut batch_from = 0;
    for (i, f) in files.iter().enumerate() {
        let t = Instant::now();
        if analyse_file(f, &plain).is_err() {
            continue;
        }
        a.push(t.elapsed().as_secs_f64() * 1000.0);
        let t = Instant::now();
        if let Ok(done) = analyse_audio(f, &with) {
            pending.push((f.as_path(), done));
        }
        b.push(t.elapsed().as_secs_f64() * 1000.0);
        if pending.len() == 32 || i + 1 == files.len() {
            // Each file of the batch carries its share of the batch's time.
            let t = Instant::now();
            let mut items: Vec<(&std::path::Path, &mut Analysed)> =
                pending.iter_mut().map(|(p, a)| (*p, a)).collect();
            analyse_words(&with, &mut items);
            let share = t.elapsed().as_secs_f64() * 1000.0 / (b.len() - batch_from).max(1) as f64;
            b[batch_from..].iter_mut().for_each(|ms| *ms += share);
            batch_from = b.len();
            pending.clear();
        }
    }
    out.without_models = Spread::of(a);
    out.with_models = Spread::of(b);
    out.with_over_without = out.with_models.total_ms / out.without_models.total_ms.max(1e-9);

    progress("similar-sound queries over a synthetic library");
    // Sounds in families, as a library's are (random vectors would have no neighbours).
    let (items, probes) = clustered_library(index_size, 10);
    let index = SimilarIndex::from_items(items).for_many_queries();
    let mut q = Vec::new();
    for p in probes.iter().cycle().take(200) {
        let t = Instant::now();
        let hits = index.query(p, Aspect::Overall, 20, None);
        q.push(t.elapsed().as_secs_f64() * 1000.0);
        assert!(hits.len() <= 20);
    }
    let mut sorted = q.clone();
    sorted.sort_by(f64::total_cmp);
    out.query_p95_ms = sorted[(sorted.len() - 1) * 95 / 100];
    out.query = Spread::of(q);
    out
}
