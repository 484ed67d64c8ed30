//! Requests and answers, the same for every provider.

use std::pin::Pin;

use futures_util::Stream;
use serde::{Deserialize, Serialize};

use super::AiError;

/// Who says a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Instructions.
    System,
    /// The user's words (and any data, quoted).
    User,
    /// The model.
    Assistant,
}

/// One message of a chat.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Who.
    pub role: Role,
    /// What.
    pub content: String,
}

impl Message {
    /// A system message.
    pub fn system(s: impl Into<String>) -> Self {
        Message {
            role: Role::System,
            content: s.into(),
        }
    }
    /// A user message.
    pub fn user(s: impl Into<String>) -> Self {
        Message {
            role: Role::User,
            content: s.into(),
        }
    }
}

/// A chat request, provider-agnostic: the router picks who answers.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChatRequest {
    /// What it is for (`ask`, `describe`, `parse-search`): the cache's namespace.
    pub task: String,
    /// A model name; `None` lets each provider use its default.
    pub model: Option<String>,
    /// The conversation.
    pub messages: Vec<Message>,
    /// Sampling temperature.
    pub temperature: Option<f32>,
    /// Longest answer, tokens.
    pub max_tokens: Option<u32>,
    /// A JSON schema the answer must follow (structured output).
    pub json_schema: Option<serde_json::Value>,
    /// Sampling seed, for repeatable answers.
    pub seed: Option<u64>,
}

impl ChatRequest {
    /// A rough token count of the prompt (4 characters a token, the usual rule of thumb),
    /// for the context-window check before sending.
    pub fn estimated_tokens(&self) -> usize {
        let chars: usize = self.messages.iter().map(|m| m.content.len() + 8).sum();
        chars / 4 + self.max_tokens.unwrap_or(256) as usize
    }
}

/// An answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatResponse {
    /// The text (JSON text for structured output).
    pub text: String,
    /// The model that answered.
    pub model: String,
    /// The provider that answered.
    pub provider: String,
    /// Why generation stopped (`stop`, `length`).
    pub done_reason: Option<String>,
    /// Prompt tokens, when the server says.
    pub prompt_tokens: Option<u32>,
    /// Answer tokens, when the server says.
    pub completion_tokens: Option<u32>,
    /// Served from the cache.
    #[serde(default)]
    pub cached: bool,
}

/// One event of a streamed answer.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    /// More text.
    Delta(String),
    /// The end, with the whole answer.
    Done(ChatResponse),
}

/// A streamed answer.
pub type TokenStream = Pin<Box<dyn Stream<Item = Result<StreamEvent, AiError>> + Send>>;

/// Where a provider runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Locality {
    /// On this machine or the local network: free, private.
    Local,
    /// A paid service on the internet: used only when the user enables it.
    Cloud,
}
