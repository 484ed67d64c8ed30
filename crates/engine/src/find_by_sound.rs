//! Find by sound (Sononym's trick): record a sound from the input (a voice, a beatbox, a
//! tapped desk), trim its silence, and list the library's one-shots nearest to it by the
//! chosen aspect. The take is a temporary file unless the caller keeps it.

use std::path::Path;
use std::sync::atomic::AtomicBool;

use crate::analysis::AnalysisOptions;
use crate::audio::device::{record, DeviceError, Level, RecordOptions, Recording};
use crate::library::Library;
use crate::search::similar::SimilarError;
use crate::search::similar::{probe_for, Aspect, Neighbour, SimilarIndex};

/// Why a search by sound found nothing to search with.
#[derive(Debug, thiserror::Error)]
pub enum FindError {
    /// The input could not be opened or failed.
    #[error(transparent)]
    Device(#[from] DeviceError),
    /// Nothing but silence was heard.
    #[error("nothing was heard on the input (only silence in {0:.1} s)")]
    Silent(f64),
    /// The take could not be measured.
    #[error(transparent)]
    Probe(#[from] SimilarError),
}

/// What a search by sound heard and found.
#[derive(Debug)]
pub struct FoundBySound {
    /// The take, trimmed (at the path given).
    pub take: Recording,
    /// The nearest one-shots, nearest first.
    pub neighbours: Vec<Neighbour>,
}

/// Record at most `seconds` from `device` (the default input when `None`) into `take`,
/// trimmed, then list the `n` one-shots of `lib` nearest to it by `aspect`. `stop` ends the
/// take early; `on_level` sees the input's level as it records.
///
/// # Errors
/// [`FindError`]: the input, silence, or the take's analysis.
#[allow(clippy::too_many_arguments)]
pub fn find_by_sound(
    lib: &Library,
    take: &Path,
    device: Option<String>,
    seconds: f64,
    aspect: Aspect,
    n: usize,
    analysis: &AnalysisOptions,
    stop: &AtomicBool,
    on_level: &mut dyn FnMut(Level),
) -> Result<FoundBySound, FindError> {
    let mut opts = RecordOptions::on(device, seconds);
    opts.trim = true;
    opts.normalise = true;
    let rec = record(take, &opts, stop, on_level)?;
    // Less than 20 ms left after trimming: no sound to look for.
    if (rec.frames as f64) < 0.02 * f64::from(rec.sample_rate.max(1)) {
        return Err(FindError::Silent(seconds));
    }
    let (probe, _) = probe_for(lib, &take.to_string_lossy(), analysis)?;
    let (index, _problems) = SimilarIndex::build(lib);
    Ok(FoundBySound {
        neighbours: index.query_one_shots(&probe, aspect, n),
        take: rec,
    })
}
