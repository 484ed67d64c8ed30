//! A faithful Ollama protocol server for the tests: `/api/chat` (NDJSON stream by default,
//! or one JSON object; `/api/generate` too), `/api/embed`, `/api/tags`, `/api/ps`, `/api/version`, errors as
//! `{"error": …}`; and faults on demand: a status, an error line after a 200, a stream cut
//! before `done`, a reset connection, lines split across TCP writes, slow chunks.
//!
//! Raw HTTP/1.1 over tokio rather than a web framework: the faults need control of every
//! byte and every write.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What the next chat requests get.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// A normal answer.
    None,
    /// This HTTP status with an `{"error": …}` body.
    Status(u16),
    /// A 200 stream with one token, then an error line.
    ErrorLine,
    /// A 200 stream cut before its `done` line.
    Truncate,
    /// The connection closes without a response.
    Reset,
    /// Not JSON.
    Malformed,
}

/// A running fake server.
pub struct FakeOllama {
    pub url: String,
    /// Chat requests received.
    pub chats: Arc<AtomicUsize>,
    /// Faults to serve, one per chat request, then `Fault::None`.
    pub faults: Arc<Mutex<Vec<Fault>>>,
    /// Delay before answering a chat (to hold requests in flight).
    pub delay: Arc<Mutex<Duration>>,
    /// Texts received by `/api/embed`.
    pub embedded: Arc<AtomicUsize>,
}

/// The answer the fake model gives.
pub const ANSWER: &str = "A dark, punchy kick with a short tail.";

impl FakeOllama {
    pub async fn start() -> FakeOllama {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let chats = Arc::new(AtomicUsize::new(0));
        let faults = Arc::new(Mutex::new(Vec::new()));
        let delay = Arc::new(Mutex::new(Duration::ZERO));
        let embedded = Arc::new(AtomicUsize::new(0));
        let (c, f, d, e) = (
            chats.clone(),
            faults.clone(),
            delay.clone(),
            embedded.clone(),
        );
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else {
                    return;
                };
                let (c, f, d, e) = (c.clone(), f.clone(), d.clone(), e.clone());
                tokio::spawn(async move {
                    let _ = serve(sock, c, f, d, e).await;
                });
            }
        });
        FakeOllama {
            url,
            chats,
            faults,
            delay,
            embedded,
        }
    }

    pub fn push_faults(&self, faults: &[Fault]) {
        self.faults.lock().unwrap().extend_from_slice(faults);
    }
}

