//! The SampleMind desktop app: a thin Tauri shell over the `samplemind` core.
//!
//! Commands (`commands/<feature>.rs`) are short calls into the core; events (`events.rs`)
//! carry progress and facts to the UI; `error.rs` turns every failure into `{ kind, message }`.
//! [`specta_builder`] lists every command and event once: Tauri's handler and the UI's
//! TypeScript bindings (`ui/src/bindings.gen.ts`, checked by a test) both come from it.

pub mod commands;
pub mod dto;
pub mod error;
pub mod events;
pub mod panel;
pub mod state;
pub mod watcher;

use std::sync::Arc;

use tauri::{DragDropEvent, Manager, WindowEvent};
use tauri_specta::{collect_commands, collect_events, Builder, Event};

use crate::events::DropHover;
use crate::state::{AppState, Shared};

/// Where the generated TypeScript bindings live, relative to this crate.
pub const BINDINGS_PATH: &str = "../ui/src/bindings.gen.ts";

/// Every command and event of the app.
pub fn specta_builder() -> Builder<tauri::Wry> {
    Builder::<tauri::Wry>::new()
        .commands(collect_commands![
            commands::library::search_samples,
            commands::library::get_sample,
            commands::library::sample_facets,
            commands::library::list_folders,
            commands::library::sample_peaks,
            commands::library::correct_bpm,
            commands::library::correct_category,
            commands::library::correct_key,
            commands::library::correct_root,
            commands::library::correct_loop,
            commands::library::similar_samples,
            commands::library::export_midi,
            commands::marks::mark_sample,
            commands::marks::mark_samples,
            commands::marks::correct_samples_category,
            commands::marks::list_collections,
            commands::marks::add_to_collection,
            commands::marks::remove_from_collection,
            commands::marks::collection_samples,
            commands::marks::delete_collection,
            commands::marks::list_duplicates,
            commands::marks::keep_duplicate,
            commands::marks::suggest_kit,
            commands::marks::set_kit_pad,
            commands::marks::export_kit,
            commands::tidy::export_samples,
            commands::tidy::offline_folders,
            commands::tidy::relink_folder,
            commands::scan::scan_paths,
            commands::scan::rescan_library,
            commands::scan::cancel_scan,
            commands::audio::play_sample,
            commands::audio::stop_audio,
            commands::audio::get_project,
            commands::audio::set_project,
            commands::audio::render_heard,
            commands::audio::start_pads,
            commands::audio::stop_pads,
            commands::audio::audio_state,
            commands::audio::list_devices,
            commands::record::start_recording,
            commands::record::stop_recording,
            commands::record::find_by_sound,
            commands::ai::ai_status,
            commands::ai::ai_describe,
            commands::ai::ai_ask,
            commands::ai::ai_parse_search,
            commands::settings::get_settings,
            commands::settings::save_settings,
            commands::settings::set_api_key,
            commands::settings::delete_api_key,
            commands::health::health,
            commands::api::start_api,
            commands::api::api_status,
        ])
        .events(collect_events![
            events::ScanProgress,
            events::SampleAnalysed,
            events::ScanFileFailed,
            events::ScanFinished,
            events::DropHover,
            events::InputLevel,
            events::TakeRecorded,
            events::FolderChanged,
        ])
        // The category taxonomy, from the engine: the UI's category filter lists it.
        .constant("CATEGORIES", samplemind::analysis::classify::CATEGORIES)
}

/// The TypeScript bindings as the builder writes them.
///
/// # Errors
/// When specta cannot express a type in TypeScript.
pub fn bindings() -> Result<String, String> {
    let dir = tempfile_dir()?;
    let path = dir.join("bindings.gen.ts");
    specta_builder()
        .export(ts_exporter(), &path)
        .map_err(|e| e.to_string())?;
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(text)
}

