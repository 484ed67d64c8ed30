//! The studio's Redis (issue 23): one server, or a Redis Cluster, that every workstation of
//! a studio reads and writes. Three things live there, each under its own namespace:
//! - the shared tier of the answer cache, so that a question asked on one machine is
//!   answered from the cache on the next ([`super::cache::AiCache::with_shared`]);
//! - leases, so that the studio's identical cold questions make one upstream call
//!   ([`super::lease`]);
//! - analyses by content hash and their claims, for the scanner
//!   (`samplemind_library::AnalysisShare`, implemented at the end of this file).
//!
//! It is a cache, never the source of truth, and it may be down, slow, emptied, full or
//! wrong at any moment. So every call is bounded (connect, read and write timeouts), a
//! failure marks the server down for [`RETRY_AFTER`] (no call waits on a dead server
//! meanwhile) and the callers go on locally; a server that refuses one command (full,
//! read-only) stays up for the rest. What comes back is only bytes: the callers decode and
//! check them (the key's hash inside the value), and drop what does not check.
//!
//! The blocking client serialises calls on one connection. An answer is read once per
//! question, and a call over loopback costs tens of microseconds, so one connection is not
//! yet the bottleneck; a pool can replace it without changing this interface.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use redis::cluster::{ClusterClient, ClusterConnection};
use redis::{ConnectionLike, IntoConnectionInfo};

use super::settings::SharedSettings;
use super::AiError;

/// How long a server that failed is left alone before the next call tries it again.
pub const RETRY_AFTER: Duration = Duration::from_secs(2);

/// Largest value read back, bytes: an answer or an embedding is a few KiB, and a server that
/// holds something larger under one of our keys (Redis allows 512 MiB) must not make this
/// process read it all.
pub const MAX_VALUE: usize = 4 << 20;

/// How long a shared analysis lives: a pack stays in a studio's rotation for months, so an
/// analysis outlives an answer; Redis's `maxmemory` policy bounds the rest.
pub const ANALYSIS_TTL: Duration = Duration::from_secs(90 * 24 * 3600);

/// Environment variable holding the Redis password, so it need not sit in `config.toml`.
pub const PASSWORD_ENV: &str = "SAMPLEMIND_REDIS_PASSWORD";

/// How the shared tier is doing, for `health`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SharedHealth {
    /// `redis`.
    pub backend: &'static str,
    /// The server, without any password.
    pub server: String,
    /// The last call worked (or none was made yet and the first connect did).
    pub up: bool,
    /// Why it is down.
    pub reason: Option<String>,
    /// Duration of the last call that worked, milliseconds.
    pub latency_ms: Option<f64>,
    /// Answers found on the server that no local copy had.
    pub hits: u64,
    /// Lookups the server could not answer.
    pub misses: u64,
    /// Values the server gave that failed to decode or named another key: dropped.
    pub rejected: u64,
    /// Cold requests this process led for the studio (it held the lease and asked upstream).
    pub leases_led: u64,
    /// Cold requests that waited for another process's lease instead of asking upstream.
    pub lease_waits: u64,
    /// Of those, the ones answered by the leader's answer.
    pub lease_answers: u64,
    /// Commands the server answered with a refusal (full under `noeviction`, read-only): the
    /// server stays up for the rest.
    pub refused: u64,
    /// Every machine's counts together, from the server.
    pub studio: Option<StudioStats>,
    /// Bytes the server holds (`used_memory`; in a cluster, of the node that answered).
    pub server_bytes: Option<u64>,
    /// Its bound (`maxmemory`; 0: none), past which its policy evicts or refuses.
    pub server_max_bytes: Option<u64>,
}

#[derive(Default)]
struct State {
    down_until: Option<Instant>,
    reason: Option<String>,
    latency_ms: Option<f64>,
    hits: u64,
    misses: u64,
    rejected: u64,
    leases_led: u64,
    lease_waits: u64,
    lease_answers: u64,
    refused: u64,
    /// Counts not yet added to the studio's (hits, misses, rejected).
    pending: [u64; 3],
    flushed_at: Option<Instant>,
}

