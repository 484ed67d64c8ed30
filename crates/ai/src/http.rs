//! The one HTTP client of the app, its timeouts, and the line framing that SSE and NDJSON
//! streams share.

use std::sync::OnceLock;
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};

use super::AiError;

/// Connect timeout: a local server answers in milliseconds, a cloud one in well under this.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Time allowed until the response headers (the first byte of the answer).
pub const FIRST_BYTE_TIMEOUT: Duration = Duration::from_secs(60);
/// Time allowed for a whole non-streamed answer.
pub const TOTAL_TIMEOUT: Duration = Duration::from_secs(300);

/// The client every provider shares for the life of the process: one connection pool,
/// HTTP/2 where the server offers it, rustls. Dropping a request future cancels it.
pub fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .pool_idle_timeout(Duration::from_secs(90))
            .user_agent(concat!("samplemind/", env!("CARGO_PKG_VERSION")))
            .build()
            .unwrap_or_else(|_| reqwest::Client::new())
    })
}

/// Map a reqwest error to ours, without the URL (it may carry a key in its query).
pub fn transport_error(provider: &str, e: &reqwest::Error) -> AiError {
    let provider = provider.to_string();
    if e.is_timeout() {
        AiError::Timeout {
            provider,
            stage: if e.is_connect() {
                "connection"
            } else {
                "whole answer"
            },
        }
    } else if e.is_connect() {
        AiError::Connect {
            provider,
            reason: "connection refused or unreachable".into(),
        }
    } else if e.is_decode() || e.is_body() {
        AiError::Truncated { provider }
    } else {
        let mut reason = e.to_string();
        if let Some(url) = e.url() {
            reason = reason.replace(url.as_str(), "<url>");
        }
        AiError::Lost { provider, reason }
    }
}

/// Send `req`, wait for the headers at most [`FIRST_BYTE_TIMEOUT`], and turn an error
/// status into [`AiError::Status`] with the server's own message.
pub async fn send(
    provider: &str,
    req: reqwest::RequestBuilder,
) -> Result<reqwest::Response, AiError> {
    let resp = match tokio::time::timeout(FIRST_BYTE_TIMEOUT, req.send()).await {
        Err(_) => {
            return Err(AiError::Timeout {
                provider: provider.to_string(),
                stage: "first byte",
            })
        }
        Ok(r) => r.map_err(|e| transport_error(provider, &e))?,
    };
    let status = resp.status();
    if status.is_success() {
        return Ok(resp);
    }
    let body = resp.text().await.unwrap_or_default();
    Err(AiError::Status {
        provider: provider.to_string(),
        status: status.as_u16(),
        message: error_message(&body),
    })
}

/// Send `req` and read the answer as JSON.
pub async fn send_json(
    provider: &str,
    req: reqwest::RequestBuilder,
) -> Result<serde_json::Value, AiError> {
    send(provider, req)
        .await?
        .json()
        .await
        .map_err(|e| transport_error(provider, &e))
}

/// The string `field` of every object in the array `list` of `v` (model lists:
/// Ollama's `models[].name`, OpenAI's `data[].id`).
pub fn strings_in(v: &serde_json::Value, list: &str, field: &str) -> Vec<String> {
    v[list]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|m| m[field].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// A JSON array of numbers as f32 (an embedding); anything else is empty.
pub fn floats(v: &serde_json::Value) -> Vec<f32> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(serde_json::Value::as_f64)
                .map(|x| x as f32)
                .collect()
        })
        .unwrap_or_default()
}

/// The error text inside a JSON error body (`{"error": "..."}`, `{"error": {"message": ...}}`),
/// else the body itself, shortened.
pub fn error_message(body: &str) -> String {
    let parsed: Option<serde_json::Value> = serde_json::from_str(body).ok();
    let msg = parsed.as_ref().and_then(|v| {
        let e = v.get("error")?;
        e.as_str()
            .map(str::to_string)
            .or_else(|| e.get("message")?.as_str().map(str::to_string))
    });
    let mut m = msg.unwrap_or_else(|| body.trim().to_string());
    if m.len() > 300 {
        let mut cut = 300;
        while !m.is_char_boundary(cut) {
            cut -= 1;
        }
        m.truncate(cut);
        m.push('…');
    }
    m
}

/// Split a byte stream into lines, whatever the TCP reads cut: a line split across two
/// reads comes out whole. Yields `Err` when the transport fails.
pub fn lines(
    provider: String,
    body: impl Stream<Item = Result<Bytes, reqwest::Error>> + Send + 'static,
) -> impl Stream<Item = Result<String, AiError>> + Send {
    futures_util::stream::unfold(
        (Box::pin(body), Vec::<u8>::new(), false),
        move |(mut body, mut buf, mut ended)| {
            let provider = provider.clone();
            async move {
                loop {
                    if let Some(i) = buf.iter().position(|&b| b == b'\n') {
                        let line: Vec<u8> = buf.drain(..=i).collect();
                        let text = String::from_utf8_lossy(&line).trim_end().to_string();
                        return Some((Ok(text), (body, buf, ended)));
                    }
                    if ended {
                        if buf.is_empty() {
                            return None;
                        }
                        let text = String::from_utf8_lossy(&buf).trim_end().to_string();
                        buf.clear();
                        return Some((Ok(text), (body, buf, ended)));
                    }
                    match body.next().await {
                        Some(Ok(chunk)) => buf.extend_from_slice(&chunk),
                        Some(Err(e)) => {
                            ended = true;
                            buf.clear();
                            return Some((Err(transport_error(&provider, &e)), (body, buf, ended)));
                        }
                        None => ended = true,
                    }
                }
            }
        },
    )
}
