//! Health: one report every face shows (`samplemind health`, later the app's panel and the
//! HTTP API's `/api/v1/health/detailed`).
//!
//! Components that exist today are checked: the library store and, with the `device`
//! feature, the audio host. Components of later work (AI router, ONNX runtime, AI cache)
//! join the report when they land. A component that is down makes the status `degraded`,
//! with its reason.

use std::time::Instant;

use serde::Serialize;

use crate::config::{AiSettings, MlSettings};
use crate::library::Library;
use crate::ml::ModelId;

/// Overall or per-component state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Working.
    Ok,
    /// Working with a component down.
    Degraded,
    /// Not working.
    Down,
    /// Not part of this build.
    Disabled,
}

/// One component's health.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Component {
    /// Stable name (`library`, `audio`).
    pub name: &'static str,
    /// Its state.
    pub status: Status,
    /// Why it is not `ok`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The one thing to do that turns it on (a command, or a line of `config.toml`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// Component-specific figures.
    pub details: serde_json::Value,
}

/// Figures of this process.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Performance {
    /// CPU time used since start (user + system), seconds.
    pub cpu_seconds: Option<f64>,
    /// CPU use since start, percent of one core (averaged over the process lifetime). None
    /// while the process is younger than the kernel's clock can tell apart (a few ticks).
    pub cpu_percent: Option<f64>,
    /// Resident memory, MiB.
    pub memory_mb: Option<f64>,
    /// Threads.
    pub threads: Option<u32>,
}

/// The detailed health report.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Health {
    /// `ok` when every component is, `degraded` when one is down.
    pub status: Status,
    /// SampleMind version.
    pub version: &'static str,
    /// Seconds since `started`.
    pub uptime_seconds: f64,
    /// Each component.
    pub components: Vec<Component>,
    /// The AI answer cache, when the AI layer was checked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<serde_json::Value>,
    /// Process figures.
    pub performance: Performance,
}

/// Check every component. `started` is when the face started (for uptime); `ml` says where
/// the local models are (and whether they are wanted).
pub fn check(lib: Option<&Library>, started: Instant, ml: &MlSettings) -> Health {
    check_with_ai(lib, started, ml, None)
}

/// [`check`], plus the language-model layer: each provider (configured, allowed, reachable)
/// and the answer cache's figures (opened from `ai.1`).
pub fn check_with_ai(
    lib: Option<&Library>,
    started: Instant,
    ml: &MlSettings,
    ai: Option<(&AiSettings, &std::path::Path)>,
) -> Health {
    let ai = ai.map(|(settings, cache_dir)| {
        let cache =
            match crate::ai::cache::AiCache::open(cache_dir, u64::MAX, std::time::Duration::ZERO) {
                Ok(c) => serde_json::to_value(c.stats()).unwrap_or_default(),
                Err(e) => serde_json::json!({ "error": e.to_string() }),
            };
        (language_models(settings, cache.clone(), None), cache)
    });
    let (ai, cache) = ai.unzip();
    assemble(lib, started, ml, ai, cache)
}

/// [`check_with_ai`] for a face that holds the router (the desktop app, the HTTP API): the
/// cache figures come from the router's open cache (sled allows one opener per process),
/// and each provider's circuit state and measured latency are added.
pub fn check_with_router(
    lib: Option<&Library>,
    started: Instant,
    ml: &MlSettings,
    settings: &AiSettings,
    router: &crate::ai::Router,
) -> Health {
    let cache = router
        .cache()
        .map(|c| serde_json::to_value(c.stats()).unwrap_or_default())
        .unwrap_or(serde_json::Value::Null);
    let ai = language_models(settings, cache.clone(), Some(router.status()));
    assemble(lib, started, ml, Some(ai), Some(cache))
}

