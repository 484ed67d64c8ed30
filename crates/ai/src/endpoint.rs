//! What every HTTP provider knows of its server, and the builder methods that set it.

use super::types::{ChatRequest, Locality};

/// A provider's server: its name, base URL, key, default model, where it runs, context window
/// and prices.
#[derive(Clone)]
pub struct Endpoint {
    /// Name in settings, logs and errors.
    pub name: String,
    /// Base URL without a trailing slash.
    pub base: String,
    /// API key, sent in the provider's header; never logged (see `Debug`).
    pub api_key: Option<String>,
    /// Model used when a request names none.
    pub model: String,
    /// Local or cloud.
    pub locality: Locality,
    /// Context window, tokens.
    pub context: Option<usize>,
    /// US dollars per million prompt and answer tokens.
    pub price_per_mtok: (f64, f64),
}

impl std::fmt::Debug for Endpoint {
    // The key is left out on purpose.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("name", &self.name)
            .field("base", &self.base)
            .field("model", &self.model)
            .field("has_key", &self.api_key.is_some())
            .finish()
    }
}

impl Endpoint {
    /// A server at `base` answering with `model` by default.
    pub fn new(
        name: impl Into<String>,
        base: impl Into<String>,
        model: impl Into<String>,
        locality: Locality,
    ) -> Self {
        Self {
            name: name.into(),
            base: base.into().trim_end_matches('/').to_string(),
            api_key: None,
            model: model.into(),
            locality,
            context: None,
            price_per_mtok: (0.0, 0.0),
        }
    }

    /// Estimated cost of `req` in US dollars, from the prices (answer at its token limit).
    pub fn estimated_cost(&self, req: &ChatRequest) -> f64 {
        let answer = req.max_tokens.unwrap_or(256) as f64;
        let prompt = (req.estimated_tokens() as f64 - answer).max(0.0);
        (prompt * self.price_per_mtok.0 + answer * self.price_per_mtok.1) / 1e6
    }

    /// The model of `req`, else the default.
    pub fn model_for<'a>(&'a self, req: &'a ChatRequest) -> &'a str {
        req.model.as_deref().unwrap_or(&self.model)
    }
}

/// Builder methods shared by every provider that has an [`Endpoint`].
pub trait Configure: Sized {
    /// The endpoint to change.
    fn endpoint_mut(&mut self) -> &mut Endpoint;
    /// Another name (two servers of one kind need two names: the router tracks each by name).
    fn with_name(mut self, name: impl Into<String>) -> Self {
        self.endpoint_mut().name = name.into();
        self
    }
    /// The API key to send.
    fn with_api_key(mut self, key: Option<String>) -> Self {
        self.endpoint_mut().api_key = key;
        self
    }
    /// The context window, tokens.
    fn with_context_window(mut self, tokens: Option<usize>) -> Self {
        self.endpoint_mut().context = tokens;
        self
    }
    /// Prices, US dollars per million prompt / answer tokens.
    fn with_prices(mut self, prompt: f64, answer: f64) -> Self {
        self.endpoint_mut().price_per_mtok = (prompt, answer);
        self
    }
}
