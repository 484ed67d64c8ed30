//! OpenAI-compatible servers (`/v1/chat/completions` with SSE, `/v1/embeddings`,
//! `/v1/models`): llama.cpp's llama-server locally, OpenAI or any compatible cloud.

use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::endpoint::{Configure, Endpoint};
use crate::http::{
    client, floats, lines, send, send_json, strings_in, transport_error, TOTAL_TIMEOUT,
};
use crate::providers::{BoxFuture, Provider};
use crate::types::{ChatRequest, ChatResponse, Locality, StreamEvent, TokenStream};
use crate::AiError;

/// An OpenAI-compatible server.
#[derive(Debug, Clone)]
pub struct OpenAiCompatible {
    ep: Endpoint,
}

impl Configure for OpenAiCompatible {
    fn endpoint_mut(&mut self) -> &mut Endpoint {
        &mut self.ep
    }
}

impl OpenAiCompatible {
    /// A server at `base` (`http://127.0.0.1:8080`, `https://api.openai.com`); the key goes in
    /// `Authorization: Bearer`.
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

    fn post(&self, path: &str) -> reqwest::RequestBuilder {
        let r = client().post(format!("{}{path}", self.ep.base));
        match &self.ep.api_key {
            Some(k) => r.bearer_auth(k),
            None => r,
        }
    }

    fn body(&self, req: &ChatRequest, stream: bool) -> Value {
        let mut b = json!({
            "model": req.model.as_deref().unwrap_or(&self.ep.model),
            "messages": req.messages,
            "stream": stream,
        });
        if let Some(t) = req.temperature {
            b["temperature"] = json!(t);
        }
        if let Some(m) = req.max_tokens {
            b["max_tokens"] = json!(m);
        }
        if let Some(s) = req.seed {
            b["seed"] = json!(s);
        }
        if let Some(schema) = &req.json_schema {
            b["response_format"] = json!({
                "type": "json_schema",
                "json_schema": {"name": "answer", "strict": true, "schema": schema},
            });
        }
        if stream {
            b["stream_options"] = json!({"include_usage": true});
        }
        b
    }

    /// The answer in a whole (not streamed) chat completion, whatever the server sent.
    ///
    /// # Errors
    /// [`AiError::Protocol`] naming what is missing.
    pub fn read_answer(&self, v: &Value) -> Result<ChatResponse, AiError> {
        let choice = v
            .get("choices")
            .and_then(|c| c.get(0))
            .ok_or_else(|| self.protocol("no choices in the answer"))?;
        let text = choice
            .pointer("/message/content")
            .and_then(Value::as_str)
            .ok_or_else(|| self.protocol("no message content in the answer"))?;
        Ok(ChatResponse {
            text: text.to_string(),
            model: v["model"].as_str().unwrap_or(&self.ep.model).to_string(),
            provider: self.ep.name.clone(),
            done_reason: choice["finish_reason"].as_str().map(str::to_string),
            prompt_tokens: u32_at(v, &["usage", "prompt_tokens"]),
            completion_tokens: u32_at(v, &["usage", "completion_tokens"]),
            cached: false,
        })
    }

    fn protocol(&self, reason: impl Into<String>) -> AiError {
        AiError::Protocol {
            provider: self.ep.name.clone(),
            reason: reason.into(),
        }
    }
}

fn u32_at(v: &Value, path: &[&str]) -> Option<u32> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_u64().map(|n| n as u32)
}

impl Provider for OpenAiCompatible {
    fn endpoint(&self) -> &Endpoint {
        &self.ep
    }

    fn chat<'a>(&'a self, req: &'a ChatRequest) -> BoxFuture<'a, Result<ChatResponse, AiError>> {
        Box::pin(async move {
            let resp = send(
                &self.ep.name,
                self.post("/v1/chat/completions")
                    .timeout(TOTAL_TIMEOUT)
                    .json(&self.body(req, false)),
            )
            .await?;
            let v: Value = resp
                .json()
                .await
                .map_err(|e| transport_error(&self.ep.name, &e))?;
            self.read_answer(&v)
        })
    }

