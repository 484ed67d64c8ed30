//! `samplemind bench --ai`: the AI layer's own cost. Cache hits through the whole router
//! path, coalescing of 100 identical cold requests, and the router's overhead on a miss
//! against a direct provider call in the same run. The upstream is an in-process
//! OpenAI-compatible responder with a fixed answer (or a real server with `--ai-url`), so
//! that the figures measure SampleMind, not a model. With a peer, LiteLLM's Router and its
//! local cache are then timed the same way against the same upstream.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

use crate::Spread;
use samplemind_engine::ai::cache::AiCache;
use samplemind_engine::ai::providers::openai::OpenAiCompatible;
use samplemind_engine::ai::providers::Provider;
use samplemind_engine::ai::{AskOptions, ChatRequest, Locality, Message, Router, RouterSettings};

/// What `bench --ai` measured.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AiBench {
    /// The upstream: `in-process responder` or the URL given.
    pub upstream: String,
    /// A cache hit through `Router::chat`, ms.
    pub cache_hit: Spread,
    /// 99th percentile of `cache_hit`, ms (target < 2).
    pub cache_hit_p99_ms: f64,
    /// Upstream calls made for 100 identical cold requests sent at once (target 1).
    pub coalesced_upstream_calls: u64,
    /// A direct provider call on a miss, ms.
    pub direct_miss: Spread,
    /// The same through the router (cache lookup, coalescing, routing, cache write), ms.
    pub router_miss: Spread,
    /// Router median minus direct median, ms (target < 1).
    pub router_overhead_ms: f64,
    /// The peer's figures, when it ran.
    pub peer: Option<AiPeerBench>,
}

/// LiteLLM's Router measured like ours, after ours, against the same upstream.
#[derive(Debug, Clone, Default, Serialize)]
pub struct AiPeerBench {
    /// `litellm <version> Router, local cache`.
    pub peer: String,
    /// A cache hit through its Router, ms.
    pub cache_hit: Spread,
    /// 99th percentile of `cache_hit`, ms.
    pub cache_hit_p99_ms: f64,
    /// Of the timed calls, how many LiteLLM reported as cache hits.
    pub cache_hits_reported: usize,
    /// Upstream calls it made for 100 identical cold requests sent at once (only counted
    /// against the in-process responder).
    pub burst_upstream_calls: Option<u64>,
    /// Its median cache hit over ours.
    pub ratio_p50: f64,
    /// Its p99 cache hit over ours.
    pub ratio_p99: f64,
}

pub(crate) fn p99(ms: &[f64]) -> f64 {
    let mut sorted = ms.to_vec();
    sorted.sort_by(f64::total_cmp);
    sorted
        .get((sorted.len().max(1) - 1) * 99 / 100)
        .copied()
        .unwrap_or(0.0)
}

pub(crate) async fn responder(
    delay: Arc<AtomicU64>,
    calls: Arc<AtomicU64>,
) -> std::io::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (delay, calls) = (delay.clone(), calls.clone());
            tokio::spawn(async move {
                let mut r = BufReader::new(sock);
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let mut len = 0usize;
                    loop {
                        let mut h = String::new();
                        if r.read_line(&mut h).await.unwrap_or(0) == 0 {
                            return;
                        }
                        if h == "\r\n" {
                            break;
                        }
                        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                            len = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; len];
                    if r.read_exact(&mut body).await.is_err() {
                        return;
                    }
                    calls.fetch_add(1, Ordering::SeqCst);
                    let wait = delay.load(Ordering::SeqCst);
                    if wait > 0 {
                        tokio::time::sleep(Duration::from_millis(wait)).await;
                    }
                    let answer = r#"{"id":"b","object":"chat.completion","model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"A short answer."},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}"#;
                    let reply = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{answer}",
                        answer.len()
                    );
                    if r.get_mut().write_all(reply.as_bytes()).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    Ok(url)
}

fn request(i: usize) -> ChatRequest {
    ChatRequest {
        task: "bench".into(),
        messages: vec![Message::user(format!("Describe sample number {i}."))],
        max_tokens: Some(8),
        ..ChatRequest::default()
    }
}

