//! What can go wrong between SampleMind and a language model.

/// An AI request failed. Messages name the provider and never contain a key: providers
/// build them from status codes and the server's own error text only.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AiError {
    /// The server could not be reached (refused, reset, DNS).
    #[error("{provider}: cannot connect: {reason}")]
    Connect {
        /// Provider name.
        provider: String,
        /// Why.
        reason: String,
    },
    /// The connection was lost mid-request (reset, closed before the answer).
    #[error("{provider}: connection lost: {reason}")]
    Lost {
        /// Provider name.
        provider: String,
        /// Why.
        reason: String,
    },
    /// No answer in time.
    #[error("{provider}: timed out waiting for the {stage}")]
    Timeout {
        /// Provider name.
        provider: String,
        /// `connection`, `first byte` or `whole answer`.
        stage: &'static str,
    },
    /// The server answered with an error status.
    #[error("{provider}: HTTP {status}: {message}")]
    Status {
        /// Provider name.
        provider: String,
        /// HTTP status.
        status: u16,
        /// The server's error text.
        message: String,
    },
    /// The answer could not be understood, or the server reported an error inside it.
    #[error("{provider}: {reason}")]
    Protocol {
        /// Provider name.
        provider: String,
        /// Why.
        reason: String,
    },
    /// A stream ended before its final message.
    #[error("{provider}: the stream ended before the answer was complete")]
    Truncated {
        /// Provider name.
        provider: String,
    },
    /// The prompt does not fit the model's context window.
    #[error(
        "{provider}: the request needs about {needed} tokens, the model's context holds {limit}"
    )]
    ContextTooLong {
        /// Provider name.
        provider: String,
        /// Estimated tokens.
        needed: usize,
        /// The window.
        limit: usize,
    },
    /// Every eligible provider failed; each one's error, in order.
    #[error("no provider could answer: {0}")]
    Exhausted(String),
    /// The settings do not allow the request (no provider, cloud off, unknown override).
    #[error("{0}")]
    Config(String),
    /// The cache store failed (the answer itself may still be fine).
    #[error("AI cache: {0}")]
    Cache(String),
    /// The in-flight request this one was waiting on went away.
    #[error("the shared request was cancelled")]
    Cancelled,
}

impl AiError {
    /// Worth another try on the same provider: a refused connection is not (the server is
    /// not there; the next provider is asked at once), a timeout, 429, 5xx or a cut answer is.
    pub fn retry_same(&self) -> bool {
        self.retriable() && !matches!(self, AiError::Connect { .. })
    }

    /// Worth another try, on this provider or the next: timeouts, lost connections, cut
    /// streams, 429 and 5xx.
    pub fn retriable(&self) -> bool {
        match self {
            AiError::Connect { .. }
            | AiError::Lost { .. }
            | AiError::Timeout { .. }
            | AiError::Truncated { .. } => true,
            AiError::Status { status, .. } => *status == 429 || *status >= 500,
            AiError::Protocol { .. } => true,
            _ => false,
        }
    }
}
