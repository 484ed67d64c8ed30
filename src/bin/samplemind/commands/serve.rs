//! `samplemind serve`.

use std::net::SocketAddr;
use std::sync::Arc;

use samplemind::api::{serve, ApiState};
use samplemind::ml::Models;
use samplemind::Library;

use super::{Error, Outcome};
use crate::cli::ServeArgs;

pub fn run(lib: Library, args: ServeArgs, models: Option<Arc<Models>>) -> Result<Outcome, Error> {
    let settings = samplemind::config::Settings::load()?;
    let home = samplemind::config::home_dir();
    let ai = match samplemind::ai::setup::router(
        &settings.ai,
        &settings.shared,
        &samplemind::config::ai_cache_dir(),
        models.clone(),
    ) {
        Ok(r) => Some(Arc::new(r)),
        Err(e) => {
            tracing::warn!("language models off: {e}");
            None
        }
    };
    let state = Arc::new(ApiState::new(lib, settings, models, ai, &home)?);
    if !args.host.is_loopback() {
        tracing::warn!(
            "serving on {}: the library is reachable from the network (with the token)",
            args.host
        );
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(serve(
        state,
        SocketAddr::new(args.host, args.port),
        |addr| {
            // The first line, for scripts (and tests) that asked for port 0.
            println!("listening on http://{addr}");
            eprintln!(
                "samplemind: token in {}",
                home.join(samplemind::api::TOKEN_FILE).display()
            );
        },
    ))?;
    Ok(Outcome::Clean)
}
