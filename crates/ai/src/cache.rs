//! The AI answer cache: a sled store keyed by the blake3 hash of the canonical request.
//!
//! The key covers what decides an answer (task, model, messages, sampling parameters,
//! schema) and nothing else: not the provider (a local and a cloud model of the same name
//! answer the same request) and never a key or header. Embeddings are cached per text, and
//! there the provider is part of the key: two models' vectors are not comparable. Values are MessagePack with an expiry.
//! A size bound evicts the oldest entries first. Hit, miss, byte and eviction counters live in
//! the store, so the hit rate survives restarts. Only complete answers are ever put here.

use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::shared::SharedCache;
use super::types::{ChatRequest, ChatResponse};
use super::AiError;

/// A cache key: blake3 of the canonical request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CacheKey(pub [u8; 32]);

impl CacheKey {
    /// The key of `req`. JSON objects are written with sorted keys (serde_json's map is a
    /// BTreeMap), so field order in the caller's code cannot change the key.
    pub fn of(req: &ChatRequest) -> CacheKey {
        let canonical = serde_json::json!({
            "v": 1,
            "task": req.task,
            "model": req.model,
            "messages": req.messages,
            "temperature": req.temperature,
            "max_tokens": req.max_tokens,
            "json_schema": req.json_schema,
            "seed": req.seed,
        });
        let bytes = serde_json::to_vec(&canonical).unwrap_or_default();
        CacheKey(*blake3::hash(&bytes).as_bytes())
    }

    /// The key of `text`'s embedding by `provider` with its `model`.
    pub fn of_embedding(provider: &str, model: &str, text: &str) -> CacheKey {
        let canonical = serde_json::json!({
            "v": 1,
            "task": "embed",
            "provider": provider,
            "model": model,
            "text": text,
        });
        let bytes = serde_json::to_vec(&canonical).unwrap_or_default();
        CacheKey(*blake3::hash(&bytes).as_bytes())
    }
}

/// What an entry holds. Entries written before a variant existed fail to decode and count
/// as absent (a cache may forget; it may not answer wrongly).
#[derive(Serialize, Deserialize)]
enum Answer {
    Chat(ChatResponse),
    Vector(Vec<f32>),
}

#[derive(Serialize, Deserialize)]
struct Entry {
    /// The key the entry was stored under: a value read from the shared tier must name the
    /// key it was asked for, so a mixed-up entry is never served for another request. (Local
    /// entries from before the shared tier have none; sled cannot mix keys up.)
    #[serde(default)]
    key: Option<[u8; 32]>,
    created_ms: u64,
    expires_ms: u64,
    namespace: String,
    answer: Answer,
}

/// Counters of the cache.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CacheStats {
    /// Answers served from the cache.
    pub hits: u64,
    /// Lookups that found nothing (or an expired entry).
    pub misses: u64,
    /// hits / (hits + misses), 0 when nothing was asked.
    pub hit_rate: f64,
    /// Entries stored.
    pub entries: u64,
    /// Bytes of stored values.
    pub bytes: u64,
    /// Entries evicted by the size bound.
    pub evictions: u64,
}

/// The cache.
#[derive(Clone)]
pub struct AiCache {
    db: sled::Db,
    entries: sled::Tree,
    order: sled::Tree,
    stats: sled::Tree,
    max_bytes: u64,
    default_ttl: Duration,
    shared: Option<std::sync::Arc<SharedCache>>,
}

impl std::fmt::Debug for AiCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AiCache")
            .field("max_bytes", &self.max_bytes)
            .finish()
    }
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

fn err(e: impl std::fmt::Display) -> AiError {
    AiError::Cache(e.to_string())
}

impl AiCache {
    /// Open (or create) the cache in `dir`, holding at most `max_bytes` of answers, each for
    /// `default_ttl` unless a request says otherwise.
    ///
    /// # Errors
    /// [`AiError::Cache`] when sled cannot open the directory.
    pub fn open(dir: &Path, max_bytes: u64, default_ttl: Duration) -> Result<Self, AiError> {
        let db = sled::Config::new()
            .path(dir)
            .flush_every_ms(Some(500))
            .open()
            .map_err(|e| AiError::Cache(format!("{}: {e}", dir.display())))?;
        Ok(AiCache {
            entries: db.open_tree("entries").map_err(err)?,
            order: db.open_tree("order").map_err(err)?,
            stats: db.open_tree("stats").map_err(err)?,
            db,
            max_bytes,
            default_ttl,
            shared: None,
        })
    }

    /// This cache with a shared tier: answers missing here are looked up on `shared` (and
    /// kept here once found), and every answer stored here is published there too.
    pub fn with_shared(mut self, shared: std::sync::Arc<SharedCache>) -> Self {
        self.shared = Some(shared);
        self
    }

