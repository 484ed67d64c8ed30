//! The router: cache, coalescing, then providers in order: local first, cloud only when
//! the user enabled it.
//!
//! Per provider: a circuit breaker (after [`RouterSettings::breaker_failures`] failures in a
//! row it is skipped for [`RouterSettings::breaker_cooldown`]), retries with exponential
//! backoff on 429 / 5xx / timeouts / lost connections, and a context-window check before
//! sending. Among providers of the same locality the faster (measured) and cheaper goes
//! first. A stream falls back to the next provider only before its first token: after that,
//! the user has seen text, and an error is reported instead.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::StreamExt;
use serde::Serialize;

use super::cache::{AiCache, CacheKey};
use super::coalesce::{Coalescer, Turn};
use super::lease;
use super::types::{ChatRequest, ChatResponse, Locality, StreamEvent, TokenStream};
use super::AiError;
use crate::providers::Provider;

/// How the router behaves.
#[derive(Debug, Clone)]
pub struct RouterSettings {
    /// Cloud providers may be used (off by default: local only).
    pub cloud_enabled: bool,
    /// Retries per provider after the first attempt, for retriable errors.
    pub retries: u32,
    /// First backoff; it doubles per retry.
    pub backoff: Duration,
    /// Failures in a row that open a provider's circuit.
    pub breaker_failures: u32,
    /// How long an open circuit keeps the provider out.
    pub breaker_cooldown: Duration,
}

impl Default for RouterSettings {
    fn default() -> Self {
        Self {
            cloud_enabled: false,
            retries: 2,
            backoff: Duration::from_millis(200),
            breaker_failures: 3,
            breaker_cooldown: Duration::from_secs(30),
        }
    }
}

/// Per-request choices.
#[derive(Debug, Clone, Default)]
pub struct AskOptions {
    /// Neither read nor write the cache.
    pub bypass_cache: bool,
    /// Skip the cached answer, ask anew, and store the new one.
    pub refresh: bool,
    /// Ask this provider only (it must be allowed: a cloud one needs cloud enabled).
    pub provider: Option<String>,
    /// Keep the answer this long instead of the cache's default.
    pub ttl: Option<Duration>,
}

#[derive(Debug, Default, Clone)]
struct Health {
    failures_in_a_row: u32,
    open_until: Option<Instant>,
    /// Exponentially weighted mean latency of successful calls, ms.
    latency_ms: Option<f64>,
}

/// What the router knows of one provider, for `health`.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderStatus {
    /// Name.
    pub name: String,
    /// Local or cloud.
    pub locality: Locality,
    /// Used by the router now (cloud providers are off unless enabled).
    pub enabled: bool,
    /// The circuit is open: skipped until the cooldown ends.
    pub circuit_open: bool,
    /// Failures in a row.
    pub failures_in_a_row: u32,
    /// Mean latency of its successful calls, ms.
    pub latency_ms: Option<f64>,
}

/// Routes requests to providers through the cache and the coalescer.
pub struct Router {
    providers: Vec<Arc<dyn Provider>>,
    cache: Option<AiCache>,
    coalescer: Coalescer,
    health: Mutex<HashMap<String, Health>>,
    settings: RouterSettings,
    upstream_calls: AtomicU64,
}

