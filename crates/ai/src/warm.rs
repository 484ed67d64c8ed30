//! Cache warming: describe the samples that have no description yet, and pre-answer the
//! searches producers type most, so that the answers are there before they are asked.
//! `simulate` walks the same path and calls nobody: it reports what would be asked, of whom,
//! and the estimated cost.

use serde::Serialize;

use super::router::{AskOptions, Router};
use super::uses::{describe, describe_request, parse_search, parse_search_request};
use samplemind_library::Library;

/// Searches worth reading ahead of time: the common shapes of a producer's query.
pub const COMMON_SEARCHES: &[&str] = &[
    "dark punchy kick",
    "tight snare",
    "crispy hi hats",
    "808 bass",
    "deep sub bass",
    "warm pad",
    "ambient texture",
    "vocal chop",
    "lofi keys loop",
    "trap drum loop 140 bpm",
    "house drum loop 124 bpm",
    "dnb break 174 bpm",
    "riser fx",
    "clap with reverb",
    "acoustic guitar loop",
    "piano chords in C major",
];

/// One request warming makes (or, simulated, would make).
#[derive(Debug, Clone, Serialize)]
pub struct WarmItem {
    /// `describe` or `parse-search`.
    pub task: String,
    /// The sample's path, or the search.
    pub subject: String,
    /// The provider asked first; `None` when the cache already has the answer.
    pub provider: Option<String>,
    /// Estimated cost, US dollars.
    pub cost_usd: f64,
    /// Why it failed, when it did (not simulated).
    pub error: Option<String>,
}

/// What warming did (or would do).
#[derive(Debug, Clone, Default, Serialize)]
pub struct WarmReport {
    /// Nothing was called.
    pub simulated: bool,
    /// Every request, in order.
    pub items: Vec<WarmItem>,
    /// Requests the cache already answers.
    pub already_cached: usize,
    /// Requests that go (or would go) to a provider.
    pub calls: usize,
    /// Sum of the estimated costs, US dollars.
    pub total_cost_usd: f64,
    /// Requests that failed.
    pub failed: usize,
}

/// Warm the cache for `lib`: descriptions of samples without one (stored in the library), then
/// [`COMMON_SEARCHES`]. With `simulate`, nothing is called and nothing is stored.
pub async fn warm(router: &Router, lib: &Library, simulate: bool) -> WarmReport {
    let mut report = WarmReport {
        simulated: simulate,
        ..WarmReport::default()
    };
    let opts = AskOptions::default();
    let (entries, _) = lib.entries();
    let mut seen = std::collections::HashSet::new();
    for e in entries {
        let Some(mut rec) = e.sample else { continue };
        if rec.ai.is_some() || !seen.insert(rec.hash) {
            continue;
        }
        let req = describe_request(&e.path, &rec.analysis);
        let mut item = plan_item(
            router,
            "describe",
            e.path.display().to_string(),
            &req,
            &opts,
        );
        if !simulate && item.error.is_none() {
            match describe(router, &e.path, &rec.analysis, &opts).await {
                Ok(d) => {
                    rec.ai = Some(d);
                    if let Err(err) = lib.put_sample(&rec) {
                        item.error = Some(err.to_string());
                    }
                }
                Err(err) => item.error = Some(err.to_string()),
            }
        }
        report.push(item);
    }
    for q in COMMON_SEARCHES {
        let req = parse_search_request(q);
        let mut item = plan_item(router, "parse-search", q.to_string(), &req, &opts);
        if !simulate && item.error.is_none() && item.provider.is_some() {
            if let (_, Some(err)) = parse_search(router, q, &opts).await {
                item.error = Some(err.to_string());
            }
        }
        report.push(item);
    }
    report
}

fn plan_item(
    router: &Router,
    task: &str,
    subject: String,
    req: &super::ChatRequest,
    opts: &AskOptions,
) -> WarmItem {
    let (provider, cost_usd, error) = match router.plan(req, opts) {
        Ok(None) => (None, 0.0, None),
        Ok(Some((p, c))) => (Some(p), c, None),
        Err(e) => (None, 0.0, Some(e.to_string())),
    };
    WarmItem {
        task: task.to_string(),
        subject,
        provider,
        cost_usd,
        error,
    }
}

impl WarmReport {
    fn push(&mut self, item: WarmItem) {
        if item.error.is_some() {
            self.failed += 1;
        } else if item.provider.is_none() {
            self.already_cached += 1;
        } else {
            self.calls += 1;
            self.total_cost_usd += item.cost_usd;
        }
        self.items.push(item);
    }
}
