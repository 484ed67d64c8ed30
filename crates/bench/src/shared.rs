//! `samplemind bench --ai --redis URL`: the studio's shared tier (issue 23) on a Redis you
//! started. Machine A asks [`QUESTIONS`] distinct questions, so their answers land in Redis;
//! machine B, with an empty local cache, then asks each once: every answer is a hit only
//! Redis holds, through the whole router path (local miss, Redis, checks, kept locally).
//! Then [`PROCESSES`] routers, each with its own local cache, connection and coalescer
//! (all they share is Redis, as separate processes would), send [`BURST`] identical cold
//! requests each at once, and the upstream counts its calls. LiteLLM with its Redis cache
//! is timed the same way in the same run: a fresh process for its hits, and
//! [`PROCESSES`] real processes for its burst. Against a cluster (`--redis` naming its
//! nodes) only ours runs: the figure there is ours against ours on one server.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::ai::{p99, responder};
use crate::Spread;
use samplemind_engine::ai::cache::AiCache;
use samplemind_engine::ai::providers::openai::OpenAiCompatible;
use samplemind_engine::ai::providers::Provider;
use samplemind_engine::ai::shared::SharedCache;
use samplemind_engine::ai::{AskOptions, ChatRequest, Locality, Message, Router, RouterSettings};

/// Distinct questions machine A asks and machine B times.
pub const QUESTIONS: usize = 1000;
/// Processes (routers sharing only Redis) in the burst.
pub const PROCESSES: usize = 4;
/// Identical cold requests each process sends at once.
pub const BURST: usize = 100;

/// What `bench --ai --redis` measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SharedBench {
    /// The server, without a password.
    pub redis: String,
    /// A hit that only Redis holds, through `Router::chat` on machine B, ms.
    pub hit: Spread,
    /// 99th percentile of `hit`, ms (target < 1).
    pub hit_p99_ms: f64,
    /// Upstream calls for [`PROCESSES`] × [`BURST`] identical cold requests (target 1).
    pub burst_upstream_calls: u64,
    /// Requests of the burst that waited for another process's lease.
    pub lease_waits: u64,
    /// LiteLLM's figures, when it ran.
    pub peer: Option<SharedPeerBench>,
}

/// LiteLLM with its Redis cache, measured like ours against the same Redis and upstream.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SharedPeerBench {
    /// `litellm <version> Router, Redis cache`.
    pub peer: String,
    /// A hit only Redis holds, in a fresh process, ms.
    pub hit: Spread,
    /// 99th percentile of `hit`, ms.
    pub hit_p99_ms: f64,
    /// Of the timed calls, how many LiteLLM reported as cache hits.
    pub hits_reported: usize,
    /// Upstream calls its [`PROCESSES`] processes made for [`BURST`] identical cold requests
    /// each.
    pub burst_upstream_calls: u64,
    /// Its median hit over ours.
    pub ratio_p50: f64,
    /// Its p99 hit over ours.
    pub ratio_p99: f64,
}

fn question(i: usize) -> ChatRequest {
    ChatRequest {
        task: "bench".into(),
        messages: vec![Message::user(format!("Describe shared sample number {i}."))],
        max_tokens: Some(8),
        ..ChatRequest::default()
    }
}

/// One machine: a router over `base` with its own local cache in `dir` and its own
/// connection to `redis`.
fn machine(
    base: &str,
    dir: &std::path::Path,
    redis: &str,
) -> Result<(Router, Arc<SharedCache>), Box<dyn std::error::Error>> {
    let provider = Arc::new(OpenAiCompatible::new(
        "bench",
        base,
        "bench",
        Locality::Local,
    ));
    let shared = Arc::new(SharedCache::from_urls(
        redis,
        false,
        Duration::from_millis(250),
    )?);
    let cache =
        AiCache::open(dir, 64 << 20, Duration::from_secs(3600))?.with_shared(shared.clone());
    Ok((
        Router::new(
            vec![provider as Arc<dyn Provider>],
            Some(cache),
            RouterSettings::default(),
        ),
        shared,
    ))
}

