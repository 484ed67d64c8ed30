//! Anthropic's Messages API (`/v1/messages`, whole or streamed as SSE events
//! `message_start`, `content_block_delta`, `message_delta`, `message_stop`, `error`).
//! llama.cpp's server speaks it too, which is how it is tested here.

use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::endpoint::{Configure, Endpoint};
use crate::http::{client, error_message, lines, send, send_json, strings_in, TOTAL_TIMEOUT};
use crate::providers::{BoxFuture, Provider};
use crate::types::{ChatRequest, ChatResponse, Locality, Role, StreamEvent, TokenStream};
use crate::AiError;

/// The API version the requests follow.
const API_VERSION: &str = "2023-06-01";

/// An Anthropic (or Anthropic-compatible) server.
#[derive(Debug, Clone)]
pub struct Anthropic {
    ep: Endpoint,
}

impl Configure for Anthropic {
    fn endpoint_mut(&mut self) -> &mut Endpoint {
        &mut self.ep
    }
}

impl Anthropic {
    /// A server at `base` (`https://api.anthropic.com`); the key goes in `x-api-key`.
    pub fn new(
        name: impl Into<String>,
        base: impl Into<String>,
        model: impl Into<String>,
        locality: Locality,
    ) -> Self {
        Self {
            ep: Endpoint::new(name, base, model, locality),
        }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let r = client()
            .request(method, format!("{}{path}", self.ep.base))
            .header("anthropic-version", API_VERSION);
        match &self.ep.api_key {
            Some(k) => r.header("x-api-key", k),
            None => r,
        }
    }

    fn body(&self, req: &ChatRequest, stream: bool) -> Value {
        // System messages go in `system`; the rest alternate user / assistant.
        let mut system: Vec<&str> = req
            .messages
            .iter()
            .filter(|m| m.role == Role::System)
            .map(|m| m.content.as_str())
            .collect();
        let schema_note;
        if let Some(schema) = &req.json_schema {
            // No response_format here: the schema is stated, and the caller validates.
            schema_note = format!("Answer only with JSON following this schema: {schema}");
            system.push(&schema_note);
        }
        let messages: Vec<Value> = req
            .messages
            .iter()
            .filter(|m| m.role != Role::System)
            .map(|m| json!({"role": m.role, "content": m.content}))
            .collect();
        let mut b = json!({
            "model": req.model.as_deref().unwrap_or(&self.ep.model),
            "max_tokens": req.max_tokens.unwrap_or(1024),
            "messages": messages,
            "stream": stream,
        });
        if !system.is_empty() {
            b["system"] = json!(system.join("\n\n"));
        }
        if let Some(t) = req.temperature {
            b["temperature"] = json!(t);
        }
        b
    }

    /// The answer in a whole (not streamed) Messages API reply, whatever the server sent.
    ///
    /// # Errors
    /// [`AiError::Protocol`] when it has no content.
    pub fn read_answer(&self, v: &Value, fallback_model: &str) -> Result<ChatResponse, AiError> {
        let text: String = v["content"]
            .as_array()
            .ok_or_else(|| AiError::Protocol {
                provider: self.ep.name.clone(),
                reason: "no content in the answer".into(),
            })?
            .iter()
            .filter(|b| b["type"] == "text")
            .filter_map(|b| b["text"].as_str())
            .collect();
        Ok(self.answer(v, text, fallback_model))
    }

    fn answer(&self, v: &Value, text: String, fallback_model: &str) -> ChatResponse {
        ChatResponse {
            text,
            model: v["model"].as_str().unwrap_or(fallback_model).to_string(),
            provider: self.ep.name.clone(),
            done_reason: v["stop_reason"].as_str().map(str::to_string),
            prompt_tokens: v["usage"]["input_tokens"].as_u64().map(|n| n as u32),
            completion_tokens: v["usage"]["output_tokens"].as_u64().map(|n| n as u32),
            cached: false,
        }
    }
}

impl Provider for Anthropic {
    fn endpoint(&self) -> &Endpoint {
        &self.ep
    }