/// The report of a face that may hold a router: [`check_with_router`] when it does, else
/// [`check_with_ai`] with the answer cache read from the SampleMind home (the CLI, which
/// holds no router, and the desktop app, whose router may have failed to start).
pub fn report(
    lib: Option<&Library>,
    started: Instant,
    settings: &crate::config::Settings,
    router: Option<&crate::ai::Router>,
) -> Health {
    let health = match router {
        Some(r) => check_with_router(lib, started, &settings.ml, &settings.ai, r),
        None => check_with_ai(
            lib,
            started,
            &settings.ml,
            Some((&settings.ai, &crate::config::ai_cache_dir())),
        ),
    };
    let held = router.and_then(|r| r.cache()).and_then(|c| c.shared());
    match shared(&settings.shared, held) {
        Some(c) => health.with(c),
        None => health,
    }
}

/// The studio's shared cache, when `config.toml` names one: the tier the router holds, else
/// a fresh client (one PING, bounded by the configured timeout). Down when it does not
/// answer; the cache then works locally, so the report is `degraded`, not broken.
fn shared(
    settings: &crate::ai::settings::SharedSettings,
    held: Option<&crate::ai::shared::SharedCache>,
) -> Option<Component> {
    let configured = crate::ai::shared::SharedCache::from_settings(settings)?;
    let h = match held {
        Some(s) => Ok(s.health()),
        None => configured.map(|s| s.health()),
    };
    Some(match h {
        Ok(h) => Component {
            name: "shared",
            status: if h.up { Status::Ok } else { Status::Down },
            reason: h.reason.clone(),
            fix: (!h.up).then(|| {
                "start the studio's Redis, or remove [shared] redis from config.toml".into()
            }),
            details: serde_json::to_value(&h).unwrap_or_default(),
        },
        Err(e) => Component {
            name: "shared",
            status: Status::Down,
            reason: Some(e.to_string()),
            fix: Some("fix [shared] redis in config.toml (redis://host:port/db)".into()),
            details: serde_json::Value::Null,
        },
    })
}

impl Health {
    /// This report with one more component (the overall status follows it).
    fn with(mut self, c: Component) -> Self {
        self.components.push(c);
        self.status = overall(&self.components);
        self
    }
}

fn assemble(
    lib: Option<&Library>,
    started: Instant,
    ml: &MlSettings,
    ai: Option<Component>,
    cache: Option<serde_json::Value>,
) -> Health {
    let mut components = vec![library(lib)];
    components.push(audio());
    components.push(models(ml));
    components.extend(ai);
    components.push(http_client());
    Health {
        status: overall(&components),
        version: env!("CARGO_PKG_VERSION"),
        uptime_seconds: started.elapsed().as_secs_f64(),
        components,
        cache: cache.map(cache_summary),
        performance: performance(),
    }
}

/// `ok` when no component is down, `degraded` otherwise.
fn overall(components: &[Component]) -> Status {
    if components.iter().any(|c| c.status == Status::Down) {
        Status::Degraded
    } else {
        Status::Ok
    }
}

#[cfg(feature = "device")]
impl Health {
    /// Add the audition engine a face holds (the desktop app): its state and workers go
    /// under the audio component's `engine`; a stopped engine thread makes it `down`.
    pub fn with_audio_engine(mut self, engine: crate::audio::device::AudioStatus) -> Self {
        use crate::audio::device::engine::EngineState;
        if let Some(c) = self.components.iter_mut().find(|c| c.name == "audio") {
            if engine.state == EngineState::Stopped {
                c.status = Status::Down;
                c.reason = Some("the audition thread stopped; restart the app".into());
            }
            if let Some(d) = c.details.as_object_mut() {
                d.insert(
                    "engine".into(),
                    serde_json::to_value(&engine).unwrap_or_default(),
                );
            }
        }
        self.status = overall(&self.components);
        self
    }
}

