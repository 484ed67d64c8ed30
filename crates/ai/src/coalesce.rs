//! Request coalescing: identical requests in flight share one upstream call.
//!
//! The first caller of a key becomes the leader and makes the call; later callers of the same
//! key wait for the leader's result. A failure reaches only the callers waiting at that moment
//! (the next caller starts afresh), and a leader that is dropped mid-call (cancelled) releases
//! its followers with [`AiError::Cancelled`] instead of leaving them hanging.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio::sync::oneshot;

use super::cache::CacheKey;
use super::types::ChatResponse;
use super::AiError;

type Waiters = Vec<oneshot::Sender<Result<ChatResponse, AiError>>>;

/// The requests in flight.
#[derive(Debug, Default)]
pub struct Coalescer {
    inflight: Mutex<HashMap<CacheKey, Waiters>>,
}

/// What a caller of [`Coalescer::join`] is.
#[derive(Debug)]
pub enum Turn<'a> {
    /// Make the call, then [`Leader::finish`].
    Leader(Leader<'a>),
    /// Wait for the leader's result.
    Follower(oneshot::Receiver<Result<ChatResponse, AiError>>),
}

/// The caller that makes the upstream call for a key.
#[derive(Debug)]
pub struct Leader<'a> {
    owner: &'a Coalescer,
    key: CacheKey,
    finished: bool,
}

impl Coalescer {
    /// Join the group of `key`: lead it if nobody is in flight, else follow.
    pub fn join(&self, key: CacheKey) -> Turn<'_> {
        let mut map = self.inflight.lock().unwrap_or_else(|p| p.into_inner());
        match map.get_mut(&key) {
            Some(waiters) => {
                let (tx, rx) = oneshot::channel();
                waiters.push(tx);
                Turn::Follower(rx)
            }
            None => {
                map.insert(key, Vec::new());
                Turn::Leader(Leader {
                    owner: self,
                    key,
                    finished: false,
                })
            }
        }
    }

    /// Keys in flight.
    pub fn in_flight(&self) -> usize {
        self.inflight.lock().map(|m| m.len()).unwrap_or(0)
    }

    fn release(&self, key: &CacheKey, result: Result<ChatResponse, AiError>) {
        let waiters = self
            .inflight
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key)
            .unwrap_or_default();
        for w in waiters {
            let mut r = result.clone();
            if let Ok(resp) = &mut r {
                // Followers did not wait for a cache, but neither did they pay for a call.
                resp.cached = false;
            }
            let _ = w.send(r);
        }
    }
}

impl Leader<'_> {
    /// Hand `result` to every follower and close the group.
    pub fn finish(mut self, result: &Result<ChatResponse, AiError>) {
        self.finished = true;
        self.owner.release(&self.key, result.clone());
    }
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        if !self.finished {
            self.owner.release(&self.key, Err(AiError::Cancelled));
        }
    }
}