impl State {
    /// Whether the pending counts should reach the server now: a few dozen lookups, or a
    /// couple of seconds, whichever comes first (one extra call per many lookups).
    fn stats_due(&self) -> bool {
        self.pending.iter().sum::<u64>() >= 64
            || self
                .flushed_at
                .is_none_or(|t| t.elapsed() >= Duration::from_secs(2))
    }
}

/// One server, or a Redis Cluster known by its seed nodes.
enum Backend {
    Single(redis::Client),
    Cluster(ClusterClient),
}

enum Conn {
    Single(redis::Connection),
    // Boxed: a cluster connection is several times a single one's size.
    Cluster(Box<ClusterConnection>),
}

impl Conn {
    fn as_dyn(&mut self) -> &mut dyn ConnectionLike {
        match self {
            Conn::Single(c) => c,
            Conn::Cluster(c) => c.as_mut(),
        }
    }
}

impl Backend {
    /// A connection whose every read and write is bounded by `timeout`.
    fn connect(&self, timeout: Duration) -> redis::RedisResult<Conn> {
        Ok(match self {
            Backend::Single(client) => {
                let c = client.get_connection_with_timeout(timeout)?;
                c.set_read_timeout(Some(timeout))?;
                c.set_write_timeout(Some(timeout))?;
                Conn::Single(c)
            }
            Backend::Cluster(client) => {
                let c = client.get_connection()?;
                c.set_read_timeout(Some(timeout))?;
                c.set_write_timeout(Some(timeout))?;
                Conn::Cluster(Box::new(c))
            }
        })
    }
}

/// How to reach the server(s): what a client is built from, again once the OS keyring gave
/// a password.
struct Plan {
    infos: Vec<redis::ConnectionInfo>,
    cluster: bool,
    ca: Option<Vec<u8>>,
    timeout: Duration,
}

impl Plan {
    fn build(&self, password: Option<String>) -> redis::RedisResult<Backend> {
        let mut infos = self.infos.clone();
        if let Some(pw) = password {
            for i in &mut infos {
                i.redis.password = Some(pw.clone());
            }
        }
        if !self.cluster {
            let info = infos.remove(0);
            let client = match &self.ca {
                Some(pem) => redis::Client::build_with_tls(info, certificates(pem))?,
                None => redis::Client::open(info)?,
            };
            return Ok(Backend::Single(client));
        }
        let tls = infos
            .iter()
            .any(|i| matches!(i.addr, redis::ConnectionAddr::TcpTls { .. }));
        let mut builder = ClusterClient::builder(infos)
            .connection_timeout(self.timeout)
            .response_timeout(self.timeout);
        if tls {
            builder = builder.tls(redis::TlsMode::Secure);
        }
        if let Some(pem) = &self.ca {
            builder = builder.certs(certificates(pem));
        }
        Ok(Backend::Cluster(builder.build()?))
    }
}

/// The OS keyring's account (service `samplemind`) for the studio Redis's password:
/// `samplemind ai key set shared-redis` stores it. Asked only when the server wants a
/// password that neither [`PASSWORD_ENV`] nor the URL gave.
pub const KEYRING_ACCOUNT: &str = "shared-redis";

/// A connection to the shared Redis (one server or a cluster).
pub struct SharedCache {
    plan: Plan,
    backend: Mutex<Backend>,
    password_from_config: bool,
    keyring_asked: std::sync::atomic::AtomicBool,
    server: String,
    prefix: String,
    conn: Mutex<Option<Conn>>,
    state: Mutex<State>,
}

impl std::fmt::Debug for SharedCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedCache")
            .field("server", &self.server)
            .finish_non_exhaustive()
    }
}

impl SharedCache {
    /// A client of the server at `url` (`redis://host:port/db`, `rediss://` for TLS), each
    /// call bounded by `timeout`. A password in [`PASSWORD_ENV`] wins over one in the URL.
    /// Nothing is connected until the first call. A TLS server's certificate is checked
    /// against the system's authorities.
    ///
    /// # Errors
    /// [`AiError::Config`] when the URL does not parse.
    pub fn new(url: &str, timeout: Duration) -> Result<Self, AiError> {
        Self::single(url, timeout, None)
    }

