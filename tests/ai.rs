//! The AI layer against a faithful Ollama protocol server (tests/fake_ollama.rs) for the
//! protocol and the faults, and against a real llama.cpp server for the OpenAI-compatible
//! path (tests/llm.rs).

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use futures_util::StreamExt;
use samplemind::ai::cache::AiCache;
use samplemind::ai::providers::ollama::Ollama;
use samplemind::ai::providers::Provider;
use samplemind::ai::{
    AiError, AskOptions, ChatRequest, Configure, Message, Router, RouterSettings, StreamEvent,
};

use crate::fake_ollama::{FakeOllama, Fault, ANSWER};

fn req(q: &str) -> ChatRequest {
    ChatRequest {
        task: "ask".into(),
        messages: vec![Message::user(q)],
        max_tokens: Some(32),
        ..ChatRequest::default()
    }
}

fn quick() -> RouterSettings {
    RouterSettings {
        backoff: Duration::from_millis(5),
        ..RouterSettings::default()
    }
}

fn router(server: &FakeOllama, cache: Option<AiCache>) -> Router {
    let p: Arc<dyn Provider> = Arc::new(Ollama::new(&server.url, "smollm2:135m"));
    Router::new(vec![p], cache, quick())
}

fn cache(dir: &tempfile::TempDir) -> AiCache {
    AiCache::open(
        &dir.path().join("ai-cache"),
        1 << 20,
        Duration::from_secs(3600),
    )
    .unwrap()
}

#[tokio::test]
async fn ollama_chat_stream_embed_and_models_speak_the_protocol() {
    let server = FakeOllama::start().await;
    let p = Ollama::new(&server.url, "smollm2:135m");
    let whole = p.chat(&req("describe")).await.unwrap();
    assert_eq!(whole.text, ANSWER);
    assert_eq!(whole.done_reason.as_deref(), Some("stop"));
    assert_eq!(
        (whole.prompt_tokens, whole.completion_tokens),
        (Some(26), Some(9))
    );

    // Every NDJSON line arrives in two TCP writes: the deltas must still be whole words.
    let s = p.chat_stream(&req("describe")).await.unwrap();
    let (deltas, done) = crate::llm::collect(s).await;
    assert_eq!(deltas, ANSWER);
    assert_eq!(done.unwrap().text, ANSWER);

    let e = p
        .embed(None, &["kick".into(), "snare".into()])
        .await
        .unwrap();
    assert_eq!(e.len(), 2);
    assert_eq!(e[1][0], 1.0);
    assert_eq!(p.models().await.unwrap(), vec!["smollm2:135m".to_string()]);
    p.health().await.unwrap();

    // /api/generate: the same request as one prompt; `response` instead of `message`.
    let mut sys = req("describe");
    sys.messages
        .insert(0, Message::system("You tag audio samples."));
    let whole = p.generate(&sys).await.unwrap();
    assert_eq!(whole.text, ANSWER);
    assert_eq!(whole.completion_tokens, Some(9));
    let mut s = p.generate_stream(&sys).await.unwrap();
    let mut deltas = String::new();
    while let Some(ev) = s.next().await {
        if let StreamEvent::Delta(d) = ev.unwrap() {
            deltas.push_str(&d);
        }
    }
    assert_eq!(deltas, ANSWER);
    // /api/ps: the model answered, so it is loaded, with its expiry.
    let loaded = p.loaded().await.unwrap();
    assert_eq!(loaded.len(), 1);
    assert_eq!(loaded[0].name, "smollm2:135m");
    assert_eq!(
        loaded[0].expires_at.as_deref(),
        Some("2026-11-24T00:10:00Z")
    );
}

#[tokio::test]
async fn an_error_line_after_200_and_a_cut_stream_are_errors_and_never_cached() {
    let server = FakeOllama::start().await;
    let dir = tempfile::tempdir().unwrap();
    let r = router(&server, Some(cache(&dir)));
    let opts = AskOptions::default();

    server.push_faults(&[Fault::ErrorLine]);
    let mut s = r.chat_stream(&req("q"), &opts).await.unwrap();
    let mut got_err = None;
    while let Some(ev) = s.next().await {
        if let Err(e) = ev {
            got_err = Some(e);
        }
    }
    let e = got_err.expect("the error line is an error");
    assert!(e.to_string().contains("the model crashed"), "{e}");

    server.push_faults(&[Fault::Truncate]);
    let mut s = r.chat_stream(&req("q"), &opts).await.unwrap();
    let mut last = None;
    while let Some(ev) = s.next().await {
        last = Some(ev);
    }
    assert!(
        matches!(last, Some(Err(AiError::Truncated { .. }))),
        "{last:?}"
    );
    assert_eq!(
        r.cache().unwrap().stats().entries,
        0,
        "nothing partial was cached"
    );

    // The next complete answer is cached and replays as a stream.
    let mut s = r.chat_stream(&req("q"), &opts).await.unwrap();
    while s.next().await.is_some() {}
    let calls = server.chats.load(std::sync::atomic::Ordering::SeqCst);
    let mut s = r.chat_stream(&req("q"), &opts).await.unwrap();
    let mut text = String::new();
    while let Some(ev) = s.next().await {
        if let Ok(StreamEvent::Done(d)) = ev {
            assert!(d.cached);
            text = d.text;
        }
    }
    assert_eq!(text, ANSWER);
    assert_eq!(
        server.chats.load(std::sync::atomic::Ordering::SeqCst),
        calls,
        "served from cache"
    );
}