    /// The shared tier, when there is one.
    pub fn shared(&self) -> Option<&SharedCache> {
        self.shared.as_deref()
    }

    fn bump(&self, name: &str, by: i64) {
        let _ = self.stats.update_and_fetch(name, |old| {
            let v = old
                .and_then(|b| b.try_into().ok().map(u64::from_be_bytes))
                .unwrap_or(0);
            Some((v as i64 + by).max(0).to_be_bytes().to_vec())
        });
    }

    fn counter(&self, name: &str) -> u64 {
        self.stats
            .get(name)
            .ok()
            .flatten()
            .and_then(|b| b.as_ref().try_into().ok().map(u64::from_be_bytes))
            .unwrap_or(0)
    }

    /// Whether a live answer is stored under `key`, without counting a hit or a miss (for
    /// plans such as `ai warm --simulate`).
    pub fn contains(&self, key: &CacheKey) -> bool {
        self.entries
            .get(key.0)
            .ok()
            .flatten()
            .and_then(|b| rmp_serde::from_slice::<Entry>(&b).ok())
            .is_some_and(|e| e.expires_ms > now_ms())
    }

    /// The stored answer for `key`, unless absent or expired (an entry that does not decode
    /// counts as absent and is removed). Counts a hit or a miss.
    pub fn get(&self, key: &CacheKey) -> Option<ChatResponse> {
        let found = match self.live(key).or_else(|| self.shared_answer(key, true)) {
            Some(Answer::Chat(r)) => Some(r),
            _ => None,
        };
        self.bump(if found.is_some() { "hits" } else { "misses" }, 1);
        found
    }

    /// The stored embedding for `key`, without counting (see [`AiCache::count`]): a router
    /// looks under several providers before it knows which one answers.
    pub fn peek_vector(&self, key: &CacheKey) -> Option<Vec<f32>> {
        match self.live(key).or_else(|| self.shared_answer(key, true)) {
            Some(Answer::Vector(v)) => Some(v),
            _ => None,
        }
    }

    /// Count `hits` and `misses` found by [`AiCache::peek_vector`].
    pub fn count(&self, hits: u64, misses: u64) {
        if hits > 0 {
            self.bump("hits", hits as i64);
        }
        if misses > 0 {
            self.bump("misses", misses as i64);
        }
    }

    fn live(&self, key: &CacheKey) -> Option<Answer> {
        let bytes = self.entries.get(key.0).ok().flatten()?;
        match rmp_serde::from_slice::<Entry>(&bytes) {
            Ok(e) if e.expires_ms > now_ms() => Some(e.answer),
            Ok(e) => {
                self.remove(key, e.created_ms, bytes.len() as u64);
                None
            }
            Err(_) => {
                if let Ok(Some(_)) = self.entries.remove(key.0) {
                    self.bump("bytes", -(bytes.len() as i64));
                }
                None
            }
        }
    }

    /// The answer another process of the studio stored for `key` while this one waited for
    /// its lease (kept here too), without counting a miss: a waiter asks many times.
    pub fn awaited(&self, key: &CacheKey) -> Option<ChatResponse> {
        match self.live(key).or_else(|| self.shared_answer(key, false)) {
            Some(Answer::Chat(r)) => Some(r),
            _ => None,
        }
    }

    /// The live answer the shared tier holds for `key`, kept here too. A value that does not
    /// decode, names another key or is larger than [`super::shared::MAX_VALUE`] is dropped
    /// from the server (and counted), never served; an expired one is a miss (counted when
    /// `count_miss`).
    fn shared_answer(&self, key: &CacheKey, count_miss: bool) -> Option<Answer> {
        let shared = self.shared.as_ref()?;
        let bytes = match shared.get(&key.0) {
            Ok(Some(b)) => b,
            Ok(None) => {
                if count_miss {
                    shared.count(false);
                }
                return None;
            }
            Err(_) => return None,
        };
        let fits = bytes.len() <= super::shared::MAX_VALUE;
        let entry = match rmp_serde::from_slice::<Entry>(&bytes) {
            Ok(e) if fits && e.key == Some(key.0) => e,
            _ => {
                shared.reject();
                let _ = shared.remove(&key.0);
                return None;
            }
        };
        if entry.expires_ms <= now_ms() {
            if count_miss {
                shared.count(false);
            }
            return None;
        }
        shared.count(true);
        if let Err(e) = self.insert_local(key, &bytes, entry.created_ms) {
            tracing::warn!("answer cache: keeping a shared answer here failed: {e}");
        }
        Some(entry.answer)
    }

