//! Start the local HTTP API from the app (the same server as `samplemind serve`), over the
//! app's own library and AI router: sled allows one opener per process, so the app shares
//! what it holds.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::Arc;

use samplemind_api::ApiState;
use tauri::State;

use crate::dto::ApiStatus;
use crate::error::{AppError, CmdResult, ErrorKind};
use crate::state::Shared;

/// Start the API on 127.0.0.1:`port` (0 picks a free one); returns where it listens. A second
/// call returns the running server's address.
#[tauri::command]
#[specta::specta]
pub async fn start_api(state: State<'_, Shared>, port: u16) -> CmdResult<ApiStatus> {
    if let Some(s) = state.api.lock().ok().and_then(|a| a.clone()) {
        return Ok(s);
    }
    let home = samplemind::config::home_dir();
    let api = ApiState::new(
        state.lib.clone(),
        state.settings(),
        state.models.clone(),
        state.router().ok(),
        &home,
    )
    .map_err(|e| AppError::new(ErrorKind::Other, format!("API token: {e}")))?;
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let bound = samplemind_api::start(Arc::new(api), addr)
        .await
        .map_err(|e| AppError::new(ErrorKind::Other, format!("cannot listen on {addr}: {e}")))?;
    let status = ApiStatus {
        url: format!("http://{bound}"),
        token_file: home.join(samplemind_api::TOKEN_FILE).display().to_string(),
    };
    if let Ok(mut a) = state.api.lock() {
        *a = Some(status.clone());
    }
    Ok(status)
}

/// Where the API listens, when it was started.
#[tauri::command]
#[specta::specta]
pub async fn api_status(state: State<'_, Shared>) -> CmdResult<Option<ApiStatus>> {
    Ok(state.api.lock().ok().and_then(|a| a.clone()))
}
