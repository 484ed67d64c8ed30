//! The peers of `samplemind bench --peers`, timed in the same run on the same inputs:
//! - analysis: Essentia (tempo + key, the best peers of `../shared/eval/peers-dev.md`), run
//!   by `tools/peer_timing.py` in the venv `scripts/fetch-peers.sh` makes at vendor/peers;
//! - the AI layer: LiteLLM's Router with its local cache, run by `tools/peer_ai_timing.py`
//!   in the venv at vendor/peers-ai, against the upstream our router uses.
//!
//! Published figures come from other machines; a ratio is only fair when both sides ran here.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde::{Deserialize, Serialize};

use crate::Spread;

/// The peer's figures beside ours.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PeerBench {
    /// Which peer (`essentia`) and its version.
    pub peer: String,
    /// What it ran on each file.
    pub what: String,
    /// Its CPU time per file, ms (one core, decode included).
    pub per_file: Spread,
    /// Our decode + full analysis on the same files in the same run, ms per file.
    pub ours: Spread,
    /// Peer median over our median: how many times faster we are per typical file.
    pub ratio_median: f64,
    /// Peer total over our total on the files both timed.
    pub ratio_total: f64,
    /// Files the peer could not read (left out of both sides' figures).
    pub failed: Vec<String>,
}

#[derive(Deserialize)]
struct PeerOutput {
    peer: String,
    version: String,
    what: String,
    ms: Vec<Option<f64>>,
    #[serde(default)]
    failed: Vec<String>,
}

/// The venv Python `scripts/fetch-peers.sh` makes, unless `SAMPLEMIND_PEER_PYTHON` names one.
pub fn default_python() -> PathBuf {
    std::env::var_os("SAMPLEMIND_PEER_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| samplemind_engine::config::source_tree().join("vendor/peers/bin/python"))
}

/// The timing script, in the source tree (bench is a developer's tool).
fn script() -> PathBuf {
    samplemind_engine::config::source_tree().join("tools/peer_timing.py")
}

/// The venv Python with LiteLLM, unless `SAMPLEMIND_AI_PEER_PYTHON` names one.
pub fn default_ai_python() -> PathBuf {
    std::env::var_os("SAMPLEMIND_AI_PEER_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            samplemind_engine::config::source_tree().join("vendor/peers-ai/bin/python")
        })
}

/// What one run of `tools/peer_ai_timing.py` printed.
#[derive(Debug, Clone, Deserialize)]
pub struct LitellmOutput {
    /// LiteLLM's version.
    pub version: String,
    /// `hits`: each timed call, ms.
    #[serde(default)]
    pub ms: Vec<f64>,
    /// `hits`: how many of them LiteLLM says came from its cache.
    #[serde(default)]
    pub cached: usize,
    /// `burst`: the first few failures, if any.
    #[serde(default)]
    pub failed: Vec<String>,
}

/// Run LiteLLM's Router against the OpenAI-compatible `url`: `phase` is `hits` (one stored
/// answer asked for `n` times) or `burst` (`n` identical cold requests at once). With
/// `redis`, its Redis cache on that server, and `store` / `hits` are `n` distinct questions
/// (see `tools/peer_ai_timing.py`). Blocking.
///
/// # Errors
/// Why the peer could not be run, worded for the bench's report.
pub fn litellm(
    python: &Path,
    url: &str,
    phase: &str,
    n: usize,
    redis: Option<&str>,
) -> Result<LitellmOutput, String> {
    let script = samplemind_engine::config::source_tree().join("tools/peer_ai_timing.py");
    let n = n.to_string();
    let mut cmd = Command::new(python);
    cmd.arg(script)
        .args(["--url", url, "--phase", phase, "-n", &n]);
    if let Some(r) = redis {
        cmd.args(["--redis", r]);
    }
    let out = run_peer(python, "SAMPLEMIND_AI_PEER_PYTHON", &mut cmd)?;
    serde_json::from_slice(&out).map_err(|e| format!("LiteLLM's output does not parse: {e}"))
}

/// Run a peer's timing script with the venv `python` (named by `env_var` when not in
/// vendor/), and return what it printed.
fn run_peer(python: &Path, env_var: &str, cmd: &mut Command) -> Result<Vec<u8>, String> {
    if !python.exists() {
        return Err(format!(
            "{} not found: run scripts/fetch-peers.sh (or set {env_var})",
            python.display()
        ));
    }
    let out = cmd
        .output()
        .map_err(|e| format!("cannot run {}: {e}", python.display()))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(format!(
            "the peer failed ({}): {}",
            out.status,
            err.lines().last().unwrap_or("")
        ));
    }
    Ok(out.stdout)
}

/// Time the peer on `files` with `python`, and set it beside `ours` (our ms per file, in
/// the same order, `None` where our analysis failed).
///
/// # Errors
/// Why the peer could not be run (no Python, Essentia not installed, bad output), worded
/// for the bench's report.
pub fn essentia(
    python: &Path,
    files: &[PathBuf],
    ours: &[Option<f64>],
) -> Result<PeerBench, String> {
    let out = run_peer(
        python,
        "SAMPLEMIND_PEER_PYTHON",
        Command::new(python).arg(script()).args(files),
    )?;
    let p: PeerOutput = serde_json::from_slice(&out)
        .map_err(|e| format!("the peer's output does not parse: {e}"))?;
    Ok(compare(p, ours))
}

/// Keep the files both sides timed and compare.
fn compare(p: PeerOutput, ours: &[Option<f64>]) -> PeerBench {
    let (mut theirs, mut mine) = (Vec::new(), Vec::new());
    for (t, m) in p.ms.iter().zip(ours) {
        if let (Some(t), Some(m)) = (t, m) {
            theirs.push(*t);
            mine.push(*m);
        }
    }
    let per_file = Spread::of(theirs);
    let ours = Spread::of(mine);
    PeerBench {
        peer: format!("{} {}", p.peer, p.version),
        what: p.what,
        ratio_median: per_file.median_ms / ours.median_ms.max(1e-9),
        ratio_total: per_file.total_ms / ours.total_ms.max(1e-9),
        per_file,
        ours,
        failed: p.failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_either_side_failed_are_left_out_of_both() {
        let p = PeerOutput {
            peer: "essentia".into(),
            version: "x".into(),
            what: "w".into(),
            ms: vec![Some(100.0), None, Some(300.0), Some(50.0)],
            failed: vec!["b: unreadable".into()],
        };
        let b = compare(p, &[Some(10.0), Some(20.0), Some(30.0), None]);
        assert_eq!((b.per_file.n, b.ours.n), (2, 2));
        assert!((b.ratio_total - 400.0 / 40.0).abs() < 1e-9);
        assert_eq!(b.failed.len(), 1);
    }

    #[test]
    fn a_missing_python_says_how_to_get_the_peer() {
        let e = essentia(Path::new("/nonexistent/python"), &[], &[]).unwrap_err();
        assert!(e.contains("fetch-peers.sh"), "{e}");
        let e = litellm(
            Path::new("/nonexistent/python"),
            "http://x",
            "hits",
            1,
            None,
        )
        .unwrap_err();
        assert!(e.contains("fetch-peers.sh"), "{e}");
    }
}