    fn remove(&self, key: &CacheKey, created_ms: u64, size: u64) {
        if let Ok(Some(_)) = self.entries.remove(key.0) {
            self.bump("bytes", -(size as i64));
        }
        let _ = self.order.remove(order_key(created_ms, key));
    }

    /// Drop the answer under `key`: the provider answered, but the answer failed what its use
    /// asked of it (JSON that does not parse). A failure is never cached, so such an answer
    /// must not stay either: the next asking goes to the provider again.
    pub fn forget(&self, key: &CacheKey) {
        if let Some(shared) = &self.shared {
            let _ = shared.remove(&key.0);
        }
        if let Ok(Some(v)) = self.entries.get(key.0) {
            if let Ok(e) = rmp_serde::from_slice::<Entry>(&v) {
                self.remove(key, e.created_ms, v.len() as u64);
            } else if let Ok(Some(old)) = self.entries.remove(key.0) {
                self.bump("bytes", -(old.len() as i64));
            }
        }
    }

    /// Store a complete answer under `key` in `namespace` for `ttl` (default when `None`),
    /// then evict the oldest entries while over the size bound.
    ///
    /// # Errors
    /// [`AiError::Cache`] when the store fails.
    pub fn put(
        &self,
        key: &CacheKey,
        namespace: &str,
        response: &ChatResponse,
        ttl: Option<Duration>,
    ) -> Result<(), AiError> {
        let mut response = response.clone();
        response.cached = false;
        self.store(key, namespace, Answer::Chat(response), ttl)
    }

    /// Store one text's embedding under `key` (see [`CacheKey::of_embedding`]) in the
    /// `embed` namespace, for the default lifetime.
    ///
    /// # Errors
    /// [`AiError::Cache`] when the store fails.
    pub fn put_vector(&self, key: &CacheKey, vector: &[f32]) -> Result<(), AiError> {
        self.store(key, "embed", Answer::Vector(vector.to_vec()), None)
    }

    fn store(
        &self,
        key: &CacheKey,
        namespace: &str,
        answer: Answer,
        ttl: Option<Duration>,
    ) -> Result<(), AiError> {
        let created_ms = now_ms();
        let ttl = ttl.unwrap_or(self.default_ttl);
        let entry = Entry {
            key: Some(key.0),
            created_ms,
            expires_ms: created_ms + ttl.as_millis() as u64,
            namespace: namespace.to_string(),
            answer,
        };
        let bytes = rmp_serde::to_vec_named(&entry).map_err(err)?;
        self.insert_local(key, &bytes, created_ms)?;
        // The shared tier is a cache: when it is down the answer still lives here.
        if let Some(shared) = &self.shared {
            let _ = shared.put(&key.0, &bytes, ttl);
        }
        Ok(())
    }

    /// Write an encoded entry here, created at `created_ms`, then evict the oldest entries
    /// while over the size bound.
    fn insert_local(&self, key: &CacheKey, bytes: &[u8], created_ms: u64) -> Result<(), AiError> {
        if let Some(old) = self.entries.insert(key.0, bytes).map_err(err)? {
            self.bump("bytes", -(old.len() as i64));
            if let Ok(e) = rmp_serde::from_slice::<Entry>(&old) {
                let _ = self.order.remove(order_key(e.created_ms, key));
            }
        }
        self.order
            .insert(
                order_key(created_ms, key),
                &(bytes.len() as u64).to_be_bytes(),
            )
            .map_err(err)?;
        self.bump("bytes", bytes.len() as i64);
        self.evict();
        Ok(())
    }

    fn evict(&self) {
        while self.counter("bytes") > self.max_bytes {
            let Ok(Some((k, _))) = self.order.first() else {
                break;
            };
            let created = u64::from_be_bytes(k[..8].try_into().unwrap_or([0; 8]));
            let key = CacheKey(k[8..40].try_into().unwrap_or([0; 32]));
            let size = self
                .entries
                .get(key.0)
                .ok()
                .flatten()
                .map_or(0, |v| v.len() as u64);
            self.remove(&key, created, size);
            let _ = self.order.remove(&k);
            self.bump("evictions", 1);
        }
    }

    /// Counters and sizes.
    pub fn stats(&self) -> CacheStats {
        let (hits, misses) = (self.counter("hits"), self.counter("misses"));
        CacheStats {
            hits,
            misses,
            hit_rate: if hits + misses == 0 {
                0.0
            } else {
                hits as f64 / (hits + misses) as f64
            },
            entries: self.entries.len() as u64,
            bytes: self.counter("bytes"),
            evictions: self.counter("evictions"),
        }
    }