/// The ONNX runtime and each model: which product features are off, and why.
fn models(settings: &MlSettings) -> Component {
    if !settings.enabled {
        return Component {
            name: "models",
            status: Status::Disabled,
            reason: Some("switched off in the config file ([ml] enabled = false)".into()),
            fix: Some("set `enabled = true` under [ml] in config.toml".into()),
            details: serde_json::Value::Null,
        };
    }
    let m = match crate::ml::open(settings) {
        Ok(m) => m,
        Err(e) => {
            return Component {
                name: "models",
                status: Status::Down,
                reason: Some(e.to_string()),
                fix: Some(models_fix(settings)),
                details: serde_json::json!({
                    "features_off": ModelId::ALL.iter().map(|id| id.feature()).collect::<Vec<_>>(),
                }),
            }
        }
    };
    let mut each = serde_json::Map::new();
    let mut off = Vec::new();
    for id in ModelId::ALL {
        let v = match m.check(id) {
            Ok(path) => serde_json::json!({ "status": "ok", "path": path }),
            Err(e) => {
                off.push(format!("{} ({e})", id.feature()));
                serde_json::json!({ "status": "down", "reason": e.to_string() })
            }
        };
        each.insert(id.file_name().to_string(), v);
    }
    Component {
        name: "models",
        status: if off.is_empty() {
            Status::Ok
        } else {
            Status::Down
        },
        reason: (!off.is_empty()).then(|| format!("off: {}", off.join("; "))),
        fix: (!off.is_empty()).then(|| models_fix(settings)),
        details: serde_json::json!({
            "onnxruntime": m.runtime_path(),
            "models": each,
        }),
    }
}

/// How to get the runtime and the models: the path named in the config, else the fetch script
/// in a source tree, else the runtime's variable (an installed package carries both, so only
/// a damaged install lands there).
fn models_fix(settings: &MlSettings) -> String {
    if let Some(p) = &settings.onnxruntime {
        // A runtime named in the config is the only one tried.
        return format!(
            "correct `onnxruntime = {:?}` under [ml] in config.toml, or remove it to use the one scripts/fetch-ml.sh fetches",
            p.display().to_string()
        );
    }
    let script = std::path::Path::new("scripts/fetch-ml.sh");
    let in_source = crate::config::source_tree().join(script);
    if script.is_file() {
        "bash scripts/fetch-ml.sh".into()
    } else if in_source.is_file() {
        format!("bash {}", in_source.display())
    } else {
        "set ORT_DYLIB_PATH to ONNX Runtime's library, or reinstall SampleMind".into()
    }
}

/// The first step towards a language model that answers: start the first allowed local
/// provider, else allow the cloud ones, else configure one.
fn language_models_fix(settings: &AiSettings) -> String {
    use crate::config::ProviderKind;
    if let Some(p) = settings.providers.iter().find(|p| !p.cloud) {
        return match p.kind {
            ProviderKind::Ollama => format!("ollama serve, then: ollama pull {}", p.model),
            _ => format!("start the `{}` server at {}", p.name, p.url),
        };
    }
    if settings.providers.iter().any(|p| p.cloud) && !settings.cloud {
        return "set `cloud = true` under [ai] in config.toml to let cloud providers answer".into();
    }
    "add a provider under [[ai.providers]] in config.toml (see the README)".into()
}

/// Whether something listens at `url`'s host and port (a TCP connect, 500 ms at most): cheap
/// enough for every health check, and it needs no runtime.
fn listening(url: &str) -> bool {
    use std::net::ToSocketAddrs;
    let rest = url.split("://").nth(1).unwrap_or(url);
    let host_port = rest.split('/').next().unwrap_or(rest);
    let with_port = if host_port.contains(':') {
        host_port.to_string()
    } else if url.starts_with("https") {
        format!("{host_port}:443")
    } else {
        format!("{host_port}:80")
    };
    with_port
        .to_socket_addrs()
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|a| {
            std::net::TcpStream::connect_timeout(&a, std::time::Duration::from_millis(500)).is_ok()
        })
}

fn language_models(
    settings: &AiSettings,
    cache: serde_json::Value,
    routed: Option<Vec<crate::ai::router::ProviderStatus>>,
) -> Component {
    let providers: Vec<serde_json::Value> = settings
        .providers
        .iter()
        .map(|p| {
            let allowed = !p.cloud || settings.cloud;
            let mut v = serde_json::json!({
                "name": p.name,
                "locality": if p.cloud { "cloud" } else { "local" },
                "allowed": allowed,
                "reachable": allowed && listening(&p.url),
                "model": p.model,
            });
            if let Some(r) = routed.iter().flatten().find(|r| r.name == p.name) {
                v["circuit_open"] = r.circuit_open.into();
                v["failures_in_a_row"] = r.failures_in_a_row.into();
                v["latency_ms"] = serde_json::to_value(r.latency_ms).unwrap_or_default();
            }
            v
        })
        .collect();
    let up = providers.iter().filter(|p| p["reachable"] == true).count();
    let fix = (up == 0).then(|| language_models_fix(settings));
    let (status, reason) = if up > 0 {
        (Status::Ok, None)
    } else {
        (
            Status::Down,
            Some(
                "no allowed language-model provider answers: descriptions are off and searches \
                 in words are read by rules alone"
                    .to_string(),
            ),
        )
    };
    Component {
        name: "ai",
        status,
        reason,
        fix,
        details: serde_json::json!({ "providers": providers, "cloud_enabled": settings.cloud, "cache": cache }),
    }
}