/// Run the shared-tier benchmark against `redis` (several comma-separated URLs: a Redis
/// Cluster); LiteLLM through `peer` (a venv Python) after ours, on a single server only. The
/// peer's failure is returned beside our figures.
///
/// # Errors
/// Redis or the local cache fails.
pub fn shared(
    redis: &str,
    work: &std::path::Path,
    peer: Option<&std::path::Path>,
) -> Result<(SharedBench, Option<String>), Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let delay = Arc::new(AtomicU64::new(0));
        let calls = Arc::new(AtomicU64::new(0));
        let base = responder(delay.clone(), calls.clone()).await?;
        // A run of its own: earlier runs' answers must not make A's questions warm.
        let run = format!("{}", std::process::id());
        let opts = AskOptions::default();
        let (a, a_shared) = machine(&base, &work.join("shared-a"), redis)?;
        if !a_shared.health().up {
            return Err(format!("Redis at {redis} does not answer").into());
        }
        let ask = |i: usize| {
            let mut q = question(i);
            q.messages[0].content.push_str(&format!(" Run {run}."));
            q
        };
        for i in 0..QUESTIONS {
            a.chat(&ask(i), &opts).await?;
        }
        let (b, b_shared) = machine(&base, &work.join("shared-b"), redis)?;
        let mut ms = Vec::with_capacity(QUESTIONS);
        for i in 0..QUESTIONS {
            let t = Instant::now();
            let r = b.chat(&ask(i), &opts).await?;
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
            if !r.cached {
                return Err(format!("question {i} was not a hit on machine B").into());
            }
        }
        let mut out = SharedBench {
            redis: b_shared.health().server,
            hit_p99_ms: p99(&ms),
            hit: Spread::of(ms),
            ..SharedBench::default()
        };

        delay.store(200, Ordering::SeqCst);
        let before = calls.load(Ordering::SeqCst);
        let mut processes = Vec::new();
        for p in 0..PROCESSES {
            let (r, s) = machine(&base, &work.join(format!("shared-p{p}")), redis)?;
            processes.push((Arc::new(r), s));
        }
        let mut tasks = Vec::new();
        for (r, _) in &processes {
            for _ in 0..BURST {
                let (r, q) = (r.clone(), ask(QUESTIONS + 1));
                tasks.push(tokio::spawn(async move {
                    r.chat(&q, &AskOptions::default()).await
                }));
            }
        }
        for t in tasks {
            t.await??;
        }
        out.burst_upstream_calls = calls.load(Ordering::SeqCst) - before;
        out.lease_waits = processes.iter().map(|(_, s)| s.health().lease_waits).sum();
        delay.store(0, Ordering::SeqCst);

        let mut peer_error = None;
        if let Some(python) = peer.filter(|_| !redis.contains(',')) {
            match time_litellm(python, &base, redis, &delay, &calls).await {
                Ok(mut p) => {
                    p.ratio_p50 = p.hit.median_ms / out.hit.median_ms.max(1e-9);
                    p.ratio_p99 = p.hit_p99_ms / out.hit_p99_ms.max(1e-9);
                    out.peer = Some(p);
                }
                Err(e) => peer_error = Some(e),
            }
        }
        Ok((out, peer_error))
    })
}

/// LiteLLM: one process stores, a fresh one times the hits, then [`PROCESSES`] processes
/// burst at once.
async fn time_litellm(
    python: &std::path::Path,
    base: &str,
    redis: &str,
    delay: &AtomicU64,
    calls: &AtomicU64,
) -> Result<SharedPeerBench, String> {
    // The children's requests are served by this runtime, so wait for them off its threads.
    let run = |phase: &'static str, n: usize| {
        let (python, base, redis) = (python.to_path_buf(), base.to_string(), redis.to_string());
        tokio::task::spawn_blocking(move || {
            crate::peers::litellm(&python, &base, phase, n, Some(&redis))
        })
    };
    // Its keys are its own, so ours above do not make its questions warm; a rerun would,
    // so the server must start empty of them (a fresh redis-server per run, as the bench
    // script does).
    run("store", QUESTIONS).await.map_err(|e| e.to_string())??;
    let hits = run("hits", QUESTIONS).await.map_err(|e| e.to_string())??;
    delay.store(200, Ordering::SeqCst);
    let before = calls.load(Ordering::SeqCst);
    let bursts: Vec<_> = (0..PROCESSES).map(|_| run("burst", BURST)).collect();
    let mut failed = None;
    for b in bursts {
        let b = b.await.map_err(|e| e.to_string())??;
        failed = failed.or(b.failed.first().cloned());
    }
    delay.store(0, Ordering::SeqCst);
    if let Some(f) = failed {
        return Err(format!("LiteLLM's burst failed: {f}"));
    }
    Ok(SharedPeerBench {
        peer: format!("litellm {} Router, Redis cache", hits.version),
        hit_p99_ms: p99(&hits.ms),
        hits_reported: hits.cached,
        hit: Spread::of(hits.ms),
        burst_upstream_calls: calls.load(Ordering::SeqCst) - before,
        ..SharedPeerBench::default()
    })
}