    fn chat<'a>(&'a self, req: &'a ChatRequest) -> BoxFuture<'a, Result<ChatResponse, AiError>> {
        Box::pin(async move {
            let v = send_json(
                &self.ep.name,
                self.request(reqwest::Method::POST, "/v1/messages")
                    .timeout(TOTAL_TIMEOUT)
                    .json(&self.body(req, false)),
            )
            .await?;
            self.read_answer(&v, req.model.as_deref().unwrap_or(&self.ep.model))
        })
    }

    fn chat_stream<'a>(
        &'a self,
        req: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<TokenStream, AiError>> {
        Box::pin(async move {
            let resp = send(
                &self.ep.name,
                self.request(reqwest::Method::POST, "/v1/messages")
                    .json(&self.body(req, true)),
            )
            .await?;
            let me = self.clone();
            let fallback = req.model.clone().unwrap_or_else(|| self.ep.model.clone());
            let events = lines(self.ep.name.clone(), resp.bytes_stream());
            // State: the text so far and the message's figures (model, usage, stop reason).
            let stream = futures_util::stream::unfold(
                (Box::pin(events), String::new(), json!({"usage": {}}), false),
                move |(mut events, mut text, mut meta, finished)| {
                    let (me, fallback) = (me.clone(), fallback.clone());
                    async move {
                        if finished {
                            return None;
                        }
                        loop {
                            let line = match events.next().await {
                                Some(Ok(l)) => l,
                                Some(Err(e)) => return Some((Err(e), (events, text, meta, true))),
                                None => {
                                    let e = AiError::Truncated {
                                        provider: me.ep.name.clone(),
                                    };
                                    return Some((Err(e), (events, text, meta, true)));
                                }
                            };
                            let Some(data) = line.strip_prefix("data:").map(str::trim) else {
                                continue;
                            };
                            let v: Value = match serde_json::from_str(data) {
                                Ok(v) => v,
                                Err(e) => {
                                    let e = AiError::Protocol {
                                        provider: me.ep.name.clone(),
                                        reason: format!("bad stream line: {e}"),
                                    };
                                    return Some((Err(e), (events, text, meta, true)));
                                }
                            };
                            match v["type"].as_str().unwrap_or("") {
                                "message_start" => {
                                    meta["model"] = v["message"]["model"].clone();
                                    meta["usage"]["input_tokens"] =
                                        v["message"]["usage"]["input_tokens"].clone();
                                }
                                "content_block_delta" => {
                                    if let Some(d) =
                                        v["delta"]["text"].as_str().filter(|d| !d.is_empty())
                                    {
                                        text.push_str(d);
                                        let d = d.to_string();
                                        return Some((
                                            Ok(StreamEvent::Delta(d)),
                                            (events, text, meta, false),
                                        ));
                                    }
                                }
                                "message_delta" => {
                                    meta["stop_reason"] = v["delta"]["stop_reason"].clone();
                                    meta["usage"]["output_tokens"] =
                                        v["usage"]["output_tokens"].clone();
                                }
                                "message_stop" => {
                                    let done = me.answer(&meta, text.clone(), &fallback);
                                    return Some((
                                        Ok(StreamEvent::Done(done)),
                                        (events, text, meta, true),
                                    ));
                                }
                                "error" => {
                                    let e = AiError::Protocol {
                                        provider: me.ep.name.clone(),
                                        reason: error_message(data),
                                    };
                                    return Some((Err(e), (events, text, meta, true)));
                                }
                                _ => {} // ping, content_block_start/stop
                            }
                        }
                    }
                },
            );
            Ok(Box::pin(stream) as TokenStream)
        })
    }

    fn embed<'a>(
        &'a self,
        _model: Option<&'a str>,
        _texts: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Vec<f32>>, AiError>> {
        Box::pin(async move {
            Err(AiError::Config(format!(
                "{}: the Messages API has no embeddings",
                self.ep.name
            )))
        })
    }

    fn models(&self) -> BoxFuture<'_, Result<Vec<String>, AiError>> {
        Box::pin(async move {
            let v = send_json(
                &self.ep.name,
                self.request(reqwest::Method::GET, "/v1/models"),
            )
            .await?;
            Ok(strings_in(&v, "data", "id"))
        })
    }

    fn health(&self) -> BoxFuture<'_, Result<(), AiError>> {
        Box::pin(async move { self.models().await.map(|_| ()) })
    }
}