    fn chat_stream<'a>(
        &'a self,
        req: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<TokenStream, AiError>> {
        Box::pin(async move {
            let resp = send(
                &self.ep.name,
                self.post("/v1/chat/completions")
                    .json(&self.body(req, true)),
            )
            .await?;
            let name = self.ep.name.clone();
            let fallback_model = req.model.clone().unwrap_or_else(|| self.ep.model.clone());
            let events = lines(name.clone(), resp.bytes_stream());
            // State: the text so far, the answer's figures, whether [DONE] came.
            let stream = futures_util::stream::unfold(
                (
                    Box::pin(events),
                    String::new(),
                    Value::Null,
                    None::<String>,
                    false,
                ),
                move |(mut events, mut text, mut meta, mut reason, finished)| {
                    let name = name.clone();
                    let fallback_model = fallback_model.clone();
                    async move {
                        if finished {
                            return None;
                        }
                        loop {
                            let line = match events.next().await {
                                Some(Ok(l)) => l,
                                Some(Err(e)) => {
                                    return Some((Err(e), (events, text, meta, reason, true)))
                                }
                                None => {
                                    let err = AiError::Truncated { provider: name };
                                    return Some((Err(err), (events, text, meta, reason, true)));
                                }
                            };
                            let Some(data) = line.strip_prefix("data:").map(str::trim) else {
                                continue; // comments, event names, blank lines
                            };
                            if data == "[DONE]" {
                                let done = ChatResponse {
                                    text: text.clone(),
                                    model: meta["model"]
                                        .as_str()
                                        .unwrap_or(&fallback_model)
                                        .to_string(),
                                    provider: name.clone(),
                                    done_reason: reason.clone(),
                                    prompt_tokens: u32_at(&meta, &["usage", "prompt_tokens"]),
                                    completion_tokens: u32_at(
                                        &meta,
                                        &["usage", "completion_tokens"],
                                    ),
                                    cached: false,
                                };
                                return Some((
                                    Ok(StreamEvent::Done(done)),
                                    (events, text, meta, reason, true),
                                ));
                            }
                            let v: Value = match serde_json::from_str(data) {
                                Ok(v) => v,
                                Err(e) => {
                                    let err = AiError::Protocol {
                                        provider: name,
                                        reason: format!("bad stream line: {e}"),
                                    };
                                    return Some((Err(err), (events, text, meta, reason, true)));
                                }
                            };
                            if v.get("error").is_some() {
                                let err = AiError::Protocol {
                                    provider: name,
                                    reason: crate::http::error_message(data),
                                };
                                return Some((Err(err), (events, text, meta, reason, true)));
                            }
                            if v.get("model").is_some() {
                                meta["model"] = v["model"].clone();
                            }
                            if v.get("usage").is_some_and(|u| !u.is_null()) {
                                meta["usage"] = v["usage"].clone();
                            }
                            if let Some(r) = v
                                .pointer("/choices/0/finish_reason")
                                .and_then(Value::as_str)
                            {
                                reason = Some(r.to_string());
                            }
                            if let Some(d) = v
                                .pointer("/choices/0/delta/content")
                                .and_then(Value::as_str)
                            {
                                if !d.is_empty() {
                                    text.push_str(d);
                                    let delta = d.to_string();
                                    return Some((
                                        Ok(StreamEvent::Delta(delta)),
                                        (events, text, meta, reason, false),
                                    ));
                                }
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
        model: Option<&'a str>,
        texts: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Vec<f32>>, AiError>> {
        Box::pin(async move {
            let body = json!({"model": model.unwrap_or(&self.ep.model), "input": texts});
            let v = send_json(&self.ep.name, self.post("/v1/embeddings").json(&body)).await?;
            let data = v["data"]
                .as_array()
                .ok_or_else(|| self.protocol("no data in the embeddings answer"))?;
            data.iter()
                .map(|d| match floats(&d["embedding"]) {
                    e if e.is_empty() => Err(self.protocol("an embedding is missing")),
                    e => Ok(e),
                })
                .collect()
        })
    }

    fn models(&self) -> BoxFuture<'_, Result<Vec<String>, AiError>> {
        Box::pin(async move {
            let mut r = client().get(format!("{}/v1/models", self.ep.base));
            if let Some(k) = &self.ep.api_key {
                r = r.bearer_auth(k);
            }
            let v = send_json(&self.ep.name, r).await?;
            Ok(strings_in(&v, "data", "id"))
        })
    }

    fn health(&self) -> BoxFuture<'_, Result<(), AiError>> {
        Box::pin(async move { self.models().await.map(|_| ()) })
    }
}
