//! The language-model layer: provider status, describe a sample, ask, and read a search in
//! words into filters.

use samplemind::ai::{uses, AskOptions, ChatRequest, Locality, Message};
use tauri::State;

use super::blocking;
use crate::dto::{AiStatus, CacheFigures, PageQuery, ParsedQuery, ProviderRow, SampleDetail};
use crate::error::CmdResult;
use crate::state::Shared;

/// Providers in routing order and the cache's figures.
#[tauri::command]
#[specta::specta]
pub async fn ai_status(state: State<'_, Shared>) -> CmdResult<AiStatus> {
    let router = state.router()?;
    let s = router.cache().map(|c| c.stats()).unwrap_or_default();
    Ok(AiStatus {
        providers: router
            .status()
            .into_iter()
            .map(|p| ProviderRow {
                name: p.name,
                local: p.locality == Locality::Local,
                enabled: p.enabled,
                circuit_open: p.circuit_open,
                latency_ms: p.latency_ms,
            })
            .collect(),
        cache: CacheFigures {
            hits: s.hits as f64,
            misses: s.misses as f64,
            hit_rate: s.hit_rate,
            entries: s.entries as f64,
            bytes: s.bytes as f64,
        },
        cloud_enabled: state.settings().ai.cloud,
    })
}

/// Describe sample `id` with a language model (tags and one line), stored in the library.
#[tauri::command]
#[specta::specta]
pub async fn ai_describe(state: State<'_, Shared>, id: String) -> CmdResult<SampleDetail> {
    let router = state.router()?;
    let (path, rec) = state.sample(&id)?;
    let d = uses::describe(&router, &path, &rec.analysis, &AskOptions::default()).await?;
    blocking(&state, move |st| {
        let mut rec = rec;
        rec.ai = Some(d);
        st.lib.put_sample(&rec)?;
        st.touch();
        Ok(SampleDetail::of(&path, &rec))
    })
    .await
}

/// Ask the language model anything; the answer comes from the cache when it was asked
/// before.
#[tauri::command]
#[specta::specta]
pub async fn ai_ask(state: State<'_, Shared>, prompt: String) -> CmdResult<String> {
    let router = state.router()?;
    let req = ChatRequest {
        task: "ask".into(),
        messages: vec![Message::user(prompt)],
        max_tokens: Some(256),
        ..ChatRequest::default()
    };
    Ok(router.chat(&req, &AskOptions::default()).await?.text)
}

/// Read a search in words ("dark punchy kick around 128 bpm in A minor") into filters and
/// words: rules first, the language model for what they leave.
#[tauri::command]
#[specta::specta]
pub async fn ai_parse_search(state: State<'_, Shared>, text: String) -> CmdResult<ParsedQuery> {
    let (p, err) = match state.router() {
        Ok(router) => {
            let (p, e) = uses::parse_search(&router, &text, &AskOptions::default()).await;
            (p, e.map(|e| e.to_string()))
        }
        Err(e) => (uses::parse_search_rules(&text), Some(e.message)),
    };
    Ok(ParsedQuery {
        query: PageQuery {
            text: (!p.words.is_empty()).then(|| p.words.join(" ")),
            bpm_min: p.bpm.map(|b| b.0),
            bpm_max: p.bpm.map(|b| b.1),
            key: p.key,
            category: p.category,
            is_loop: p.is_loop,
            ..PageQuery::default()
        },
        model_error: err,
    })
}