async fn serve(
    sock: TcpStream,
    chats: Arc<AtomicUsize>,
    faults: Arc<Mutex<Vec<Fault>>>,
    delay: Arc<Mutex<Duration>>,
    embedded: Arc<AtomicUsize>,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(sock);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line).await? == 0 {
            return Ok(());
        }
        let mut length = 0usize;
        loop {
            let mut h = String::new();
            reader.read_line(&mut h).await?;
            if h == "\r\n" || h.is_empty() {
                break;
            }
            if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body).await?;
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .to_string();
        let sock = reader.get_mut();
        match path.as_str() {
            "/api/version" => json(sock, 200, r#"{"version":"0.12.0"}"#).await?,
            "/api/tags" => {
                json(
                    sock,
                    200,
                    r#"{"models":[{"name":"smollm2:135m","size":1}]}"#,
                )
                .await?
            }
            // A model is loaded once it has answered anything.
            "/api/ps" if chats.load(Ordering::SeqCst) + embedded.load(Ordering::SeqCst) > 0 => {
                json(
                    sock,
                    200,
                    r#"{"models":[{"name":"smollm2:135m","model":"smollm2:135m","size":271000000,"digest":"9077","details":{"format":"gguf"},"expires_at":"2026-11-24T00:10:00Z","size_vram":0}]}"#,
                )
                .await?
            }
            "/api/ps" => json(sock, 200, r#"{"models":[]}"#).await?,
            "/api/embed" => {
                let n = body["input"].as_array().map_or(1, |a| a.len());
                embedded.fetch_add(n, Ordering::SeqCst);
                let rows: Vec<String> = (0..n).map(|i| format!("[{i}.0,0.5,0.25]")).collect();
                json(
                    sock,
                    200,
                    &format!(r#"{{"model":"m","embeddings":[{}]}}"#, rows.join(",")),
                )
                .await?
            }
            "/api/chat" | "/api/generate" => {
                let generate = path == "/api/generate";
                if generate && !body["prompt"].is_string() {
                    json(sock, 400, r#"{"error":"prompt is required"}"#).await?;
                    continue;
                }
                chats.fetch_add(1, Ordering::SeqCst);
                let fault = {
                    let mut f = faults.lock().unwrap();
                    if f.is_empty() {
                        Fault::None
                    } else {
                        f.remove(0)
                    }
                };
                let wait = *delay.lock().unwrap();
                tokio::time::sleep(wait).await;
                let stream = body["stream"].as_bool().unwrap_or(true);
                let model = body["model"].as_str().unwrap_or("m").to_string();
                match fault {
                    Fault::Reset => return Ok(()),
                    Fault::Status(code) => {
                        json(sock, code, r#"{"error":"model is overloaded"}"#).await?;
                        continue;
                    }
                    Fault::Malformed => {
                        json(sock, 200, "{\"model\": \"m\", \"message\": {").await?;
                        continue;
                    }
                    _ => {}
                }
                if !stream {
                    let done = final_line(&model, ANSWER, generate);
                    json(sock, 200, &done).await?;
                    continue;
                }
                sock.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/x-ndjson\r\ntransfer-encoding: chunked\r\n\r\n").await?;
                let words: Vec<&str> = ANSWER.split_inclusive(' ').collect();
                for (i, w) in words.iter().enumerate() {
                    if fault == Fault::ErrorLine && i == 1 {
                        chunk(sock, b"{\"error\":\"the model crashed\"}\n").await?;
                        break;
                    }
                    if fault == Fault::Truncate && i == 3 {
                        // Cut mid-stream: no done line, no terminating chunk.
                        return Ok(());
                    }
                    let mut line = serde_json::json!({"model": model,
                        "created_at": "2026-11-24T00:00:00Z", "done": false});
                    if generate {
                        line["response"] = serde_json::json!(w);
                    } else {
                        line["message"] = serde_json::json!({"role": "assistant", "content": w});
                    }
                    let line = line.to_string() + "\n";
                    // Every line goes out in two writes, split mid-JSON.
                    let (a, b) = line.as_bytes().split_at(line.len() / 2);
                    chunk(sock, a).await?;
                    tokio::time::sleep(Duration::from_millis(2)).await;
                    chunk(sock, b).await?;
                }
                if fault == Fault::None {
                    let mut done = final_line(&model, "", generate);
                    done.push('\n');
                    chunk(sock, done.as_bytes()).await?;
                }
                sock.write_all(b"0\r\n\r\n").await?;
            }
            _ => json(sock, 404, r#"{"error":"not found"}"#).await?,
        }
    }
}

/// The last line: `message` for `/api/chat`; `response` and the `context` tokens for
/// `/api/generate`.
fn final_line(model: &str, content: &str, generate: bool) -> String {
    let mut v = serde_json::json!({
        "model": model, "created_at": "2026-11-24T00:00:00Z",
        "done": true, "done_reason": "stop",
        "total_duration": 523_000_000u64, "load_duration": 1_200_000u64,
        "prompt_eval_count": 26, "prompt_eval_duration": 130_000_000u64,
        "eval_count": 9, "eval_duration": 390_000_000u64,
    });
    if generate {
        v["response"] = serde_json::json!(content);
        v["context"] = serde_json::json!([1, 2, 3]);
    } else {
        v["message"] = serde_json::json!({"role": "assistant", "content": content});
    }
    v.to_string()
}

async fn json(sock: &mut TcpStream, status: u16, body: &str) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
        body.len()
    );
    sock.write_all(head.as_bytes()).await?;
    sock.write_all(body.as_bytes()).await
}

async fn chunk(sock: &mut TcpStream, data: &[u8]) -> std::io::Result<()> {
    sock.write_all(format!("{:x}\r\n", data.len()).as_bytes())
        .await?;
    sock.write_all(data).await?;
    sock.write_all(b"\r\n").await?;
    sock.flush().await
}
