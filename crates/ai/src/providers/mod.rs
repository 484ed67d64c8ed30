//! The one trait every language-model provider implements.

use std::future::Future;
use std::pin::Pin;

use crate::endpoint::Endpoint;
use crate::types::{ChatRequest, ChatResponse, Locality, TokenStream};
use crate::AiError;

/// A boxed future: the trait is used as `dyn Provider`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A language-model server: chat (whole or streamed), embeddings, its models, its health.
pub trait Provider: Send + Sync {
    /// Its server: name, URL, key, default model, locality, context window, prices.
    fn endpoint(&self) -> &Endpoint;
    /// Name in settings, logs and errors (`ollama`, `llama`, `openai`, `anthropic`).
    fn name(&self) -> &str {
        &self.endpoint().name
    }
    /// Local (free, private) or cloud (paid, opt-in).
    fn locality(&self) -> Locality {
        self.endpoint().locality
    }
    /// The model used when a request names none.
    fn default_model(&self) -> &str {
        &self.endpoint().model
    }
    /// The model's context window in tokens, when known (checked before sending).
    fn context_window(&self) -> Option<usize> {
        self.endpoint().context
    }
    /// Estimated cost of a request in US dollars (0 without prices).
    fn estimated_cost(&self, req: &ChatRequest) -> f64 {
        self.endpoint().estimated_cost(req)
    }
    /// Whether it answers chats (an embedding-only provider does not).
    fn chats(&self) -> bool {
        true
    }
    /// One whole answer.
    fn chat<'a>(&'a self, req: &'a ChatRequest) -> BoxFuture<'a, Result<ChatResponse, AiError>>;
    /// A streamed answer: text deltas, then the whole answer.
    fn chat_stream<'a>(
        &'a self,
        req: &'a ChatRequest,
    ) -> BoxFuture<'a, Result<TokenStream, AiError>>;
    /// Embeddings of `texts`.
    fn embed<'a>(
        &'a self,
        model: Option<&'a str>,
        texts: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Vec<f32>>, AiError>>;
    /// The models it serves.
    fn models(&self) -> BoxFuture<'_, Result<Vec<String>, AiError>>;
    /// The models it holds in memory now, where the server says (Ollama's `/api/ps`);
    /// `None` where the protocol has no such question.
    fn loaded_models(&self) -> BoxFuture<'_, Result<Option<Vec<String>>, AiError>> {
        Box::pin(async { Ok(None) })
    }
    /// Whether it answers at all.
    fn health(&self) -> BoxFuture<'_, Result<(), AiError>>;
}

pub mod anthropic;
pub mod ollama;
pub mod onnx;
pub mod openai;
