//! The language-model layer: provider status, describe a sample, ask, and read a search in
//! words into filters.

use samplemind::ai::{uses, AskOptions, ChatRequest, Message};
use tauri::State;

use super::blocking;
use crate::dto::{AiStatus, ParsedQuery, SampleDetail};
use crate::error::CmdResult;
use crate::state::Shared;

/// Providers in routing order and the cache's figures.
#[tauri::command]
#[specta::specta]
pub async fn ai_status(state: State<'_, Shared>) -> CmdResult<AiStatus> {
    let router = state.router()?;
    Ok(AiStatus::of(&router, state.settings().ai.cloud))
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
        Ok(SampleDetail::of(&st.lib, &path, &rec))
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
        query: p.page_query(),
        model_error: err,
    })
}
