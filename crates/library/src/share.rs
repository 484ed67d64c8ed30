//! Analyses shared between the workstations of a studio (issue 23): a scan asks the share
//! for each new content before it decodes it, and offers what it analysed.
//!
//! An analysis depends on the file's content and on what analysed it (the
//! [`AnalysisOptions::fingerprint`]: analyser version, classifier weights, options, models),
//! so the share is keyed by both. Paths, corrections, tags, favourites and the library itself
//! stay local: the share is a cache, never the source of truth, and a scan works the same
//! with it down, slow or gone.
//!
//! What comes back is untrusted bytes (another machine, another build, a server that was
//! written to by anyone): a value carries the key it was stored under and is dropped, never
//! trusted, when it does not decode, names another key, or holds a reading no analyser of
//! ours produces (a NaN tempo, an unknown category, an embedding of the wrong size).
//!
//! Two machines that meet the same new content at once decode it once: the first to miss
//! claims it ([`AnalysisShare::claim`], a lease that expires after [`CLAIM_TTL`]); the other
//! leaves it for the end of its scan, analyses the rest meanwhile, and then takes the
//! claimer's analysis, or claims the content itself when the claimer gave up or died.
//!
//! As for a duplicate inside one library, the names' hints (a "120bpm" in a file name) come
//! from the path that was analysed first; the words a sample is found by are embedded again
//! from the local path.

use std::path::Path;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::record::ContentHash;
use samplemind_analysis::classify::CATEGORIES;
use samplemind_analysis::{Analysed, Analysis, AnalysisOptions, StageInputs, ANALYSER_VERSION};
use samplemind_ml::SoundVectors;

/// A store of analyses that other machines read and write (a studio's Redis). Every call is
/// best effort and bounded: a share that cannot answer says `None`, and the scan analyses
/// the file itself.
pub trait AnalysisShare: Send + Sync + std::fmt::Debug {
    /// The bytes stored under `key`, or `None` when there are none or the share cannot be
    /// reached.
    fn fetch(&self, key: &[u8; 32]) -> Option<Vec<u8>>;
    /// Offer `value` under `key`; a failure is logged by the share and otherwise ignored.
    fn publish(&self, key: &[u8; 32], value: &[u8]);
    /// Count one lookup: `hit` when the share held a value that was accepted.
    fn count(&self, hit: bool);
    /// The value under `key` failed to decode or to check: count it and drop it from the
    /// share, so no other machine is offered it again.
    fn reject(&self, key: &[u8; 32]);
    /// Claim the analysis of the content under `key` for `ttl`, so that no other machine
    /// decodes it meanwhile. A share without claims says [`Claim::Unknown`].
    fn claim(&self, _key: &[u8; 32], _ttl: Duration) -> Claim {
        Claim::Unknown
    }
    /// Whether someone holds a claim on `key`; `None` when the share cannot tell.
    fn claimed(&self, _key: &[u8; 32]) -> Option<bool> {
        None
    }
    /// Give back the claim `token` holds on `key` (after the analysis is offered, or
    /// failed).
    fn release(&self, _key: &[u8; 32], _token: &str) {}
}

/// The answer to [`AnalysisShare::claim`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This scan analyses it; the token gives the claim back.
    Mine(String),
    /// Another machine is analysing it.
    Theirs,
    /// The share cannot tell (down, or it has no claims): analyse it here.
    Unknown,
}

/// How long a claim lives: longer than any one analysis (a file's analysis is capped at two
/// minutes of audio and takes seconds); a machine that dies frees its contents after it.
pub const CLAIM_TTL: Duration = Duration::from_secs(60);
/// The longest a scan waits for another machine's analyses, past which it analyses them
/// itself.
pub const WAIT_AT_MOST: Duration = Duration::from_secs(120);
/// The longest pause between a waiting scan's looks.
const MAX_PAUSE: Duration = Duration::from_millis(100);

/// How a scan's worker gets one content's analysis.
#[derive(Debug)]
pub enum Obtained {
    /// From the share: no decode. (Boxed: an analysis is large next to a claim.)
    Shared(Box<Analysed>),
    /// Analyse it here, holding this claim (if the share gave one).
    Analyse(Option<String>),
    /// Another machine is on it: come back at the end of the scan ([`wait_for_theirs`]).
    Theirs,
}