impl std::fmt::Debug for Router {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Router")
            .field(
                "providers",
                &self.providers.iter().map(|p| p.name()).collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Router {
    /// A router over `providers` (in preference order within each locality) and `cache`.
    pub fn new(
        providers: Vec<Arc<dyn Provider>>,
        cache: Option<AiCache>,
        settings: RouterSettings,
    ) -> Self {
        Self {
            providers,
            cache,
            coalescer: Coalescer::default(),
            health: Mutex::new(HashMap::new()),
            settings,
            upstream_calls: AtomicU64::new(0),
        }
    }

    /// The cache, when there is one.
    pub fn cache(&self) -> Option<&AiCache> {
        self.cache.as_ref()
    }

    /// Calls made to providers since the router was made (retries included).
    pub fn upstream_calls(&self) -> u64 {
        self.upstream_calls.load(Ordering::Relaxed)
    }

    /// Every provider and what the router knows of it.
    pub fn status(&self) -> Vec<ProviderStatus> {
        let h = self.health.lock().unwrap_or_else(|p| p.into_inner());
        self.providers
            .iter()
            .map(|p| {
                let s = h.get(p.name()).cloned().unwrap_or_default();
                ProviderStatus {
                    name: p.name().to_string(),
                    locality: p.locality(),
                    enabled: p.locality() == Locality::Local || self.settings.cloud_enabled,
                    circuit_open: s.open_until.is_some_and(|t| t > Instant::now()),
                    failures_in_a_row: s.failures_in_a_row,
                    latency_ms: s.latency_ms,
                }
            })
            .collect()
    }

    /// The providers `req` may go to, in the order to try them.
    ///
    /// # Errors
    /// [`AiError::Config`] for an unknown or disallowed override, or no provider at all.
    pub fn candidates(
        &self,
        req: &ChatRequest,
        opts: &AskOptions,
    ) -> Result<Vec<Arc<dyn Provider>>, AiError> {
        if let Some(name) = &opts.provider {
            let p = self
                .providers
                .iter()
                .find(|p| p.name() == name)
                .ok_or_else(|| AiError::Config(format!("no provider named {name:?}")))?;
            if p.locality() == Locality::Cloud && !self.settings.cloud_enabled {
                return Err(AiError::Config(format!(
                    "{name} is a cloud provider and cloud use is off (set [ai] cloud = true)"
                )));
            }
            return Ok(vec![Arc::clone(p)]);
        }
        let now = Instant::now();
        let h = self.health.lock().unwrap_or_else(|p| p.into_inner());
        let mut list: Vec<(usize, Arc<dyn Provider>)> = self
            .providers
            .iter()
            .enumerate()
            .filter(|(_, p)| p.locality() == Locality::Local || self.settings.cloud_enabled)
            .filter(|(_, p)| p.chats())
            .filter(|(_, p)| {
                h.get(p.name())
                    .and_then(|s| s.open_until)
                    .is_none_or(|t| t <= now)
            })
            .map(|(i, p)| (i, Arc::clone(p)))
            .collect();
        // Local first; then cheaper; then faster as measured; then the configured order.
        list.sort_by(|(ia, a), (ib, b)| {
            let lat = |p: &Arc<dyn Provider>| {
                h.get(p.name())
                    .and_then(|s| s.latency_ms)
                    .unwrap_or(f64::MAX)
            };
            (a.locality() == Locality::Cloud)
                .cmp(&(b.locality() == Locality::Cloud))
                .then(a.estimated_cost(req).total_cmp(&b.estimated_cost(req)))
                .then(lat(a).total_cmp(&lat(b)))
                .then(ia.cmp(ib))
        });
        if list.is_empty() {
            return Err(AiError::Config(if self.providers.is_empty() {
                "no AI provider is configured".into()
            } else {
                "every allowed provider is cooling down after failures, or only cloud providers are configured and cloud use is off".into()
            }));
        }
        Ok(list.into_iter().map(|(_, p)| p).collect())
    }

    fn record(&self, name: &str, outcome: Result<Duration, ()>) {
        let mut h = self.health.lock().unwrap_or_else(|p| p.into_inner());
        let s = h.entry(name.to_string()).or_default();
        match outcome {
            Ok(latency) => {
                let ms = latency.as_secs_f64() * 1000.0;
                s.latency_ms = Some(s.latency_ms.map_or(ms, |m| 0.8 * m + 0.2 * ms));
                s.failures_in_a_row = 0;
                s.open_until = None;
            }
            Err(()) => {
                s.failures_in_a_row += 1;
                if s.failures_in_a_row >= self.settings.breaker_failures {
                    s.open_until = Some(Instant::now() + self.settings.breaker_cooldown);
                    tracing::warn!(
                        "AI provider {name}: {} failures in a row, paused",
                        s.failures_in_a_row
                    );
                }
            }
        }
    }

    fn fits(p: &dyn Provider, req: &ChatRequest) -> Result<(), AiError> {
        match p.context_window() {
            Some(limit) if req.estimated_tokens() > limit => Err(AiError::ContextTooLong {
                provider: p.name().to_string(),
                needed: req.estimated_tokens(),
                limit,
            }),
            _ => Ok(()),
        }
    }

    /// What [`Router::chat`] would do with `req`, calling nobody: `None` when the cache has
    /// the answer, else the provider it would ask first and that call's estimated cost (USD).
    ///
    /// # Errors
    /// As [`Router::candidates`].
    pub fn plan(
        &self,
        req: &ChatRequest,
        opts: &AskOptions,
    ) -> Result<Option<(String, f64)>, AiError> {
        let key = CacheKey::of(req);
        let cached = !opts.bypass_cache
            && !opts.refresh
            && self.cache.as_ref().is_some_and(|c| c.contains(&key));
        if cached {
            return Ok(None);
        }
        let first = self
            .candidates(req, opts)?
            .into_iter()
            .find(|p| Self::fits(p.as_ref(), req).is_ok())
            .ok_or_else(|| {
                AiError::Config("no provider's context window fits the request".into())
            })?;
        Ok(Some((first.name().to_string(), first.estimated_cost(req))))
    }

    /// One whole answer: from the cache, from an identical request in flight, or from the
    /// first provider that answers.
    ///
    /// # Errors
    /// [`AiError::Exhausted`] with every provider's error when none answered; configuration
    /// errors. Errors are never cached.
    pub async fn chat(
        &self,
        req: &ChatRequest,
        opts: &AskOptions,
    ) -> Result<ChatResponse, AiError> {
        let key = CacheKey::of(req);
        let use_cache = !opts.bypass_cache && self.cache.is_some();
        if use_cache && !opts.refresh {
            if let Some(mut hit) = self.cache.as_ref().and_then(|c| c.get(&key)) {
                hit.cached = true;
                return Ok(hit);
            }
        }
        let leader = match self.coalescer.join(key) {
            Turn::Follower(rx) => return rx.await.unwrap_or(Err(AiError::Cancelled)),
            Turn::Leader(l) => l,
        };
        // A refresh asks upstream whatever the studio holds.
        let studio = self
            .cache
            .as_ref()
            .filter(|_| use_cache && !opts.refresh)
            .and_then(|c| Some((c, c.shared()?)));
        let result = match studio {
            // One process of the studio asks; the others take its answer (issue 23).
            Some((cache, shared)) => {
                let call = || self.call(req, opts);
                lease::once_for_studio(cache, shared, &key, (&req.task, opts.ttl), call).await
            }
            None => {
                let result = self.call(req, opts).await;
                if let (Ok(resp), true) = (&result, use_cache) {
                    if let Some(c) = &self.cache {
                        if let Err(e) = c.put(&key, &req.task, resp, opts.ttl) {
                            tracing::warn!("{e}");
                        }
                    }
                }
                result
            }
        };
        leader.finish(&result);
        result
    }

    async fn call(&self, req: &ChatRequest, opts: &AskOptions) -> Result<ChatResponse, AiError> {
        let mut errors = Vec::new();
        for p in self.candidates(req, opts)? {
            if let Err(e) = Self::fits(p.as_ref(), req) {
                errors.push(e.to_string());
                continue;
            }
            for attempt in 0..=self.settings.retries {
                self.upstream_calls.fetch_add(1, Ordering::Relaxed);
                let t = Instant::now();
                match p.chat(req).await {
                    Ok(resp) => {
                        self.record(p.name(), Ok(t.elapsed()));
                        return Ok(resp);
                    }
                    Err(e) => {
                        self.record(p.name(), Err(()));
                        let retry = e.retry_same() && attempt < self.settings.retries;
                        errors.push(e.to_string());
                        if !retry {
                            break;
                        }
                        tokio::time::sleep(self.settings.backoff * 2u32.pow(attempt)).await;
                    }
                }
            }
        }
        Err(AiError::Exhausted(errors.join("; ")))
    }

    /// A streamed answer. A cached answer replays as a stream; otherwise providers are tried
    /// in order until one gives its first event, and the answer is cached once complete.
    ///
    /// # Errors
    /// As [`Router::chat`], for failures before the first token.
    pub async fn chat_stream(
        &self,
        req: &ChatRequest,
        opts: &AskOptions,
    ) -> Result<TokenStream, AiError> {
        let key = CacheKey::of(req);
        let use_cache = !opts.bypass_cache && self.cache.is_some();
        if use_cache && !opts.refresh {
            if let Some(mut hit) = self.cache.as_ref().and_then(|c| c.get(&key)) {
                hit.cached = true;
                return Ok(replay(hit));
            }
        }
        // One process of the studio streams from upstream; the others replay its answer
        // once it is stored (issue 23).
        let mut held = None;
        if let Some(cache) = self.cache.as_ref().filter(|_| use_cache && !opts.refresh) {
            if let Some(shared) = cache.shared() {
                match lease::lead_or_wait(cache, shared, &key).await {
                    lease::Turn::Answered(mut answer) => {
                        answer.cached = true;
                        return Ok(replay(answer));
                    }
                    lease::Turn::Lead(l) => held = Some(lease::StreamLease::new(cache.clone(), l)),
                    lease::Turn::Alone => {}
                }
            }
        }
        let mut errors = Vec::new();
        for p in self.candidates(req, opts)? {
            if let Err(e) = Self::fits(p.as_ref(), req) {
                errors.push(e.to_string());
                continue;
            }
            self.upstream_calls.fetch_add(1, Ordering::Relaxed);
            let t = Instant::now();
            let first = match p.chat_stream(req).await {
                Ok(mut s) => match s.next().await {
                    Some(Ok(ev)) => Ok((ev, s)),
                    Some(Err(e)) => Err(e),
                    None => Err(AiError::Truncated {
                        provider: p.name().to_string(),
                    }),
                },
                Err(e) => Err(e),
            };
            match first {
                Ok((ev, rest)) => {
                    self.record(p.name(), Ok(t.elapsed()));
                    let cache = self.cache.clone().filter(|_| use_cache);
                    let (task, ttl) = (req.task.clone(), opts.ttl);
                    let mut held = held.take();
                    let stream = futures_util::stream::once(async move { Ok(ev) })
                        .chain(rest)
                        .inspect(move |item| {
                            if let Some(h) = held.as_mut() {
                                h.tick();
                            }
                            // Only a complete answer is cached; a cut stream never is (its
                            // lease goes when the stream is dropped).
                            if let (Ok(StreamEvent::Done(done)), Some(c)) = (item, &cache) {
                                if let Err(e) = c.put(&key, &task, done, ttl) {
                                    tracing::warn!("{e}");
                                }
                                if let Some(mut h) = held.take() {
                                    h.release();
                                }
                            }
                        });
                    return Ok(Box::pin(stream));
                }
                Err(e) => {
                    self.record(p.name(), Err(()));
                    errors.push(e.to_string());
                }
            }
        }
        Err(AiError::Exhausted(errors.join("; ")))
    }
}

impl Router {
    /// Embeddings of `texts` from the first allowed provider that gives them, local first
    /// (the ONNX MiniLM provider when the models are on). Each text's vector is cached per
    /// provider and model: a provider is asked only for the texts it has not embedded yet,
    /// and a provider whose vectors are all cached is not asked at all.
    ///
    /// # Errors
    /// [`AiError::Exhausted`] with every provider's error.
    pub async fn embed(&self, texts: &[String]) -> Result<(String, Vec<Vec<f32>>), AiError> {
        let mut providers: Vec<&Arc<dyn Provider>> = self
            .providers
            .iter()
            .filter(|p| p.locality() == Locality::Local || self.settings.cloud_enabled)
            .collect();
        providers.sort_by_key(|p| p.locality() == Locality::Cloud);
        let mut errors = Vec::new();
        for p in providers {
            let keys: Vec<CacheKey> = texts
                .iter()
                .map(|t| CacheKey::of_embedding(p.name(), p.default_model(), t))
                .collect();
            let mut vectors: Vec<Option<Vec<f32>>> = match &self.cache {
                Some(c) => keys.iter().map(|k| c.peek_vector(k)).collect(),
                None => vec![None; texts.len()],
            };
            let missing: Vec<usize> = (0..texts.len()).filter(|&i| vectors[i].is_none()).collect();
            if !missing.is_empty() {
                let asked: Vec<String> = missing.iter().map(|&i| texts[i].clone()).collect();
                match p.embed(None, &asked).await {
                    Ok(v) if v.len() == asked.len() => {
                        for (&i, vector) in missing.iter().zip(v) {
                            if let Some(c) = &self.cache {
                                if let Err(e) = c.put_vector(&keys[i], &vector) {
                                    tracing::warn!("embedding not cached: {e}");
                                }
                            }
                            vectors[i] = Some(vector);
                        }
                    }
                    Ok(v) => {
                        errors.push(format!(
                            "{}: {} vectors for {} texts",
                            p.name(),
                            v.len(),
                            asked.len()
                        ));
                        continue;
                    }
                    Err(e) => {
                        errors.push(e.to_string());
                        continue;
                    }
                }
            }
            if let Some(c) = &self.cache {
                c.count((texts.len() - missing.len()) as u64, missing.len() as u64);
            }
            return Ok((
                p.name().to_string(),
                vectors.into_iter().map(Option::unwrap_or_default).collect(),
            ));
        }
        Err(AiError::Exhausted(if errors.is_empty() {
            "no provider gives embeddings".into()
        } else {
            errors.join("; ")
        }))
    }
}

/// A cached answer as a stream: its words, then the whole answer.
fn replay(answer: ChatResponse) -> TokenStream {
    let mut events: Vec<Result<StreamEvent, AiError>> = answer
        .text
        .split_inclusive(' ')
        .map(|w| Ok(StreamEvent::Delta(w.to_string())))
        .collect();
    events.push(Ok(StreamEvent::Done(answer)));
    Box::pin(futures_util::stream::iter(events))
}
