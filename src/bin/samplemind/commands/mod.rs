//! One module per subcommand; each is a thin call into `samplemind::…`.

mod ai;
mod analyze;
mod bench;
mod collection;
mod correct;
#[cfg(feature = "device")]
mod device;
mod duplicates;
mod export;
mod kit;
mod mark;
mod midi;
mod repair;
mod scan;
mod search;
mod serve;
mod similar;
mod stats;
mod watch;
mod welcome;

use std::sync::Arc;

use samplemind::ml::Models;

use samplemind::Library;

use crate::cli::{Cli, Command};

/// How a command that ran went.
pub enum Outcome {
    /// Everything worked.
    Clean,
    /// Some files failed (they were reported); the rest was done.
    SomeFailed,
}

/// Errors that stop a command.
pub type Error = Box<dyn std::error::Error>;

/// Run the parsed command line.
pub fn run(cli: Cli) -> Result<Outcome, Error> {
    let open = || -> Result<Library, Error> {
        let dir = samplemind::config::library_dir(cli.library.clone());
        Ok(Library::open(&dir)?)
    };
    // Commands that only read still work on a full disk (from a scratch copy).
    let open_to_read = || -> Result<Library, Error> {
        let dir = samplemind::config::library_dir(cli.library.clone());
        Ok(Library::open_for_reading(&dir)?)
    };
    let models = || models(cli.no_models);
    let Some(command) = cli.command else {
        return welcome::run(cli.library);
    };
    match command {
        Command::Scan(a) => scan::run(&open()?, a, models()?),
        Command::Analyze(a) => analyze::run(a, models()?),
        Command::Similar(a) => similar::run(&open_to_read()?, a, models()?),
        Command::Correct(a) => correct::run(&open()?, a),
        Command::Mark(a) => mark::run(&open()?, a),
        Command::Relink { from, to, json } => {
            let lib = open()?;
            // Files new to the library at the new place are analysed as a scan would.
            let mut opts = samplemind::library::ScanOptions::default();
            opts.analysis.models = models()?;
            let r = samplemind::library::drives::relink(&lib, &from, &to, &opts, &mut |_| {})?;
            // The config's library folders follow, so that a rescan and the API's folder rule
            // know the new place.
            let mut settings = samplemind::config::Settings::load()?;
            let new_place = std::fs::canonicalize(&to).unwrap_or_else(|_| to.clone());
            if settings.relink_folder(&from, &new_place) {
                settings.save_to(
                    &samplemind::config::home_dir().join(samplemind::config::CONFIG_FILE),
                )?;
            }
            if json {
                println!("{}", serde_json::to_string(&r)?);
            } else {
                println!(
                    "{} of the {} paths under {} found again under {} ({} analysed, {} failed)",
                    r.relinked,
                    r.old_paths,
                    from.display(),
                    to.display(),
                    r.scan.analysed,
                    r.scan.failures.len()
                );
            }
            Ok(Outcome::Clean)
        }
        Command::Duplicates(a) => duplicates::run(&open()?, a),
        Command::Kit(a) => kit::run(&open()?, a, models()?),
        Command::Watch(a) => watch::run(&open()?, a, models()?),
        Command::Collection(a) => collection::run(&open()?, a),
        Command::Midi(a) => midi::run(a, cli.no_models),
        Command::Ai(a) => {
            // Only embeddings need the ONNX runtime; the rest stays quick to start.
            let m = if matches!(a, crate::cli::AiCommand::Embed(_)) {
                models()?
            } else {
                None
            };
            ai::run(a, &open, m)
        }
        Command::Search(a) => {
            // Only a search by meaning needs the models; plain searches stay instant.
            let m = if a.semantic { models()? } else { None };
            search::run(&open_to_read()?, a, m)
        }
        Command::Export(a) => export::run(&open_to_read()?, a),
        Command::Stats(a) => stats::run(&open_to_read()?, a),
        Command::Bench(a) => bench::run(a),
        Command::Health(a) => health(open_to_read(), a),
        Command::Repair(a) => repair::run(
            &samplemind::config::library_dir(cli.library.clone()),
            a,
            &models,
        ),
        Command::Serve(a) => serve::run(open()?, a, models()?),
        #[cfg(feature = "device")]
        Command::Devices(a) => device::devices(a),
        #[cfg(feature = "device")]
        // Sync reads the file's tempo and key from the library when it has them; playing
        // does not need a library otherwise.
        Command::Play(a) => device::play(a, open_to_read().ok().as_ref()),
        #[cfg(feature = "device")]
        Command::Pads(a) => device::pads(a, open_to_read().ok().as_ref()),
        #[cfg(feature = "device")]
        Command::Record(a) => device::record(&open()?, a, models()?),
    }
}

/// The local models, unless switched off by `--no-models` or the config file. A missing
/// runtime is a warning, not a failure: analysis goes on without the models.
fn models(no_models: bool) -> Result<Option<Arc<Models>>, Error> {
    let settings = samplemind::config::Settings::load()?;
    if no_models || !settings.ml.enabled {
        return Ok(None);
    }
    match samplemind::ml::open(&settings.ml) {
        Ok(m) => Ok(Some(m)),
        Err(e) => {
            tracing::warn!("local models off: {e}");
            Ok(None)
        }
    }
}

/// `samplemind health`.
fn health(lib: Result<Library, Error>, args: crate::cli::JsonFlag) -> Result<Outcome, Error> {
    let settings = samplemind::config::Settings::load()?;
    let (lib, open_error) = match lib {
        Ok(l) => (Some(l), None),
        Err(e) => {
            let damaged = e
                .downcast_ref::<samplemind::library::LibraryError>()
                .is_some_and(|e| e.is_damaged());
            (None, Some((e.to_string(), damaged)))
        }
    };
    let mut h =
        samplemind::health::report(lib.as_ref(), crate::STARTED.with(|s| *s), &settings, None);
    // The store's own words (in use by another process, a full disk) say more than "could
    // not be opened".
    if let Some((reason, damaged)) = open_error {
        if let Some(c) = h.components.iter_mut().find(|c| c.name == "library") {
            c.reason = Some(reason);
            if damaged {
                c.fix = Some(samplemind::health::REPAIR_FIX.into());
            }
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&h)?);
    } else {
        println!(
            "status   {:?} (samplemind {}, up {:.2} s)",
            h.status, h.version, h.uptime_seconds
        );
        for c in &h.components {
            println!(
                "{:<8} {:?}{}",
                c.name,
                c.status,
                c.reason
                    .as_ref()
                    .map(|r| format!(": {r}"))
                    .unwrap_or_default()
            );
            if let Some(fix) = &c.fix {
                // A feature that is off is turned on; the library is never off, only in need.
                let label = if c.name == "library" {
                    "the way out"
                } else {
                    "to turn it on"
                };
                println!("{:<8}   {label}: {fix}", "");
            }
        }
        let p = &h.performance;
        let f = |v: Option<f64>| v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "-".into());
        println!(
            "process  cpu {} %  memory {} MiB  threads {}",
            f(p.cpu_percent),
            f(p.memory_mb),
            p.threads.map_or("-".into(), |t| t.to_string())
        );
    }
    Ok(if h.status == samplemind::health::Status::Ok {
        Outcome::Clean
    } else {
        Outcome::SomeFailed
    })
}
