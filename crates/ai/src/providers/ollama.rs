//! Ollama's native API: `/api/chat` and `/api/generate` (NDJSON stream by default, a final
//! line with `done`, `done_reason` and nanosecond durations), `/api/embed`, `/api/tags`,
//! `/api/ps`, `/api/version`; `keep_alive`, `format` with a JSON schema; errors as
//! `{"error": …}`, also as a line in the middle of a stream.
//!
//! The router talks to `/api/chat`. `/api/generate` is the single-prompt form: the same
//! request with its system messages as `system` and the rest as one `prompt`.

use futures_util::StreamExt;
use serde_json::{json, Value};

use crate::endpoint::{Configure, Endpoint};
use crate::http::{
    client, floats, lines, send, send_json, strings_in, transport_error, TOTAL_TIMEOUT,
};
use crate::providers::{BoxFuture, Provider};
use crate::types::{ChatRequest, ChatResponse, Locality, Role, StreamEvent, TokenStream};
use crate::AiError;

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

    fn body(&self, api: Api, req: &ChatRequest, stream: bool) -> Value {
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
            "stream": stream,
            "keep_alive": KEEP_ALIVE,
            "options": options,
        });
        match api {
            Api::Chat => b["messages"] = json!(req.messages),
            Api::Generate => {
                let (system, rest): (Vec<_>, Vec<_>) =
                    req.messages.iter().partition(|m| m.role == Role::System);
                let join = |ms: Vec<&crate::types::Message>| {
                    ms.iter()
                        .map(|m| m.content.as_str())
                        .collect::<Vec<_>>()
                        .join("\n\n")
                };
                if !system.is_empty() {
                    b["system"] = json!(join(system));
                }
                b["prompt"] = json!(join(rest));
            }
        }
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

/// Which of Ollama's two text endpoints, and where each puts the answer's text.
#[derive(Debug, Clone, Copy)]
enum Api {
    Chat,
    Generate,
}

impl Api {
    fn path(self) -> &'static str {
        match self {
            Api::Chat => "/api/chat",
            Api::Generate => "/api/generate",
        }
    }

    fn text(self) -> &'static str {
        match self {
            Api::Chat => "/message/content",
            Api::Generate => "/response",
        }
    }
}

/// A model Ollama holds in memory (`/api/ps`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct LoadedModel {
    /// Its name.
    pub name: String,
    /// Bytes it takes, in all.
    pub size: u64,
    /// Bytes of it in GPU memory.
    pub size_vram: u64,
    /// When Ollama unloads it (RFC 3339), unless asked again.
    pub expires_at: Option<String>,
}

impl Ollama {
    /// `req` through `/api/generate`, whole.
    ///
    /// # Errors
    /// As [`Provider::chat`].
    pub async fn generate(&self, req: &ChatRequest) -> Result<ChatResponse, AiError> {
        self.whole(Api::Generate, req).await
    }

    /// `req` through `/api/generate`, streamed.
    ///
    /// # Errors
    /// As [`Provider::chat_stream`].
    pub async fn generate_stream(&self, req: &ChatRequest) -> Result<TokenStream, AiError> {
        self.streamed(Api::Generate, req).await
    }

    /// The models loaded in memory now (`/api/ps`).
    ///
    /// # Errors
    /// The server cannot be reached or answers badly.
    pub async fn loaded(&self) -> Result<Vec<LoadedModel>, AiError> {
        let v = send_json(
            &self.ep.name,
            client().get(format!("{}/api/ps", self.ep.base)),
        )
        .await?;
        let models = v["models"].as_array().ok_or_else(|| AiError::Protocol {
            provider: self.ep.name.clone(),
            reason: "no models in the answer of /api/ps".into(),
        })?;
        Ok(models
            .iter()
            .map(|m| LoadedModel {
                name: m["name"].as_str().unwrap_or_default().to_string(),
                size: m["size"].as_u64().unwrap_or(0),
                size_vram: m["size_vram"].as_u64().unwrap_or(0),
                expires_at: m["expires_at"].as_str().map(str::to_string),
            })
            .collect())
    }

    async fn whole(&self, api: Api, req: &ChatRequest) -> Result<ChatResponse, AiError> {
        {
            let resp = send(
                &self.ep.name,
                client()
                    .post(format!("{}{}", self.ep.base, api.path()))
                    .timeout(TOTAL_TIMEOUT)
                    .json(&self.body(api, req, false)),
            )
            .await?;
            let v: Value = resp
                .json()
                .await
                .map_err(|e| transport_error(&self.ep.name, &e))?;
            let model = req.model.as_deref().unwrap_or(&self.ep.model);
            self.read_answer(matches!(api, Api::Chat), &v, model)
        }
    }

    /// The answer in a whole (not streamed) reply of `/api/chat` (`chat`) or
    /// `/api/generate`, whatever the server sent.
    ///
    /// # Errors
    /// [`AiError::Protocol`] for an error reply or a missing text, [`AiError::Truncated`] for
    /// an answer not marked done.
    pub fn read_answer(
        &self,
        chat: bool,
        v: &Value,
        fallback_model: &str,
    ) -> Result<ChatResponse, AiError> {
        let api = if chat { Api::Chat } else { Api::Generate };
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
            .pointer(api.text())
            .and_then(Value::as_str)
            .ok_or_else(|| AiError::Protocol {
                provider: self.ep.name.clone(),
                reason: "no text in the answer".into(),
            })?
            .to_string();
        Ok(self.final_answer(v, text, fallback_model))
    }

    async fn streamed(&self, api: Api, req: &ChatRequest) -> Result<TokenStream, AiError> {
        {
            let resp = send(
                &self.ep.name,
                client()
                    .post(format!("{}{}", self.ep.base, api.path()))
                    .json(&self.body(api, req, true)),
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
                                .pointer(api.text())
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
        }
    }
}

impl Provider for Ollama {
    fn endpoint(&self) -> &Endpoint {
        &self.ep
    }

    fn chat<'a>(&'a self, req: &'a ChatRequest) -> BoxFuture<'a, Result<ChatResponse, AiError>> {
        Box::pin(self.whole(Api::Chat, req))
    }

    fn chat_stream<'a>(
        &'a self,
        req: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<TokenStream, AiError>> {
        Box::pin(self.streamed(Api::Chat, req))
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

    fn loaded_models(&self) -> BoxFuture<'_, Result<Option<Vec<String>>, AiError>> {
        Box::pin(async move {
            Ok(Some(
                self.loaded().await?.into_iter().map(|m| m.name).collect(),
            ))
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