/// The cache's figures as health reports them: `status`, `hit_rate`, `total_requests`, hits,
/// misses, bytes, evictions (or `down` with the reason it could not be opened).
fn cache_summary(stats: serde_json::Value) -> serde_json::Value {
    if let Some(e) = stats.get("error") {
        return serde_json::json!({ "status": "down", "reason": e });
    }
    if stats.is_null() {
        return serde_json::json!({ "status": "disabled" });
    }
    let n = |k: &str| stats.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
    serde_json::json!({
        "status": "ok",
        "hit_rate": stats.get("hit_rate").cloned().unwrap_or(serde_json::Value::from(0.0)),
        "total_requests": n("hits") + n("misses"),
        "hits": n("hits"),
        "misses": n("misses"),
        "entries": n("entries"),
        "bytes": n("bytes"),
        "evictions": n("evictions"),
    })
}

/// The one HTTP client every provider shares.
fn http_client() -> Component {
    Component {
        name: "http_client",
        status: Status::Ok,
        reason: None,
        fix: None,
        details: serde_json::json!({
            // Built with reqwest's `http2` feature: HTTP/2 where a server offers it (ALPN).
            "http2_enabled": true,
            "tls": "rustls",
            "shared": true,
        }),
    }
}

/// The way out of a damaged library, as health shows it.
pub const REPAIR_FIX: &str =
    "samplemind repair (keeps the damaged store aside, saves what reads, rescans)";

fn library(lib: Option<&Library>) -> Component {
    let Some(lib) = lib else {
        return Component {
            name: "library",
            status: Status::Down,
            reason: Some("the library could not be opened".into()),
            fix: None,
            details: serde_json::Value::Null,
        };
    };
    let s = lib.stats();
    if let Some(damaged) = &s.damaged {
        return Component {
            name: "library",
            status: Status::Down,
            reason: Some(damaged.clone()),
            fix: Some(REPAIR_FIX.into()),
            details: serde_json::json!({ "path": lib.dir(), "paths_read": s.paths }),
        };
    }
    let (status, reason) = if lib.is_scratch_copy() {
        (
            Status::Degraded,
            Some(
                "the disk under the library is full: it is read from a temporary copy and nothing new can be stored"
                    .to_string(),
            ),
        )
    } else if s.corrupt_records > 0 {
        (
            Status::Ok,
            Some(format!("{} corrupt records are skipped", s.corrupt_records)),
        )
    } else {
        (Status::Ok, None)
    };
    Component {
        name: "library",
        status,
        reason,
        fix: None,
        details: serde_json::json!({
            "path": lib.dir(),
            "schema_version": lib.schema_version().unwrap_or(0),
            "sample_count": s.unique_samples,
            "paths": s.paths,
            "pending": s.pending,
            "failed": s.failed,
            "store_bytes": s.store_bytes,
        }),
    }
}

#[cfg(feature = "device")]
fn audio() -> Component {
    use cpal::traits::HostTrait;
    let host = crate::audio::device::host();
    let out = host.default_output_device().is_some();
    let inp = host.default_input_device().is_some();
    let (status, reason) = if out {
        (Status::Ok, None)
    } else {
        (
            Status::Down,
            Some("no output device (is an audio server running?)".to_string()),
        )
    };
    Component {
        name: "audio",
        status,
        reason,
        fix: None,
        details: serde_json::json!({
            "host": format!("{:?}", host.id()),
            "default_output": out,
            "default_input": inp,
            // A face that auditions (the app) fills this in: `Health::with_audio_engine`.
            "engine": null,
        }),
    }
}