#[tokio::test]
async fn statuses_resets_and_bad_json_are_retried_then_answered() {
    let server = FakeOllama::start().await;
    let r = router(&server, None);
    server.push_faults(&[Fault::Status(429)]);
    assert_eq!(
        r.chat(&req("a"), &AskOptions::default())
            .await
            .unwrap()
            .text,
        ANSWER
    );
    server.push_faults(&[Fault::Status(500), Fault::Reset]);
    assert_eq!(
        r.chat(&req("b"), &AskOptions::default())
            .await
            .unwrap()
            .text,
        ANSWER
    );
    server.push_faults(&[Fault::Malformed]);
    assert_eq!(
        r.chat(&req("c"), &AskOptions::default())
            .await
            .unwrap()
            .text,
        ANSWER
    );
    // A 400 is the caller's fault: not retried, and the error says what the server said.
    server.push_faults(&[Fault::Status(400)]);
    let e = r.chat(&req("d"), &AskOptions::default()).await.unwrap_err();
    assert!(
        e.to_string().contains("HTTP 400") && e.to_string().contains("overloaded"),
        "{e}"
    );
}

#[tokio::test]
async fn a_failing_provider_falls_back_to_the_next_and_its_circuit_opens() {
    let bad = FakeOllama::start().await;
    let good = FakeOllama::start().await;
    let settings = RouterSettings {
        retries: 0,
        breaker_failures: 1,
        breaker_cooldown: Duration::from_secs(60),
        ..quick()
    };
    let first: Arc<dyn Provider> = Arc::new(Ollama::new(&bad.url, "m").with_name("bad"));
    let second: Arc<dyn Provider> =
        Arc::new(samplemind::ai::providers::openai::OpenAiCompatible::new(
            "second",
            "http://127.0.0.1:9", // nothing listens: a refused connection
            "m",
            samplemind::ai::Locality::Local,
        ));
    let third: Arc<dyn Provider> = Arc::new(Ollama::new(&good.url, "m").with_name("good"));
    let r = Router::new(vec![first, second, third], None, settings);
    bad.push_faults(&[Fault::Status(503), Fault::Status(503), Fault::Status(503)]);
    let a = r.chat(&req("x"), &AskOptions::default()).await.unwrap();
    assert_eq!((a.text.as_str(), a.provider.as_str()), (ANSWER, "good"));
    let status = r.status();
    assert!(
        status[0].circuit_open && status[1].circuit_open,
        "{status:?}"
    );
    // With both circuits open, the third is asked first: the bad server sees no more calls.
    let before = bad.chats.load(std::sync::atomic::Ordering::SeqCst);
    r.chat(&req("z"), &AskOptions::default()).await.unwrap();
    assert_eq!(bad.chats.load(std::sync::atomic::Ordering::SeqCst), before);
}

#[tokio::test]
async fn a_hundred_identical_cold_requests_make_one_upstream_call() {
    let server = FakeOllama::start().await;
    *server.delay.lock().unwrap() = Duration::from_millis(300);
    let dir = tempfile::tempdir().unwrap();
    let r = Arc::new(router(&server, Some(cache(&dir))));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let r = Arc::clone(&r);
            tokio::spawn(async move { r.chat(&req("same"), &AskOptions::default()).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().text, ANSWER);
    }
    assert_eq!(server.chats.load(std::sync::atomic::Ordering::SeqCst), 1);
    // And the 101st is a cache hit.
    let hit = r.chat(&req("same"), &AskOptions::default()).await.unwrap();
    assert!(hit.cached);
    assert_eq!(server.chats.load(std::sync::atomic::Ordering::SeqCst), 1);
    let s = r.cache().unwrap().stats();
    assert!(s.hits >= 1 && s.entries == 1, "{s:?}");
}

