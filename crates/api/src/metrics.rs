//! `/metrics` in the Prometheus text format: requests by route and status, request time,
//! and the figures health reports (library, AI cache, process).

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use super::ApiState;

/// Request counters, by (route template, status).
#[derive(Default)]
pub struct Metrics {
    by_route: Mutex<BTreeMap<(String, u16), (u64, f64)>>,
}

/// Count every request (after it is answered) under its route template, so that ids in paths
/// do not make a series each.
pub async fn count(State(state): State<Arc<ApiState>>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let t0 = Instant::now();
    let res = next.run(req).await;
    let secs = t0.elapsed().as_secs_f64();
    if let Ok(mut m) = state.metrics.by_route.lock() {
        let e = m.entry((route, res.status().as_u16())).or_default();
        e.0 += 1;
        e.1 += secs;
    }
    res
}

fn gauge(out: &mut String, name: &str, help: &str, kind: &str, value: f64) {
    let _ = writeln!(
        out,
        "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}"
    );
}

/// The whole exposition.
pub fn render(state: &ApiState) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# HELP samplemind_http_requests_total Requests answered, by route and status.\n# TYPE samplemind_http_requests_total counter"
    );
    let snapshot: Vec<_> = state
        .metrics
        .by_route
        .lock()
        .map(|m| m.iter().map(|(k, v)| (k.clone(), *v)).collect())
        .unwrap_or_default();
    for ((route, status), (n, _)) in &snapshot {
        let _ = writeln!(
            out,
            "samplemind_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}"
        );
    }
    let _ = writeln!(
        out,
        "# HELP samplemind_http_request_seconds_total Time spent answering, by route.\n# TYPE samplemind_http_request_seconds_total counter"
    );
    for ((route, status), (_, secs)) in &snapshot {
        let _ = writeln!(
            out,
            "samplemind_http_request_seconds_total{{route=\"{route}\",status=\"{status}\"}} {secs}"
        );
    }
    let stats = state.lib.stats();
    gauge(
        &mut out,
        "samplemind_library_samples",
        "Distinct analysed samples.",
        "gauge",
        stats.unique_samples as f64,
    );
    gauge(
        &mut out,
        "samplemind_library_paths",
        "Paths known to the library.",
        "gauge",
        stats.paths as f64,
    );
    gauge(
        &mut out,
        "samplemind_library_store_bytes",
        "Size of the store on disk.",
        "gauge",
        stats.store_bytes as f64,
    );
    if let Some(c) = state.ai.as_ref().and_then(|r| r.cache()) {
        let s = c.stats();
        gauge(
            &mut out,
            "samplemind_ai_cache_hits_total",
            "AI answers served from the cache.",
            "counter",
            s.hits as f64,
        );
        gauge(
            &mut out,
            "samplemind_ai_cache_misses_total",
            "AI requests not in the cache.",
            "counter",
            s.misses as f64,
        );
        gauge(
            &mut out,
            "samplemind_ai_cache_hit_ratio",
            "Hits over requests.",
            "gauge",
            s.hit_rate,
        );
        gauge(
            &mut out,
            "samplemind_ai_cache_bytes",
            "Bytes of cached answers.",
            "gauge",
            s.bytes as f64,
        );
        gauge(
            &mut out,
            "samplemind_ai_cache_evictions_total",
            "Answers evicted by the size bound.",
            "counter",
            s.evictions as f64,
        );
    }
    let perf =
        samplemind_engine::health::check(None, state.started, &state.settings.ml).performance;
    if let Some(c) = perf.cpu_seconds {
        gauge(
            &mut out,
            "process_cpu_seconds_total",
            "CPU time of this process.",
            "counter",
            c,
        );
    }
    if let Some(m) = perf.memory_mb {
        gauge(
            &mut out,
            "process_resident_memory_bytes",
            "Resident memory.",
            "gauge",
            m * 1024.0 * 1024.0,
        );
    }
    if let Some(t) = perf.threads {
        gauge(&mut out, "process_threads", "Threads.", "gauge", t as f64);
    }
    gauge(
        &mut out,
        "samplemind_uptime_seconds",
        "Seconds since the server started.",
        "gauge",
        state.started.elapsed().as_secs_f64(),
    );
    out
}