fn tempfile_dir() -> Result<std::path::PathBuf, String> {
    // One folder per call: two exports at once (tests on threads) must not share, or one
    // removes the other's file before it is read.
    static CALLS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("samplemind-bindings-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    Ok(dir)
}

fn ts_exporter() -> specta_typescript::Typescript {
    specta_typescript::Typescript::default()
        .header("// Generated by src-tauri (`specta_builder`): do not edit. A test fails when it is stale.\n// @ts-nocheck\n")
        .bigint(specta_typescript::BigIntExportBehavior::Fail)
}

/// The ONNX runtime and models the packages install (`bundle.resources` of
/// `src-tauri/bundle-ml.json`, under `ml/`): `/usr/lib/SampleMind/ml` from the .deb or .rpm.
/// Tauri's own rule finds the resource folder on each platform, and a cargo build finds
/// none, so a developer's source tree (`vendor/ml`) is used as before.
fn bundled_ml_dir(package: &tauri::PackageInfo) -> Option<std::path::PathBuf> {
    let dir = tauri::utils::platform::resource_dir(package, &tauri::Env::default())
        .ok()?
        .join("ml");
    dir.is_dir().then_some(dir)
}

/// WebKitGTK draws without accelerated compositing unless the user asked otherwise
/// (`WEBKIT_DISABLE_COMPOSITING_MODE=0` turns it back on). With a 10,000-sample library it
/// cut the web process's memory by about 80 MiB of the app's ~390 (BENCHMARKS.md: no GL
/// driver, no GPU tiles), and the table kept scrolling at 60 fps: the UI is a dense table
/// with no WebGL and no 3D transforms, so the GPU buys it nothing. Set before anything else
/// runs: the web process inherits the environment, and no other thread exists yet.
#[cfg(target_os = "linux")]
fn prefer_software_compositing() {
    const VAR: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";
    if std::env::var_os(VAR).is_none() {
        std::env::set_var(VAR, "1");
    }
}

/// Start the app.
/// After a repair at start, scan again the folders the library held, in the background and
/// with the usual progress events: the table fills as it would after a drop.
fn rescan_after_repair(app: tauri::AppHandle, state: Shared) {
    let roots = std::mem::take(
        &mut *state
            .rescan_after_repair
            .lock()
            .unwrap_or_else(|p| p.into_inner()),
    );
    if roots.is_empty() {
        return;
    }
    std::thread::spawn(move || {
        if let Err(e) = commands::scan::run_scan(&app, &state, roots) {
            tracing::warn!("the rescan after the repair failed: {}", e.message);
        }
        watcher::restart(&app, &state);
    });
}

pub fn run() {
    #[cfg(target_os = "linux")]
    prefer_software_compositing();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SAMPLEMIND_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("samplemind=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let builder = specta_builder();
    let context = tauri::generate_context!("../tauri.conf.json");
    let state: Shared = match AppState::open(bundled_ml_dir(context.package_info())) {
        Ok(s) => Arc::new(s),
        Err(e) => {
            eprintln!("samplemind-app: {e}");
            std::process::exit(2);
        }
    };
    let after_repair = Arc::clone(&state);
    let result = tauri::Builder::default()
        .manage(state)
        .invoke_handler(builder.invoke_handler())
        .setup(move |app| {
            builder.mount_events(app);
            watcher::restart(app.handle(), &after_repair);
            rescan_after_repair(app.handle().clone(), after_repair);
            Ok(())
        })
        .on_window_event(|window, event| {
            // Files dropped on the window are scanned by the core directly: the UI never
            // needs file-system access, only the progress events.
            if let WindowEvent::DragDrop(dd) = event {
                let app = window.app_handle().clone();
                match dd {
                    DragDropEvent::Enter { .. } | DragDropEvent::Over { .. } => {
                        let _ = DropHover { active: true }.emit(&app);
                    }
                    DragDropEvent::Leave => {
                        let _ = DropHover { active: false }.emit(&app);
                    }
                    DragDropEvent::Drop { paths, .. } => {
                        let _ = DropHover { active: false }.emit(&app);
                        let paths = paths.clone();
                        let st: Shared = app.state::<Shared>().inner().clone();
                        tauri::async_runtime::spawn_blocking(move || {
                            if let Err(e) = commands::scan::run_scan(&app, &st, paths) {
                                tracing::warn!("scan of dropped files: {e}");
                            }
                            // A dropped folder is one of the library's now: watch it too.
                            watcher::restart(&app, &st);
                        });
                    }
                    _ => {}
                }
            }
        })
        .run(context);
    if let Err(e) = result {
        eprintln!("samplemind-app: {e}");
        std::process::exit(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The UI's types are generated from the Rust types; CI fails when they drift.
    /// `SAMPLEMIND_WRITE_BINDINGS=1 cargo test -p samplemind-app` rewrites them.
    #[test]
    fn typescript_bindings_are_current() {
        let fresh = bindings().expect("bindings export");
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(BINDINGS_PATH);
        if std::env::var_os("SAMPLEMIND_WRITE_BINDINGS").is_some() {
            std::fs::write(&path, &fresh).expect("write bindings");
            return;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} is stale: run `SAMPLEMIND_WRITE_BINDINGS=1 cargo test -p samplemind-app`",
            path.display()
        );
    }

    #[test]
    fn every_command_is_in_the_bindings() {
        let b = bindings().expect("bindings export");
        for name in [
            "searchSamples",
            "playSample",
            "scanPaths",
            "aiParseSearch",
            "health",
        ] {
            assert!(b.contains(&format!("async {name}(")), "{name} missing");
        }
        for ev in ["scanProgress", "dropHover", "inputLevel"] {
            assert!(b.contains(ev), "event {ev} missing");
        }
    }
}