#[cfg(not(feature = "device"))]
fn audio() -> Component {
    Component {
        name: "audio",
        status: Status::Disabled,
        reason: Some("built without the `device` feature".into()),
        fix: Some(
            "cargo build --release --features device (needs libasound2-dev and pkg-config)".into(),
        ),
        details: serde_json::Value::Null,
    }
}

/// Process figures from /proc on Linux; none elsewhere yet.
#[cfg(target_os = "linux")]
fn performance() -> Performance {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next()?.parse::<f64>().ok())
    };
    // utime + stime (ticks), and over the process's age (ticks since boot minus its start).
    let cpu = (|| {
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        // Fields after the command name, which sits in parentheses and may hold spaces.
        let rest = stat.rsplit_once(')')?.1;
        let f: Vec<&str> = rest.split_whitespace().collect();
        let ticks = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
        let start = f.get(19)?.parse::<f64>().ok()?;
        let uptime: f64 = std::fs::read_to_string("/proc/uptime")
            .ok()?
            .split_whitespace()
            .next()?
            .parse()
            .ok()?;
        let hz = 100.0; // USER_HZ is 100 on every Linux architecture we ship for.
        let age = uptime - start / hz;
        // /proc/uptime has 10 ms steps: a fresh process can read an age of 0 (seen on CI).
        let percent = (age >= 0.05).then(|| 100.0 * ticks / hz / age);
        Some((ticks / hz, percent))
    })();
    Performance {
        cpu_seconds: cpu.map(|c| c.0),
        cpu_percent: cpu.and_then(|c| c.1),
        memory_mb: field("VmRSS:").map(|kb| kb / 1024.0),
        threads: field("Threads:").map(|t| t as u32),
    }
}

#[cfg(not(target_os = "linux"))]
fn performance() -> Performance {
    Performance::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(feature = "device")]
    #[test]
    fn a_stopped_audition_thread_takes_the_audio_component_down() {
        use crate::audio::device::{engine::EngineState, AudioStatus};
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let h = check(Some(&lib), Instant::now(), &MlSettings::default());
        let before = h.status;
        let h = h.with_audio_engine(AudioStatus {
            state: EngineState::Stopped,
            ..AudioStatus::default()
        });
        let audio = h.components.iter().find(|c| c.name == "audio").unwrap();
        assert_eq!(audio.status, Status::Down);
        assert!(audio.reason.as_deref().unwrap().contains("audition thread"));
        assert_eq!(audio.details["engine"]["state"], "stopped");
        assert_eq!(h.status, Status::Degraded, "was {before:?}");
    }

    #[test]
    fn a_missing_library_degrades_and_says_why() {
        let h = check(None, Instant::now(), &MlSettings::default());
        assert_eq!(h.status, Status::Degraded);
        let lib = h.components.iter().find(|c| c.name == "library").unwrap();
        assert_eq!(lib.status, Status::Down);
        assert!(lib
            .reason
            .as_deref()
            .unwrap()
            .contains("could not be opened"));
    }

    #[test]
    fn a_working_library_reports_its_figures_and_the_process_is_measured() {
        let dir = tempfile::tempdir().unwrap();
        let lib = Library::open(dir.path()).unwrap();
        let h = check(Some(&lib), Instant::now(), &MlSettings::default());
        let c = h.components.iter().find(|c| c.name == "library").unwrap();
        assert_eq!(c.status, Status::Ok);
        assert_eq!(c.details["sample_count"], 0);
        assert_eq!(c.details["schema_version"], crate::library::SCHEMA_VERSION);
        #[cfg(target_os = "linux")]
        {
            assert!(h.performance.memory_mb.unwrap() > 1.0);
            assert!(h.performance.threads.unwrap() >= 1);
            assert!(h.performance.cpu_seconds.unwrap() >= 0.0);
            if let Some(p) = h.performance.cpu_percent {
                assert!((0.0..=100.0 * h.performance.threads.unwrap() as f64).contains(&p));
            }
        }
    }
}
