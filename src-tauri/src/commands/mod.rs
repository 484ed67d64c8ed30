//! Commands, one module per feature. Each is a short call into `samplemind::…`: parse the
//! request, run the core on a worker thread (never the UI thread), map the answer.

pub mod ai;
pub mod api;
pub mod audio;
pub mod health;
pub mod library;
pub mod marks;
pub mod record;
pub mod scan;
pub mod settings;
pub mod tidy;

use crate::error::{joined, CmdResult};
use crate::state::{AppState, Shared};

/// Run blocking core work off the async runtime's threads.
pub(crate) async fn blocking<T: Send + 'static>(
    state: &Shared,
    f: impl FnOnce(&AppState) -> CmdResult<T> + Send + 'static,
) -> CmdResult<T> {
    let st = state.clone();
    tauri::async_runtime::spawn_blocking(move || f(&st))
        .await
        .map_err(joined)?
}
