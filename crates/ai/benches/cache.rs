//! The answer cache's hot path: the key of a request, a hit, a miss. Every language-model
//! call pays these first. `cargo bench -p samplemind-ai` prints the figures;
//! `samplemind bench --ai` measures hits through the whole router, and coalescing.

use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion};
use samplemind_ai::cache::{AiCache, CacheKey};
use samplemind_ai::{ChatRequest, ChatResponse, Message};

fn request(i: usize) -> ChatRequest {
    ChatRequest {
        task: "describe".into(),
        messages: vec![Message::user(format!(
            "Describe sample {i}: kick, 0.4 s, -9 LUFS, punchy"
        ))],
        max_tokens: Some(120),
        ..ChatRequest::default()
    }
}

fn cache(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let cache = AiCache::open(dir.path(), 256 << 20, Duration::from_secs(86_400)).unwrap();
    let answer = ChatResponse {
        text: "{\"tags\":[\"punchy\",\"dark\"],\"description\":\"A short punchy kick.\"}".into(),
        model: "qwen2.5:0.5b".into(),
        provider: "ollama".into(),
        done_reason: Some("stop".into()),
        prompt_tokens: Some(60),
        completion_tokens: Some(20),
        cached: false,
    };
    for i in 0..1_000 {
        cache
            .put(&CacheKey::of(&request(i)), "describe", &answer, None)
            .unwrap();
    }
    let req = request(7);
    let (hit, miss) = (CacheKey::of(&req), CacheKey::of(&request(5_000)));
    let mut g = c.benchmark_group("answer cache");
    g.bench_function("key of a request", |b| b.iter(|| CacheKey::of(&req)));
    g.bench_function("hit", |b| b.iter(|| cache.get(&hit).unwrap()));
    g.bench_function("miss", |b| b.iter(|| cache.get(&miss).is_none()));
    g.finish();
}

criterion_group!(benches, cache);
criterion_main!(benches);
