//! The local ONNX text model (MiniLM) as a provider: the router's first choice for
//! embeddings, offline and free. It does not chat.

use std::sync::Arc;

use crate::endpoint::Endpoint;
use crate::providers::{BoxFuture, Provider};
use crate::types::{ChatRequest, ChatResponse, Locality, TokenStream};
use crate::AiError;
use samplemind_ml::{ModelId, Models};

/// MiniLM through `ml::text`.
#[derive(Debug, Clone)]
pub struct OnnxText {
    ep: Endpoint,
    models: Arc<Models>,
}

impl OnnxText {
    /// The provider over `models`.
    pub fn new(models: Arc<Models>) -> Self {
        Self {
            ep: Endpoint::new("onnx", "", "all-MiniLM-L6-v2", Locality::Local),
            models,
        }
    }

    fn no_chat(&self) -> AiError {
        AiError::Config("onnx: the local ONNX models embed text but do not chat".into())
    }
}

impl Provider for OnnxText {
    fn endpoint(&self) -> &Endpoint {
        &self.ep
    }
    fn chats(&self) -> bool {
        false
    }
    fn chat<'a>(&'a self, _req: &'a ChatRequest) -> BoxFuture<'a, Result<ChatResponse, AiError>> {
        Box::pin(async move { Err(self.no_chat()) })
    }
    fn chat_stream<'a>(
        &'a self,
        _req: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<TokenStream, AiError>> {
        Box::pin(async move { Err(self.no_chat()) })
    }
    fn embed<'a>(
        &'a self,
        _model: Option<&'a str>,
        texts: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Vec<f32>>, AiError>> {
        Box::pin(async move {
            let models = Arc::clone(&self.models);
            let texts = texts.to_vec();
            // Inference is CPU work: off the async workers.
            tokio::task::spawn_blocking(move || {
                let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
                samplemind_ml::text::embed(&models, &refs)
            })
            .await
            .map_err(|e| AiError::Config(format!("onnx: {e}")))?
            .map_err(|e| AiError::Protocol {
                provider: "onnx".into(),
                reason: e.to_string(),
            })
        })
    }
    fn models(&self) -> BoxFuture<'_, Result<Vec<String>, AiError>> {
        Box::pin(async move { Ok(vec![self.ep.model.clone()]) })
    }
    fn health(&self) -> BoxFuture<'_, Result<(), AiError>> {
        Box::pin(async move {
            self.models
                .check(ModelId::MiniLm)
                .map(|_| ())
                .map_err(|e| AiError::Config(format!("onnx: {e}")))
        })
    }
}
