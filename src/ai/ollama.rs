//! Ollama's native API: `/api/chat` (NDJSON stream by default, a final line with `done`,
//! `done_reason` and nanosecond durations), `/api/embed`, `/api/tags`, `/api/version`;
//! `keep_alive`, `format` with a JSON schema; errors as `{"error": …}`, also as a line in
//! the middle of a stream.

use futures_util::StreamExt;
use serde_json::{json, Value};

use super::endpoint::{Configure, Endpoint};
use super::http::{
    client, floats, lines, send, send_json, strings_in, transport_error, TOTAL_TIMEOUT,
};
use super::provider::{BoxFuture, Provider};
use super::types::{ChatRequest, ChatResponse, Locality, StreamEvent, TokenStream};
use super::AiError;

/// How long Ollama keeps the model loaded after a request: a producer browsing asks again
/// within minutes, and reloading a model costs seconds.
const KEEP_ALIVE: &str = "10m";

/// An Ollama server.
#[derive(Debug, Clone)]
pub struct Ollama {
    ep: Endpoint,
}

impl Configure for Ollama {
    fn endpoint_mut(&mut self) -> &mut Endpoint {
        &mut self.ep
    }
}

impl Ollama {
    /// A server at `base` (`http://127.0.0.1:11434`) answering with `model` by default,
    /// named `ollama` (see [`Configure::with_name`]).
    pub fn new(base: impl Into<String>, model: impl Into<String>) -> Self {
        Self {
            ep: Endpoint::new("ollama", base, model, Locality::Local),
        }
    }

    fn body(&self, req: &ChatRequest, stream: bool) -> Value {
        let mut options = json!({});
        if let Some(t) = req.temperature {
            options["temperature"] = json!(t);
        }
        if let Some(m) = req.max_tokens {
            options["num_predict"] = json!(m);
        }
        if let Some(s) = req.seed {
            options["seed"] = json!(s);
        }
        let mut b = json!({
            "model": req.model.as_deref().unwrap_or(&self.ep.model),
            "messages": req.messages,
            "stream": stream,
            "keep_alive": KEEP_ALIVE,
            "options": options,
        });
        if let Some(schema) = &req.json_schema {
            b["format"] = schema.clone();
        }
        b
    }

    fn final_answer(&self, v: &Value, text: String, fallback_model: &str) -> ChatResponse {
        ChatResponse {
            text,
            model: v["model"].as_str().unwrap_or(fallback_model).to_string(),
            provider: self.ep.name.clone(),
            done_reason: v["done_reason"].as_str().map(str::to_string),
            prompt_tokens: v["prompt_eval_count"].as_u64().map(|n| n as u32),
            completion_tokens: v["eval_count"].as_u64().map(|n| n as u32),
            cached: false,
        }
    }
}

impl Provider for Ollama {
    fn endpoint(&self) -> &Endpoint {
        &self.ep
    }

    fn chat<'a>(&'a self, req: &'a ChatRequest) -> BoxFuture<'a, Result<ChatResponse, AiError>> {
        Box::pin(async move {
            let resp = send(
                &self.ep.name,
                client()
                    .post(format!("{}/api/chat", self.ep.base))
                    .timeout(TOTAL_TIMEOUT)
                    .json(&self.body(req, false)),
            )
            .await?;
            let v: Value = resp
                .json()
                .await
                .map_err(|e| transport_error(&self.ep.name, &e))?;
            if let Some(e) = v.get("error") {
                return Err(AiError::Protocol {
                    provider: self.ep.name.clone(),
                    reason: e.as_str().unwrap_or("error").to_string(),
                });
            }
            if v["done"] != json!(true) {
                return Err(AiError::Truncated {
                    provider: self.ep.name.clone(),
                });
            }
            let text = v
                .pointer("/message/content")
                .and_then(Value::as_str)
                .ok_or_else(|| AiError::Protocol {
                    provider: self.ep.name.clone(),
                    reason: "no message content in the answer".into(),
                })?
                .to_string();
            let model = req.model.as_deref().unwrap_or(&self.ep.model);
            Ok(self.final_answer(&v, text, model))
        })
    }

    fn chat_stream<'a>(
        &'a self,
        req: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<TokenStream, AiError>> {
        Box::pin(async move {
            let resp = send(
                &self.ep.name,
                client()
                    .post(format!("{}/api/chat", self.ep.base))
                    .json(&self.body(req, true)),
            )
            .await?;
            let me = self.clone();
            let fallback_model = req.model.clone().unwrap_or_else(|| self.ep.model.clone());
            let events = lines(self.ep.name.clone(), resp.bytes_stream());
            let stream = futures_util::stream::unfold(
                (Box::pin(events), String::new(), false),
                move |(mut events, mut text, finished)| {
                    let me = me.clone();
                    let fallback_model = fallback_model.clone();
                    async move {
                        if finished {
                            return None;
                        }
                        loop {
                            let line = match events.next().await {
                                Some(Ok(l)) if l.trim().is_empty() => continue,
                                Some(Ok(l)) => l,
                                Some(Err(e)) => return Some((Err(e), (events, text, true))),
                                None => {
                                    let err = AiError::Truncated {
                                        provider: me.ep.name.clone(),
                                    };
                                    return Some((Err(err), (events, text, true)));
                                }
                            };
                            let v: Value = match serde_json::from_str(&line) {
                                Ok(v) => v,
                                Err(e) => {
                                    let err = AiError::Protocol {
                                        provider: me.ep.name.clone(),
                                        reason: format!("bad stream line: {e}"),
                                    };
                                    return Some((Err(err), (events, text, true)));
                                }
                            };
                            if let Some(e) = v.get("error") {
                                let err = AiError::Protocol {
                                    provider: me.ep.name.clone(),
                                    reason: e.as_str().unwrap_or("error").to_string(),
                                };
                                return Some((Err(err), (events, text, true)));
                            }
                            let delta = v
                                .pointer("/message/content")
                                .and_then(Value::as_str)
                                .unwrap_or("")
                                .to_string();
                            text.push_str(&delta);
                            if v["done"] == json!(true) {
                                let done = me.final_answer(&v, text.clone(), &fallback_model);
                                return Some((Ok(StreamEvent::Done(done)), (events, text, true)));
                            }
                            if !delta.is_empty() {
                                return Some((
                                    Ok(StreamEvent::Delta(delta)),
                                    (events, text, false),
                                ));
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
            let body = json!({"model": model.unwrap_or(&self.ep.model), "input": texts, "keep_alive": KEEP_ALIVE});
            let v = send_json(
                &self.ep.name,
                client()
                    .post(format!("{}/api/embed", self.ep.base))
                    .json(&body),
            )
            .await?;
            v["embeddings"]
                .as_array()
                .map(|rows| rows.iter().map(floats).collect())
                .ok_or_else(|| AiError::Protocol {
                    provider: self.ep.name.clone(),
                    reason: "no embeddings in the answer".into(),
                })
        })
    }

    fn models(&self) -> BoxFuture<'_, Result<Vec<String>, AiError>> {
        Box::pin(async move {
            let v = send_json(
                &self.ep.name,
                client().get(format!("{}/api/tags", self.ep.base)),
            )
            .await?;
            Ok(strings_in(&v, "models", "name"))
        })
    }

    fn health(&self) -> BoxFuture<'_, Result<(), AiError>> {
        Box::pin(async move {
            send(
                &self.ep.name,
                client().get(format!("{}/api/version", self.ep.base)),
            )
            .await
            .map(|_| ())
        })
    }
}