/// Run the AI benchmark; `url` is a real OpenAI-compatible server, else an in-process one.
/// With `peer` (a Python with LiteLLM), the peer is timed after ours; its failure is
/// returned beside our figures, not instead of them.
///
/// # Errors
/// The cache or the upstream fails.
pub fn ai(
    url: Option<String>,
    work: &std::path::Path,
    peer: Option<&std::path::Path>,
) -> Result<(AiBench, Option<String>), Box<dyn std::error::Error>> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(async {
        let delay = Arc::new(AtomicU64::new(0));
        let calls = Arc::new(AtomicU64::new(0));
        let (upstream, base) = match url {
            Some(u) => (u.clone(), u),
            None => (
                "in-process responder".to_string(),
                responder(delay.clone(), calls.clone()).await?,
            ),
        };
        let provider = Arc::new(OpenAiCompatible::new(
            "bench",
            &base,
            "bench",
            Locality::Local,
        ));
        let cache = AiCache::open(&work.join("ai-cache"), 64 << 20, Duration::from_secs(3600))?;
        let router = Arc::new(Router::new(
            vec![provider.clone() as Arc<dyn Provider>],
            Some(cache),
            RouterSettings::default(),
        ));
        let opts = AskOptions::default();
        let mut out = AiBench {
            upstream,
            ..Default::default()
        };

        // Cache hits: one answer stored, then asked again and again.
        router.chat(&request(0), &opts).await?;
        let mut hits = Vec::with_capacity(2000);
        for _ in 0..2000 {
            let t = Instant::now();
            let r = router.chat(&request(0), &opts).await?;
            hits.push(t.elapsed().as_secs_f64() * 1000.0);
            debug_assert!(r.cached);
        }
        out.cache_hit_p99_ms = p99(&hits);
        out.cache_hit = Spread::of(hits);

        // 100 identical cold requests at once, the upstream slow enough to hold them.
        delay.store(200, Ordering::SeqCst);
        let before = router.upstream_calls();
        let tasks: Vec<_> = (0..100)
            .map(|_| {
                let r = Arc::clone(&router);
                tokio::spawn(async move { r.chat(&request(1), &AskOptions::default()).await })
            })
            .collect();
        for t in tasks {
            t.await??;
        }
        out.coalesced_upstream_calls = router.upstream_calls() - before;
        delay.store(0, Ordering::SeqCst);

        // Misses: distinct requests, direct and through the router, interleaved.
        let (mut direct, mut routed) = (Vec::new(), Vec::new());
        for i in 0..300 {
            let t = Instant::now();
            provider.chat(&request(10_000 + i)).await?;
            direct.push(t.elapsed().as_secs_f64() * 1000.0);
            let t = Instant::now();
            router.chat(&request(20_000 + i), &opts).await?;
            routed.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        out.direct_miss = Spread::of(direct);
        out.router_miss = Spread::of(routed);
        out.router_overhead_ms = out.router_miss.median_ms - out.direct_miss.median_ms;

        let mut peer_error = None;
        if let Some(python) = peer {
            let counted = out.upstream == "in-process responder";
            match time_litellm(python.to_path_buf(), base, counted, &delay, &calls).await {
                Ok(mut p) => {
                    p.ratio_p50 = p.cache_hit.median_ms / out.cache_hit.median_ms.max(1e-9);
                    p.ratio_p99 = p.cache_hit_p99_ms / out.cache_hit_p99_ms.max(1e-9);
                    out.peer = Some(p);
                }
                Err(e) => peer_error = Some(e),
            }
        }
        Ok((out, peer_error))
    })
}

/// LiteLLM's cache hits (2000, as ours) and its burst of 100, through `python`.
async fn time_litellm(
    python: std::path::PathBuf,
    base: String,
    counted: bool,
    delay: &AtomicU64,
    calls: &AtomicU64,
) -> Result<AiPeerBench, String> {
    // The child's requests are served by this runtime, so wait for it off its threads.
    let run = |phase: &'static str, n: usize| {
        let (python, base) = (python.clone(), base.clone());
        tokio::task::spawn_blocking(move || crate::peers::litellm(&python, &base, phase, n, None))
    };
    let hits = run("hits", 2000).await.map_err(|e| e.to_string())??;
    delay.store(200, Ordering::SeqCst);
    let before = calls.load(Ordering::SeqCst);
    let burst = run("burst", 100).await.map_err(|e| e.to_string());
    delay.store(0, Ordering::SeqCst);
    let burst = burst??;
    if let Some(f) = burst.failed.first() {
        return Err(format!("LiteLLM's burst failed: {f}"));
    }
    Ok(AiPeerBench {
        peer: format!("litellm {} Router, local cache", hits.version),
        cache_hit_p99_ms: p99(&hits.ms),
        cache_hits_reported: hits.cached,
        cache_hit: Spread::of(hits.ms),
        burst_upstream_calls: counted.then(|| calls.load(Ordering::SeqCst) - before),
        ..AiPeerBench::default()
    })
}
