//! Coalescing across processes and machines (issue 23): of the studio's identical cold
//! requests, one makes the upstream call.
//!
//! [`super::coalesce`] groups the identical requests of one process. Their leader then takes
//! a lease on the request in the shared Redis (`SET NX PX`): the process that holds it asks
//! upstream, stores the answer (which reaches Redis) and gives the lease back; the others
//! poll for that answer, with a growing pause, while the lease lives. The leader renews its
//! lease while its call runs, so a leader that dies frees the request within [`LEASE_TTL`];
//! a leader that fails stores nothing (a failure is never cached), gives the lease back, and
//! a waiter takes it and asks itself. Polling rather than pub/sub keeps one blocking
//! connection per process and needs nothing Redis Cluster handles differently; a waiter's
//! extra latency is at most one pause ([`MAX_PAUSE`]).
//!
//! Redis down or lost mid-wait: every process goes on alone, as without a shared tier.

use std::future::Future;
use std::time::{Duration, Instant};

use super::cache::{AiCache, CacheKey};
use super::shared::{Lease, SharedCache};
use super::types::ChatResponse;
use super::AiError;

/// How long a lease lives unless renewed: how long a dead leader can hold the studio up.
pub const LEASE_TTL: Duration = Duration::from_secs(10);
/// The longest pause between a waiter's looks.
pub const MAX_PAUSE: Duration = Duration::from_millis(25);
/// The longest a request waits for other leaders, lease after lease, before it asks itself.
pub const MAX_WAIT: Duration = Duration::from_secs(300);

/// Where a process's request stands with the studio.
#[derive(Debug)]
pub enum Turn {
    /// This process holds the lease: it asks upstream, stores the answer, then gives the
    /// lease back.
    Lead(Lease),
    /// Another process answered it (the answer is kept here too).
    Answered(ChatResponse),
    /// Redis cannot say (down, or the wait ran out): this process asks alone.
    Alone,
}

/// Take the studio's lease on the request under `key`, or wait for the process that holds
/// it: its answer, or the lease once it is freed without one.
pub async fn lead_or_wait(cache: &AiCache, shared: &SharedCache, key: &CacheKey) -> Turn {
    let deadline = Instant::now() + MAX_WAIT;
    // Redis unreachable: this process asks itself.
    while let Ok(taken) = shared.try_lease(&key.0, LEASE_TTL) {
        if let Some(lease) = taken {
            // A leader that finished between our look and our lease has answered already.
            if let Some(answer) = cache.awaited(key) {
                let _ = shared.release(lease);
                return Turn::Answered(answer);
            }
            return Turn::Lead(lease);
        }
        match wait_for_leader(cache, shared, key, deadline).await {
            Waited::Answer(answer) => {
                shared.count_wait(true);
                return Turn::Answered(answer);
            }
            Waited::LeaseFreed => shared.count_wait(false),
            Waited::GiveUp => {
                shared.count_wait(false);
                break;
            }
        }
    }
    Turn::Alone
}

/// The answer to the request under `key` (asked for `task`, kept for `ttl`), asking
/// upstream through `call` only when this process holds the studio's lease on it (or Redis
/// cannot be reached). Either way the answer ends up in `cache`, and from there in Redis.
///
/// # Errors
/// The upstream call's error, when this process made it.
pub async fn once_for_studio<F, Fut>(
    cache: &AiCache,
    shared: &SharedCache,
    key: &CacheKey,
    (task, ttl): (&str, Option<Duration>),
    call: F,
) -> Result<ChatResponse, AiError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<ChatResponse, AiError>>,
{
    match lead_or_wait(cache, shared, key).await {
        Turn::Answered(answer) => Ok(answer),
        Turn::Lead(lease) => {
            let result = renewing(shared, &lease, call()).await;
            // Stored (and published) before the lease goes: a waiter that finds the lease
            // gone and no answer knows the leader failed.
            keep(cache, key, (task, ttl), &result);
            let _ = shared.release(lease);
            result
        }
        Turn::Alone => {
            let result = call().await;
            keep(cache, key, (task, ttl), &result);
            result
        }
    }
}

/// The lease a streamed answer holds while it is told: renewed as its events pass, given
/// back once the answer is stored, or when the stream fails or is dropped (then a waiter
/// asks itself).
pub struct StreamLease {
    cache: AiCache,
    lease: Option<Lease>,
    renewed: Instant,
}

impl std::fmt::Debug for StreamLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamLease").finish_non_exhaustive()
    }
}

impl StreamLease {
    /// Hold `lease` (taken on `cache`'s shared tier) for a stream.
    pub fn new(cache: AiCache, lease: Lease) -> Self {
        Self {
            cache,
            lease: Some(lease),
            renewed: Instant::now(),
        }
    }

    /// An event passed: renew the lease once a third of its life has gone.
    pub fn tick(&mut self) {
        if self.renewed.elapsed() < LEASE_TTL / 3 {
            return;
        }
        if let (Some(s), Some(l)) = (self.cache.shared(), &self.lease) {
            let _ = s.renew(l, LEASE_TTL);
        }
        self.renewed = Instant::now();
    }

    /// Give the lease back (after the answer is stored).
    pub fn release(&mut self) {
        if let (Some(s), Some(l)) = (self.cache.shared(), self.lease.take()) {
            let _ = s.release(l);
        }
    }
}

impl Drop for StreamLease {
    fn drop(&mut self) {
        self.release();
    }
}

/// Store an answer (never a failure).
fn keep(
    cache: &AiCache,
    key: &CacheKey,
    (task, ttl): (&str, Option<Duration>),
    result: &Result<ChatResponse, AiError>,
) {
    if let Ok(resp) = result {
        if let Err(e) = cache.put(key, task, resp, ttl) {
            tracing::warn!("{e}");
        }
    }
}

/// Run `call`, renewing `lease` every third of its life while it runs.
async fn renewing<Fut>(
    shared: &SharedCache,
    lease: &Lease,
    call: Fut,
) -> Result<ChatResponse, AiError>
where
    Fut: Future<Output = Result<ChatResponse, AiError>>,
{
    let every = LEASE_TTL / 3;
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    tokio::pin!(call);
    loop {
        tokio::select! {
            result = &mut call => return result,
            _ = tick.tick() => {
                let _ = shared.renew(lease, LEASE_TTL);
            }
        }
    }
}

enum Waited {
    Answer(ChatResponse),
    /// The lease is gone and no answer came: the leader failed or died.
    LeaseFreed,
    /// Redis stopped answering, or [`MAX_WAIT`] passed.
    GiveUp,
}

async fn wait_for_leader(
    cache: &AiCache,
    shared: &SharedCache,
    key: &CacheKey,
    deadline: Instant,
) -> Waited {
    let mut pause = Duration::from_millis(1);
    loop {
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(MAX_PAUSE);
        if let Some(answer) = cache.awaited(key) {
            return Waited::Answer(answer);
        }
        match shared.leased(&key.0) {
            Ok(true) if Instant::now() < deadline => {}
            // The leader stores its answer before it gives the lease back.
            Ok(false) => {
                return match cache.awaited(key) {
                    Some(answer) => Waited::Answer(answer),
                    None => Waited::LeaseFreed,
                }
            }
            Ok(true) | Err(_) => return Waited::GiveUp,
        }
    }
}