#[tokio::test]
async fn a_failure_reaches_only_its_group_and_the_next_call_starts_afresh() {
    let server = FakeOllama::start().await;
    *server.delay.lock().unwrap() = Duration::from_millis(200);
    let settings = RouterSettings {
        retries: 0,
        ..quick()
    };
    let p: Arc<dyn Provider> = Arc::new(Ollama::new(&server.url, "m"));
    let r = Arc::new(Router::new(vec![p], None, settings));
    server.push_faults(&[Fault::Status(500)]);
    let group: Vec<_> = (0..10)
        .map(|_| {
            let r = Arc::clone(&r);
            tokio::spawn(async move { r.chat(&req("g"), &AskOptions::default()).await })
        })
        .collect();
    for t in group {
        assert!(t.await.unwrap().is_err());
    }
    assert_eq!(server.chats.load(std::sync::atomic::Ordering::SeqCst), 1);
    assert_eq!(
        r.chat(&req("g"), &AskOptions::default())
            .await
            .unwrap()
            .text,
        ANSWER
    );
}

#[tokio::test]
async fn cloud_providers_are_off_unless_enabled_and_context_is_checked() {
    let server = FakeOllama::start().await;
    let cloud: Arc<dyn Provider> =
        Arc::new(samplemind::ai::providers::openai::OpenAiCompatible::new(
            "cloud",
            &server.url,
            "gpt",
            samplemind::ai::Locality::Cloud,
        ));
    let r = Router::new(vec![cloud], None, quick());
    let e = r.chat(&req("q"), &AskOptions::default()).await.unwrap_err();
    assert!(matches!(e, AiError::Config(_)), "{e}");
    let e = r
        .chat(
            &req("q"),
            &AskOptions {
                provider: Some("cloud".into()),
                ..AskOptions::default()
            },
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("cloud use is off"), "{e}");

    let small: Arc<dyn Provider> =
        Arc::new(Ollama::new(&server.url, "m").with_context_window(Some(64)));
    let r = Router::new(vec![small], None, quick());
    let long = req(&"word ".repeat(400));
    let e = r.chat(&long, &AskOptions::default()).await.unwrap_err();
    assert!(e.to_string().contains("context holds 64"), "{e}");
    assert_eq!(
        server.chats.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "never sent"
    );
}

#[tokio::test]
async fn embeddings_are_cached_per_text_and_a_provider_is_asked_only_for_new_ones() {
    let server = FakeOllama::start().await;
    let dir = tempfile::tempdir().unwrap();
    let r = router(&server, Some(cache(&dir)));
    let texts = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    // The fake's vector is [index in the request, ...]: a cached vector keeps its first index.
    let (who, first) = r.embed(&texts(&["kick", "snare"])).await.unwrap();
    assert_eq!(who, "ollama");
    assert_eq!((first[0][0], first[1][0]), (0.0, 1.0));
    assert_eq!(server.embedded.load(Ordering::SeqCst), 2);
    let (_, second) = r.embed(&texts(&["snare", "hat"])).await.unwrap();
    assert_eq!(second[0], first[1], "snare came from the cache");
    assert_eq!(second[1][0], 0.0, "hat was asked alone");
    assert_eq!(server.embedded.load(Ordering::SeqCst), 3);
    let (_, third) = r.embed(&texts(&["hat", "kick"])).await.unwrap();
    assert_eq!(third, vec![second[1].clone(), first[0].clone()]);
    assert_eq!(
        server.embedded.load(Ordering::SeqCst),
        3,
        "all cached: not asked"
    );
    let s = r.cache().unwrap().stats();
    assert_eq!((s.hits, s.misses, s.entries), (3, 3, 3));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ai_models_lists_what_ollama_serves_and_what_it_holds_in_memory() {
    let server = FakeOllama::start().await;
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "[ai]\n[[ai.providers]]\nname = \"ollama\"\nkind = \"ollama\"\nurl = \"{}\"\nmodel = \"smollm2:135m\"\n",
            server.url
        ),
    )
    .unwrap();
    let dir = home.path().to_path_buf();
    let run = move |args: &'static [&'static str]| {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || {
            crate::util::run_ok(crate::util::cli(&dir).args(args)).stdout
        })
    };
    let models = |out: Vec<u8>| serde_json::from_slice::<serde_json::Value>(&out).unwrap();
    let before = models(run(&["ai", "models", "--json"]).await.unwrap());
    assert_eq!(
        before["ollama"]["models"],
        serde_json::json!(["smollm2:135m"])
    );
    assert_eq!(before["ollama"]["loaded"], serde_json::json!([]));
    run(&["ai", "ask", "Name one drum."]).await.unwrap();
    let after = models(run(&["ai", "models", "--json"]).await.unwrap());
    assert_eq!(
        after["ollama"]["loaded"],
        serde_json::json!(["smollm2:135m"])
    );
}