    /// As [`SharedCache::new`], a TLS server's certificate checked against `ca_pem` (PEM
    /// certificates of a studio's own authority) when given, instead of the system's.
    fn single(url: &str, timeout: Duration, ca_pem: Option<&[u8]>) -> Result<Self, AiError> {
        let info = connection_info(url)?;
        let server = format!("{} db {}", info.addr, info.redis.db);
        Self::from_plan(
            Plan {
                infos: vec![info],
                cluster: false,
                ca: ca_pem.map(<[u8]>::to_vec),
                timeout,
            },
            server,
        )
    }

    /// A client of the Redis Cluster that `seeds` belong to (any of its nodes: the client
    /// learns the rest), each call bounded by `timeout`. The keys of one request (its answer
    /// and its lease) share a hash tag, so they live on one node.
    ///
    /// # Errors
    /// [`AiError::Config`] when a URL does not parse or names a database other than 0 (a
    /// cluster has only that one).
    fn cluster(seeds: &[&str], timeout: Duration, ca_pem: Option<&[u8]>) -> Result<Self, AiError> {
        let mut infos = Vec::new();
        for url in seeds {
            let info = connection_info(url)?;
            if info.redis.db != 0 {
                return Err(AiError::Config(format!(
                    "shared.redis: {}: a Redis Cluster has only database 0",
                    info.addr
                )));
            }
            infos.push(info);
        }
        let server = format!(
            "cluster via {}",
            infos
                .iter()
                .map(|i| i.addr.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        Self::from_plan(
            Plan {
                infos,
                cluster: true,
                ca: ca_pem.map(<[u8]>::to_vec),
                timeout,
            },
            server,
        )
    }

    fn from_plan(plan: Plan, server: String) -> Result<Self, AiError> {
        let backend = plan
            .build(None)
            .map_err(|e| AiError::Config(format!("shared.redis: {e}")))?;
        Ok(Self {
            backend: Mutex::new(backend),
            password_from_config: plan.infos.iter().any(|i| i.redis.password.is_some()),
            plan,
            keyring_asked: std::sync::atomic::AtomicBool::new(false),
            server,
            prefix: "samplemind:ai:".into(),
            conn: Mutex::new(None),
            state: Mutex::new(State::default()),
        })
    }

    /// The server refused us for want of a password, and neither the environment nor the
    /// URL gave one: ask the OS keyring once (account [`KEYRING_ACCOUNT`]), and when it holds
    /// one, use it from the next call on. Whether it did.
    fn password_from_keyring(&self, e: &redis::RedisError) -> bool {
        let wants_password = e.kind() == redis::ErrorKind::AuthenticationFailed
            || e.code()
                .is_some_and(|c| matches!(c, "NOAUTH" | "WRONGPASS"));
        if !wants_password
            || self.password_from_config
            || self
                .keyring_asked
                .swap(true, std::sync::atomic::Ordering::SeqCst)
        {
            return false;
        }
        let password = match super::keys::secret(KEYRING_ACCOUNT) {
            Ok(Some(pw)) => pw,
            Ok(None) => return false,
            Err(why) => {
                tracing::debug!("shared cache: no password from the OS keyring: {why}");
                return false;
            }
        };
        match self.plan.build(Some(password)) {
            Ok(b) => {
                *self.backend.lock().unwrap_or_else(|p| p.into_inner()) = b;
                tracing::info!("shared cache: using the password the OS keyring holds");
                true
            }
            Err(_) => false,
        }
    }

    /// The client `settings` name, or `None` when they name no server. Several URLs
    /// (comma-separated) or `cluster = true` mean a Redis Cluster.
    ///
    /// # Errors
    /// As [`SharedCache::new`]; for a cluster, also a URL naming a database other than 0.
    pub fn from_settings(settings: &SharedSettings) -> Option<Result<Self, AiError>> {
        let url = settings.redis.as_deref().filter(|u| !u.trim().is_empty())?;
        let timeout = Duration::from_millis(settings.timeout_ms.max(1));
        let ca = match &settings.ca_file {
            Some(path) => match std::fs::read(path) {
                Ok(pem) => Some(pem),
                Err(e) => {
                    return Some(Err(AiError::Config(format!(
                        "shared.ca_file: {}: {e}",
                        path.display()
                    ))))
                }
            },
            None => None,
        };
        Some(Self::open(url, settings.cluster, timeout, ca.as_deref()))
    }

    /// The client of `urls`: one server, or a cluster when `cluster` or when several
    /// (comma-separated) are named.
    ///
    /// # Errors
    /// As [`SharedCache::new`]; for a cluster, also a URL naming a database other than 0.
    pub fn from_urls(urls: &str, cluster: bool, timeout: Duration) -> Result<Self, AiError> {
        Self::open(urls, cluster, timeout, None)
    }

    /// As [`SharedCache::from_urls`], TLS servers checked against `ca_pem` when given.
    ///
    /// # Errors
    /// As [`SharedCache::from_urls`]; `ca_pem` holds no certificate.
    pub fn open(
        urls: &str,
        cluster: bool,
        timeout: Duration,
        ca_pem: Option<&[u8]>,
    ) -> Result<Self, AiError> {
        let seeds: Vec<&str> = urls
            .split(',')
            .map(str::trim)
            .filter(|u| !u.is_empty())
            .collect();
        match seeds.as_slice() {
            [one] if !cluster => Self::single(one, timeout, ca_pem),
            _ => Self::cluster(&seeds, timeout, ca_pem),
        }
    }

    /// This client for another kind of value: its keys live under `samplemind:{namespace}:`
    /// (answers under `ai`, analyses under `analysis`), with counters of their own.
    pub fn namespaced(mut self, namespace: &str) -> Self {
        self.prefix = format!("samplemind:{namespace}:");
        self
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Run `f` on the connection (made first if needed), bounded by the timeout. A failure
    /// drops the connection and marks the server down for [`RETRY_AFTER`].
    fn call<T>(
        &self,
        f: impl FnOnce(&mut dyn ConnectionLike) -> redis::RedisResult<T>,
    ) -> Result<T, AiError> {
        let resting = {
            let s = self.state();
            s.down_until
                .filter(|until| Instant::now() < *until)
                .map(|_| s.reason.clone().unwrap_or_default())
        };
        if let Some(why) = resting {
            return Err(AiError::Cache(format!("shared cache down: {why}")));
        }
        let mut conn = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        let started = Instant::now();
        let result = (|| {
            let c = match conn.as_mut() {
                Some(c) => c,
                None => {
                    let backend = self.backend.lock().unwrap_or_else(|p| p.into_inner());
                    conn.insert(backend.connect(self.plan.timeout)?)
                }
            };
            f(c.as_dyn())
        })();
        let mut s = self.state();
        match result {
            Ok(v) => {
                s.down_until = None;
                s.reason = None;
                s.latency_ms = Some(started.elapsed().as_secs_f64() * 1e3);
                Ok(v)
            }
            // The server answered, and refused this one command (full under `noeviction`,
            // a read-only replica): it is up, and reads go on; only this call failed.
            Err(e) if refused(&e) => {
                s.refused += 1;
                tracing::debug!("shared cache ({}): {}: {e}", self.prefix, self.server);
                Err(AiError::Cache(format!(
                    "shared cache: {}: {e}",
                    self.server
                )))
            }
            // Refused for want of a password the keyring held: the next call uses it.
            Err(e) if self.password_from_keyring(&e) => {
                *conn = None;
                Err(AiError::Cache(format!(
                    "shared cache: {}: {e}",
                    self.server
                )))
            }
            Err(e) => {
                *conn = None;
                let why = format!("{}: {e}", self.server);
                tracing::warn!("shared cache ({}): {why}", self.prefix);
                s.down_until = Some(Instant::now() + RETRY_AFTER);
                s.reason = Some(why.clone());
                Err(AiError::Cache(format!("shared cache: {why}")))
            }
        }
    }

    /// The key's hex in braces is its hash tag: in a cluster, the keys of one request (the
    /// value and its lease) hash to one slot.
    fn key(&self, key: &[u8; 32]) -> String {
        format!(
            "{}{{{}}}",
            self.prefix,
            blake3::Hash::from_bytes(*key).to_hex()
        )
    }

    /// The bytes stored under `key`, if any.
    ///
    /// # Errors
    /// [`AiError::Cache`] when the server cannot be reached or answers wrongly.
    pub fn get(&self, key: &[u8; 32]) -> Result<Option<Vec<u8>>, AiError> {
        let k = self.key(key);
        // GETRANGE reads at most MAX_VALUE + 1 bytes: one more than allowed says "too large".
        // A missing key reads as empty, and no stored entry is empty.
        let bytes: Vec<u8> = self.call(|c| {
            redis::cmd("GETRANGE")
                .arg(&k)
                .arg(0)
                .arg(MAX_VALUE)
                .query(c)
        })?;
        Ok((!bytes.is_empty()).then_some(bytes))
    }

    /// Store `value` under `key` for `ttl` (at least a millisecond: Redis refuses 0).
    ///
    /// # Errors
    /// [`AiError::Cache`] when the server cannot be reached or refuses (full, read-only).
    pub fn put(&self, key: &[u8; 32], value: &[u8], ttl: Duration) -> Result<(), AiError> {
        let k = self.key(key);
        self.call(|c| {
            redis::cmd("SET")
                .arg(&k)
                .arg(value)
                .arg("PX")
                .arg(millis(ttl))
                .query::<()>(c)
        })
    }

    /// Remove the value under `key`.
    ///
    /// # Errors
    /// [`AiError::Cache`] when the server cannot be reached.
    pub fn remove(&self, key: &[u8; 32]) -> Result<(), AiError> {
        let k = self.key(key);
        self.call(|c| redis::cmd("DEL").arg(&k).query::<()>(c))
    }

    /// Count a lookup: `hit` when the server held a value the local tier accepted.
    pub fn count(&self, hit: bool) {
        let due = {
            let mut s = self.state();
            if hit {
                s.hits += 1;
                s.pending[0] += 1;
            } else {
                s.misses += 1;
                s.pending[1] += 1;
            }
            s.stats_due()
        };
        if due {
            self.flush_stats();
        }
    }

    /// Add this process's counts since the last flush to the studio's, kept in Redis. Counts
    /// that fail to reach the server stay pending for the next flush.
    pub fn flush_stats(&self) {
        let pending = {
            let mut s = self.state();
            s.flushed_at = Some(Instant::now());
            std::mem::take(&mut s.pending)
        };
        if pending == [0; 3] {
            return;
        }
        let k = self.stats_key();
        // One call per counter that moved (a cluster's client routes a pipeline less
        // predictably, and this runs once per many lookups).
        for (i, (field, n)) in STATS_FIELDS.iter().zip(pending).enumerate() {
            if n == 0 {
                continue;
            }
            let sent = self.call(|c| {
                redis::cmd("HINCRBY")
                    .arg(&k)
                    .arg(*field)
                    .arg(n)
                    .query::<i64>(c)
            });
            if sent.is_err() {
                self.state().pending[i] += n;
            }
        }
    }

    /// Every machine's counts together (`None` when the server cannot say).
    fn studio_stats(&self) -> Option<StudioStats> {
        let k = self.stats_key();
        let fields: std::collections::HashMap<String, u64> =
            self.call(|c| redis::cmd("HGETALL").arg(&k).query(c)).ok()?;
        let get = |f: &str| fields.get(f).copied().unwrap_or(0);
        let (hits, misses) = (get("hits"), get("misses"));
        Some(StudioStats {
            hits,
            misses,
            rejected: get("rejected"),
            hit_rate: (hits + misses > 0).then(|| hits as f64 / (hits + misses) as f64),
        })
    }

    fn stats_key(&self) -> String {
        format!("{}stats", self.prefix)
    }

    /// Take the lease on `key` for `ttl` (`SET NX PX`): `Some` when this process now leads
    /// the studio's call for it, `None` when another holds it.
    ///
    /// # Errors
    /// [`AiError::Cache`] when the server cannot be reached.
    pub fn try_lease(&self, key: &[u8; 32], ttl: Duration) -> Result<Option<Lease>, AiError> {
        let token = lease_token();
        let k = self.lease_key(key);
        let taken: Option<String> = self.call(|c| {
            redis::cmd("SET")
                .arg(&k)
                .arg(&token)
                .arg("NX")
                .arg("PX")
                .arg(millis(ttl))
                .query(c)
        })?;
        Ok(taken.map(|_| {
            self.state().leases_led += 1;
            Lease { key: k, token }
        }))
    }

    /// Keep `lease` for another `ttl`, if it is still ours: a leader whose call is still
    /// running renews, one that died lets it expire.
    ///
    /// # Errors
    /// [`AiError::Cache`] when the server cannot be reached.
    pub fn renew(&self, lease: &Lease, ttl: Duration) -> Result<bool, AiError> {
        let kept: i64 = self.call(|c| {
            redis::cmd("EVAL")
                .arg(RENEW_IF_OURS)
                .arg(1)
                .arg(&lease.key)
                .arg(&lease.token)
                .arg(millis(ttl))
                .query(c)
        })?;
        Ok(kept == 1)
    }

    /// Give `lease` back (only if it is still ours: after an expiry another may hold it).
    ///
    /// # Errors
    /// [`AiError::Cache`] when the server cannot be reached.
    pub fn release(&self, lease: Lease) -> Result<(), AiError> {
        self.call(|c| {
            redis::cmd("EVAL")
                .arg(DELETE_IF_OURS)
                .arg(1)
                .arg(&lease.key)
                .arg(&lease.token)
                .query::<i64>(c)
        })
        .map(|_| ())
    }

    /// Whether anyone holds the lease on `key`.
    ///
    /// # Errors
    /// [`AiError::Cache`] when the server cannot be reached.
    pub fn leased(&self, key: &[u8; 32]) -> Result<bool, AiError> {
        let k = self.lease_key(key);
        self.call(|c| redis::cmd("EXISTS").arg(&k).query(c))
    }

    /// Count a request that waited for another's lease, and whether the leader's answer
    /// came.
    pub fn count_wait(&self, answered: bool) {
        let mut s = self.state();
        s.lease_waits += 1;
        if answered {
            s.lease_answers += 1;
        }
    }

    fn lease_key(&self, key: &[u8; 32]) -> String {
        format!("{}:lease", self.key(key))
    }

    /// Count a value the local tier dropped (it did not decode, or named another key).
    pub fn reject(&self) {
        let due = {
            let mut s = self.state();
            s.rejected += 1;
            s.pending[2] += 1;
            s.stats_due()
        };
        if due {
            self.flush_stats();
        }
    }

    /// How the tier is doing. Pings the server unless it is marked down, and reads the
    /// studio's counts (after adding this process's).
    pub fn health(&self) -> SharedHealth {
        let _ = self.call(|c| redis::cmd("PING").query::<String>(c));
        self.flush_stats();
        let studio = self.studio_stats();
        let memory = self
            .call(|c| redis::cmd("INFO").arg("memory").query::<String>(c))
            .ok();
        let field = |name: &str| {
            memory.as_deref().and_then(|m| {
                m.lines()
                    .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
                    .and_then(|v| v.trim().parse().ok())
            })
        };
        let (server_bytes, server_max_bytes) = (field("used_memory"), field("maxmemory"));
        let s = self.state();
        SharedHealth {
            backend: "redis",
            server: self.server.clone(),
            up: s.reason.is_none(),
            reason: s.reason.clone(),
            latency_ms: s.latency_ms,
            hits: s.hits,
            misses: s.misses,
            rejected: s.rejected,
            leases_led: s.leases_led,
            lease_waits: s.lease_waits,
            lease_answers: s.lease_answers,
            refused: s.refused,
            studio,
            server_bytes,
            server_max_bytes,
        }
    }
}

impl Drop for SharedCache {
    /// A process's last counts join the studio's (one bounded call, skipped while the
    /// server is marked down).
    fn drop(&mut self) {
        self.flush_stats();
    }
}

/// The counters every machine adds to, in this order in `State::pending`.
const STATS_FIELDS: [&str; 3] = ["hits", "misses", "rejected"];

/// Counts of every machine of the studio, kept in Redis.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct StudioStats {
    /// Lookups the server answered with a value that was accepted.
    pub hits: u64,
    /// Lookups it could not answer.
    pub misses: u64,
    /// Values dropped because they did not check.
    pub rejected: u64,
    /// `hits / (hits + misses)`, once there was a lookup.
    pub hit_rate: Option<f64>,
}

/// Whether the server itself refused the command (an error reply such as `OOM`,
/// `READONLY` or a cluster's `CLUSTERDOWN`), as opposed to a connection, timeout, protocol
/// or authentication failure: it is up, only not for this command now.
fn refused(e: &redis::RedisError) -> bool {
    e.code().is_some_and(|c| {
        matches!(
            c,
            "OOM" | "READONLY" | "BUSY" | "MASTERDOWN" | "CLUSTERDOWN" | "TRYAGAIN"
        )
    }) && !e.is_io_error()
}

/// `url` parsed, with the password from [`PASSWORD_ENV`] when set.
fn connection_info(url: &str) -> Result<redis::ConnectionInfo, AiError> {
    let mut info = url
        .into_connection_info()
        .map_err(|e| AiError::Config(format!("shared.redis: {e}")))?;
    if let Some(pw) = std::env::var(PASSWORD_ENV).ok().filter(|p| !p.is_empty()) {
        info.redis.password = Some(pw);
    }
    Ok(info)
}

/// Trust `pem`'s authorities (and only them) for TLS servers.
fn certificates(pem: &[u8]) -> redis::TlsCertificates {
    redis::TlsCertificates {
        client_tls: None,
        root_cert: Some(pem.to_vec()),
    }
}

/// The lease a process holds on one request while it asks upstream for the studio.
#[derive(Debug)]
pub struct Lease {
    key: String,
    token: String,
}

/// Only the holder renews or deletes a lease: after it expired another process may hold it.
const RENEW_IF_OURS: &str = "if redis.call('get', KEYS[1]) == ARGV[1] then \
    return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
const DELETE_IF_OURS: &str = "if redis.call('get', KEYS[1]) == ARGV[1] then \
    return redis.call('del', KEYS[1]) else return 0 end";

fn millis(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// A token no other lease holder has: this process, this moment, a counter.
fn lease_token() -> String {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut h = blake3::Hasher::new();
    h.update(&std::process::id().to_le_bytes());
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    h.update(&now.as_nanos().to_le_bytes());
    h.update(
        &NEXT
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .to_le_bytes(),
    );
    h.finalize().to_hex()[..32].to_string()
}

/// Analyses shared by content hash (issue 23): the scanner asks before it decodes. Every
/// failure is already logged and marks the server down for a while, so the scan just
/// goes on locally.
impl samplemind_library::AnalysisShare for SharedCache {
    fn fetch(&self, key: &[u8; 32]) -> Option<Vec<u8>> {
        self.get(key).ok().flatten()
    }

    fn publish(&self, key: &[u8; 32], value: &[u8]) {
        let _ = self.put(key, value, ANALYSIS_TTL);
    }

    fn count(&self, hit: bool) {
        SharedCache::count(self, hit);
    }

    fn reject(&self, key: &[u8; 32]) {
        SharedCache::reject(self);
        let _ = self.remove(key);
    }

    fn claim(&self, key: &[u8; 32], ttl: Duration) -> samplemind_library::share::Claim {
        use samplemind_library::share::Claim;
        match self.try_lease(key, ttl) {
            Ok(Some(lease)) => Claim::Mine(lease.token),
            Ok(None) => Claim::Theirs,
            Err(_) => Claim::Unknown,
        }
    }

    fn claimed(&self, key: &[u8; 32]) -> Option<bool> {
        self.leased(key).ok()
    }

    fn release(&self, key: &[u8; 32], token: &str) {
        let _ = SharedCache::release(
            self,
            Lease {
                key: self.lease_key(key),
                token: token.to_string(),
            },
        );
    }
}