    /// Remove every entry of `namespace`, or everything (counters included) when `None`.
    /// Returns how many entries went.
    ///
    /// # Errors
    /// [`AiError::Cache`] when the store fails.
    pub fn clear(&self, namespace: Option<&str>) -> Result<u64, AiError> {
        let Some(ns) = namespace else {
            let n = self.entries.len() as u64;
            self.entries.clear().map_err(err)?;
            self.order.clear().map_err(err)?;
            self.stats.clear().map_err(err)?;
            return Ok(n);
        };
        let mut n = 0;
        for item in self.entries.iter() {
            let (k, v) = item.map_err(err)?;
            if let Ok(e) = rmp_serde::from_slice::<Entry>(&v) {
                if e.namespace == ns {
                    let key = CacheKey(k.as_ref().try_into().unwrap_or([0; 32]));
                    self.remove(&key, e.created_ms, v.len() as u64);
                    n += 1;
                }
            }
        }
        Ok(n)
    }

    /// Write everything to disk now.
    pub fn flush(&self) {
        let _ = self.db.flush();
    }
}

fn order_key(created_ms: u64, key: &CacheKey) -> Vec<u8> {
    let mut k = created_ms.to_be_bytes().to_vec();
    k.extend_from_slice(&key.0);
    k
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Message;

    fn req(q: &str) -> ChatRequest {
        ChatRequest {
            task: "ask".into(),
            messages: vec![Message::user(q)],
            ..ChatRequest::default()
        }
    }

    fn answer(text: &str) -> ChatResponse {
        ChatResponse {
            text: text.into(),
            model: "m".into(),
            provider: "p".into(),
            done_reason: Some("stop".into()),
            prompt_tokens: None,
            completion_tokens: None,
            cached: false,
        }
    }

    #[test]
    fn keys_follow_content_not_construction() {
        let a = req("hi");
        let mut b = req("hi");
        assert_eq!(CacheKey::of(&a), CacheKey::of(&b));
        b.temperature = Some(0.2);
        assert_ne!(CacheKey::of(&a), CacheKey::of(&b));
    }

    #[test]
    fn hits_misses_expiry_and_stats_survive_a_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let k = CacheKey::of(&req("q"));
        {
            let c = AiCache::open(dir.path(), 1 << 20, Duration::from_secs(60)).unwrap();
            assert!(c.get(&k).is_none());
            c.put(&k, "ask", &answer("a"), None).unwrap();
            assert_eq!(c.get(&k).unwrap().text, "a");
            let short = CacheKey::of(&req("short"));
            c.put(&short, "ask", &answer("b"), Some(Duration::from_millis(0)))
                .unwrap();
            assert!(c.get(&short).is_none(), "expired");
            c.flush();
        }
        let c = AiCache::open(dir.path(), 1 << 20, Duration::from_secs(60)).unwrap();
        let s = c.stats();
        assert_eq!((s.hits, s.misses, s.entries), (1, 2, 1));
        assert!((s.hit_rate - 1.0 / 3.0).abs() < 1e-9);
    }

    #[test]
    fn a_forgotten_answer_is_gone_with_its_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let c = AiCache::open(dir.path(), 1 << 20, Duration::from_secs(60)).unwrap();
        let (k, other) = (CacheKey::of(&req("q")), CacheKey::of(&req("r")));
        c.put(&k, "parse-search", &answer("{\"cut"), None).unwrap();
        c.put(&other, "ask", &answer("kept"), None).unwrap();
        let before = c.stats().bytes;
        c.forget(&k);
        assert!(c.get(&k).is_none());
        assert_eq!(c.get(&other).unwrap().text, "kept");
        assert!(c.stats().bytes < before, "{:?}", c.stats());
        c.forget(&k);
    }

    #[test]
    fn the_size_bound_evicts_the_oldest_first() {
        let dir = tempfile::tempdir().unwrap();
        let c = AiCache::open(dir.path(), 600, Duration::from_secs(60)).unwrap();
        let keys: Vec<CacheKey> = (0..6).map(|i| CacheKey::of(&req(&i.to_string()))).collect();
        for (i, k) in keys.iter().enumerate() {
            c.put(k, "ask", &answer(&"x".repeat(100 + i)), None)
                .unwrap();
            std::thread::sleep(Duration::from_millis(2));
        }
        let s = c.stats();
        assert!(s.bytes <= 600 && s.evictions > 0, "{s:?}");
        assert!(c.get(&keys[0]).is_none(), "the oldest went first");
        assert!(c.get(&keys[5]).is_some(), "the newest stays");
        assert_eq!(c.clear(Some("ask")).unwrap(), s.entries);
    }
}