/// The share's analysis of the content at `path` under `key` if it holds one that checks,
/// else a claim on it, else [`Obtained::Theirs`].
pub fn obtain(
    share: &dyn AnalysisShare,
    key: &[u8; 32],
    path: &Path,
    opts: &AnalysisOptions,
) -> Obtained {
    if let Some(a) = fetch(share, key, path, opts, true) {
        return Obtained::Shared(Box::new(a));
    }
    match share.claim(key, CLAIM_TTL) {
        Claim::Mine(token) => taken_meanwhile(share, key, path, opts, token),
        Claim::Theirs => Obtained::Theirs,
        Claim::Unknown => Obtained::Analyse(None),
    }
}

/// With a fresh claim: another machine may have offered its analysis (and given its claim
/// back) between our look and our claim. Then take that one and give ours back.
fn taken_meanwhile(
    share: &dyn AnalysisShare,
    key: &[u8; 32],
    path: &Path,
    opts: &AnalysisOptions,
    token: String,
) -> Obtained {
    match fetch(share, key, path, opts, false) {
        Some(a) => {
            share.release(key, &token);
            Obtained::Shared(Box::new(a))
        }
        None => Obtained::Analyse(Some(token)),
    }
}

/// At the end of a scan, for a content another machine claimed: its analysis once it is
/// offered, or a claim of our own once theirs is gone without one (it failed or died), or
/// analyse it here after [`WAIT_AT_MOST`] or when `cancelled` says so (then `None`).
pub fn wait_for_theirs(
    share: &dyn AnalysisShare,
    key: &[u8; 32],
    path: &Path,
    opts: &AnalysisOptions,
    cancelled: &dyn Fn() -> bool,
) -> Option<Obtained> {
    let deadline = Instant::now() + WAIT_AT_MOST;
    let mut pause = Duration::from_millis(2);
    loop {
        if cancelled() {
            return None;
        }
        if let Some(a) = fetch(share, key, path, opts, false) {
            return Some(Obtained::Shared(Box::new(a)));
        }
        if Instant::now() >= deadline {
            return Some(Obtained::Analyse(None));
        }
        if share.claimed(key) != Some(true) {
            match share.claim(key, CLAIM_TTL) {
                Claim::Mine(token) => return Some(taken_meanwhile(share, key, path, opts, token)),
                Claim::Unknown => return Some(Obtained::Analyse(None)),
                Claim::Theirs => {}
            }
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(MAX_PAUSE);
    }
}

/// The share's analysis under `key`, if it holds one that checks. A value that does not is
/// dropped from the share, and the file is analysed here. A miss is counted when
/// `count_miss` (a waiting scan looks many times).
fn fetch(
    share: &dyn AnalysisShare,
    key: &[u8; 32],
    path: &Path,
    opts: &AnalysisOptions,
    count_miss: bool,
) -> Option<Analysed> {
    let bytes = share.fetch(key);
    match bytes.map(|b| decode(key, &b, opts)) {
        Some(Ok(a)) => {
            share.count(true);
            Some(a)
        }
        Some(Err(why)) => {
            tracing::warn!(
                "{}: the shared analysis was refused ({why}); analysing it here",
                path.display()
            );
            share.reject(key);
            share.count(false);
            None
        }
        None => {
            if count_miss {
                share.count(false);
            }
            None
        }
    }
}

/// The key a content's analysis is shared under, for analyses made with `fingerprint`.
pub fn key(hash: &ContentHash, fingerprint: &[u8; 32]) -> [u8; 32] {
    let mut h = blake3::Hasher::new_derive_key("samplemind 2026 shared analysis");
    h.update(&hash.0);
    h.update(fingerprint);
    *h.finalize().as_bytes()
}

/// What is shared for one content.
#[derive(Serialize, Deserialize)]
struct Shared {
    /// The key the value was stored under: a value served for another key is refused.
    key: [u8; 32],
    analysis: Analysis,
    /// The sound's embeddings without the words' (those come from the local path).
    vectors: Option<SoundVectors>,
}

/// The bytes to share for `analysed` under `key`, or `None` when it must not be shared: a
/// models' failure is never cached, so another machine tries the models itself.
pub fn encode(key: &[u8; 32], analysed: &Analysed) -> Option<Vec<u8>> {
    if analysed.analysis.model_error.is_some() {
        return None;
    }
    let vectors = analysed.vectors.clone().map(|mut v| {
        v.text = Vec::new();
        v
    });
    rmp_serde::to_vec_named(&Shared {
        key: *key,
        analysis: analysed.analysis.clone(),
        vectors,
    })
    .ok()
}

/// The analysis in `bytes`, checked: bound to `key`, from this analyser, and every reading
/// one an analyser of ours could produce with `opts`.
///
/// # Errors
/// Why the value is refused, for the log.
pub fn decode(key: &[u8; 32], bytes: &[u8], opts: &AnalysisOptions) -> Result<Analysed, String> {
    let v: Shared = rmp_serde::from_slice(bytes).map_err(|e| format!("does not decode: {e}"))?;
    if v.key != *key {
        return Err("stored under another key".into());
    }
    check(&v.analysis, opts.models.is_some())?;
    if let Some(vs) = &v.vectors {
        check_vectors(vs)?;
    } else if opts.models.is_some() {
        return Err("no embeddings, though the models ran".into());
    }
    Ok(Analysed {
        analysis: v.analysis,
        vectors: v.vectors,
        inputs: StageInputs::default(),
    })
}

/// Longest list a record holds (timbre, chroma, probabilities, tags): ours hold tens.
const MAX_LIST: usize = 1024;
/// Longest text field (codec, key, root note, tag): ours are a few words.
const MAX_TEXT: usize = 64;

fn check(a: &Analysis, models_on: bool) -> Result<(), String> {
    if a.analyser_version != ANALYSER_VERSION {
        return Err(format!("analyser version {}", a.analyser_version));
    }
    if a.models_heard != models_on || a.model_error.is_some() {
        return Err("made with other models".into());
    }
    let finite_f64 = [
        ("duration_s", a.duration_s),
        ("analysed_seconds", a.analysed_seconds),
    ];
    for (name, x) in finite_f64 {
        if !(x.is_finite() && x >= 0.0) {
            return Err(format!("{name} is {x}"));
        }
    }
    let readings = [
        ("peak_db", a.peak_db),
        ("rms_db", a.rms_db),
        ("lufs", a.lufs),
        ("spectral_centroid_hz", a.spectral_centroid_hz),
        ("spectral_rolloff_hz", a.spectral_rolloff_hz),
        ("spectral_flatness", a.spectral_flatness),
        ("zero_crossing_rate", Some(a.zero_crossing_rate)),
        ("attack_ms", a.attack_ms),
        ("decay_ms", a.decay_ms),
        ("bpm_confidence", a.bpm_confidence),
        ("key_confidence", a.key_confidence),
        ("root_cents", a.root_cents),
        ("f0_hz", a.f0_hz),
        ("category_confidence", a.category_confidence),
        ("loop_probability", a.loop_probability),
        ("crepe_f0_hz", a.crepe_f0_hz),
        ("crepe_confidence", a.crepe_confidence),
    ];
    for (name, x) in readings {
        if let Some(x) = x.filter(|x| !x.is_finite()) {
            return Err(format!("{name} is {x}"));
        }
    }
    if let Some(bpm) = a
        .bpm
        .filter(|b| !(b.is_finite() && (1.0..1000.0).contains(b)))
    {
        return Err(format!("bpm is {bpm}"));
    }
    let lists = [
        ("timbre", &a.timbre),
        ("bpm_alternatives", &a.bpm_alternatives),
        ("chroma", &a.chroma),
        ("category_probabilities", &a.category_probabilities),
    ];
    for (name, l) in lists {
        if l.len() > MAX_LIST || l.iter().any(|x| !x.is_finite()) {
            return Err(format!(
                "{name} holds {} values, or one not finite",
                l.len()
            ));
        }
    }
    if let Some(c) = a.category.as_deref().filter(|c| !CATEGORIES.contains(c)) {
        return Err(format!("unknown category {:?}", truncate(c)));
    }
    let texts = [
        Some(a.codec.as_str()),
        a.key.as_deref(),
        a.root_note.as_deref(),
    ];
    if texts.into_iter().flatten().any(|t| t.len() > MAX_TEXT) {
        return Err("a text field is too long".into());
    }
    if a.model_tags.len() > MAX_LIST
        || a.model_tags
            .iter()
            .any(|t| t.tag.len() > MAX_TEXT || !t.score.is_finite())
    {
        return Err("model tags out of shape".into());
    }
    Ok(())
}

fn check_vectors(v: &SoundVectors) -> Result<(), String> {
    let sized = [("aisfx", &v.aisfx, 512), ("musicnn", &v.musicnn, 200)];
    for (name, xs, dim) in sized {
        if !(xs.is_empty() || xs.len() == dim) || xs.iter().any(|x| !x.is_finite()) {
            return Err(format!("{name} embedding of {} values", xs.len()));
        }
    }
    Ok(())
}

fn truncate(s: &str) -> &str {
    let mut end = s.len().min(MAX_TEXT);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analysed() -> Analysed {
        Analysed {
            analysis: Analysis {
                duration_s: 1.5,
                codec: "pcm_s16le".into(),
                bpm: Some(120.0),
                category: Some("kick".into()),
                analyser_version: ANALYSER_VERSION,
                ..Analysis::default()
            },
            vectors: None,
            inputs: StageInputs::default(),
        }
    }

    #[test]
    fn a_value_comes_back_only_under_its_own_key() {
        let opts = AnalysisOptions::default();
        let fp = opts.fingerprint();
        let k = key(&ContentHash([1; 32]), &fp);
        let other = key(&ContentHash([2; 32]), &fp);
        let bytes = encode(&k, &analysed()).unwrap();
        assert_eq!(
            decode(&k, &bytes, &opts).unwrap().analysis,
            analysed().analysis
        );
        assert!(decode(&other, &bytes, &opts)
            .unwrap_err()
            .contains("another key"));
        assert!(decode(&k, b"\xc1 not msgpack", &opts).is_err());
        assert!(decode(&k, &bytes[..bytes.len() / 2], &opts).is_err());
    }

    #[test]
    fn readings_no_analyser_makes_are_refused() {
        let opts = AnalysisOptions::default();
        let k = [7; 32];
        type Spoil = fn(&mut Analysis);
        let bad: [(&str, Spoil); 6] = [
            ("bpm", |a| a.bpm = Some(f32::NAN)),
            ("category", |a| a.category = Some("spaceship".into())),
            ("version", |a| a.analyser_version = ANALYSER_VERSION + 1),
            ("chroma", |a| a.chroma = vec![0.0; MAX_LIST + 1]),
            ("models", |a| a.models_heard = true),
            ("duration", |a| a.duration_s = -1.0),
        ];
        for (what, spoil) in bad {
            let mut a = analysed();
            spoil(&mut a.analysis);
            let bytes = encode(&k, &a).unwrap();
            assert!(decode(&k, &bytes, &opts).is_err(), "{what} was accepted");
        }
    }

    #[test]
    fn a_models_failure_is_never_shared_and_the_words_stay_local() {
        let mut a = analysed();
        a.analysis.model_error = Some("runtime missing".into());
        assert!(encode(&[0; 32], &a).is_none());
        let mut a = analysed();
        a.vectors = Some(SoundVectors {
            aisfx: vec![0.5; 512],
            musicnn: vec![],
            text: vec![0.1; 384],
        });
        let bytes = encode(&[0; 32], &a).unwrap();
        let v: Shared = rmp_serde::from_slice(&bytes).unwrap();
        assert!(v.vectors.unwrap().text.is_empty());
    }

    #[test]
    fn the_key_changes_with_the_content_and_with_what_analysed_it() {
        let dsp = AnalysisOptions::default();
        let mut slower = AnalysisOptions::default();
        slower.analysis_rate = 44_100;
        let h = ContentHash([3; 32]);
        assert_eq!(key(&h, &dsp.fingerprint()), key(&h, &dsp.fingerprint()));
        assert_ne!(key(&h, &dsp.fingerprint()), key(&h, &slower.fingerprint()));
        assert_ne!(
            key(&h, &dsp.fingerprint()),
            key(&ContentHash([4; 32]), &dsp.fingerprint())
        );
    }
}
