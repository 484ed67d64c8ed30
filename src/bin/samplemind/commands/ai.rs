//! `samplemind ai …`: a tokio runtime for the async core, then one call each.

use std::io::Write;

use futures_util::StreamExt;
use samplemind::ai::{setup, AskOptions, ChatRequest, Message, StreamEvent};

use super::{Error, Outcome};
use crate::cli::{
    AiAskArgs, AiCacheCommand, AiCommand, AiDescribeArgs, AiKeyCommand, AiSearchArgs, AiWarmArgs,
};
use crate::output;

pub fn run(
    cmd: AiCommand,
    open: &dyn Fn() -> Result<samplemind::Library, Error>,
    models: Option<std::sync::Arc<samplemind::ml::Models>>,
) -> Result<Outcome, Error> {
    let settings = samplemind::config::Settings::load()?;
    // Keys are managed without a router: building one would read the keys being changed.
    if let AiCommand::Key(k) = cmd {
        return key(&settings.ai, k);
    }
    let router = setup::router(
        &settings.ai,
        &settings.shared,
        &samplemind::config::ai_cache_dir(),
        models,
    )?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let out = match cmd {
        AiCommand::Ask(a) => rt.block_on(ask(&router, a)),
        AiCommand::Describe(a) => rt.block_on(describe(&router, &open()?, a)),
        AiCommand::Search(a) => rt.block_on(search(&router, &open()?, a)),
        AiCommand::Warm(a) => rt.block_on(warm(&router, &open()?, a)),
        AiCommand::Embed(a) => rt.block_on(async {
            let (provider, vectors) = router.embed(&a.texts).await?;
            for (t, v) in a.texts.iter().zip(&vectors) {
                println!(
                    "{}",
                    serde_json::json!({"text": t, "provider": provider, "dim": v.len(), "embedding": v})
                );
            }
            Ok::<_, Error>(Outcome::Clean)
        }),
        AiCommand::Models(j) => rt.block_on(async {
            let mut all = serde_json::Map::new();
            let mut failed = false;
            for p in setup::providers(&settings.ai)? {
                let v = match p.models().await {
                    // Loaded = in memory now: the next answer starts without a load.
                    Ok(m) => serde_json::json!({
                        "status": "ok",
                        "models": m,
                        "loaded": p.loaded_models().await.ok().flatten(),
                    }),
                    Err(e) => {
                        failed = true;
                        serde_json::json!({"status": "down", "reason": e.to_string()})
                    }
                };
                if !j.json {
                    println!(
                        "{:<12} {}",
                        p.name(),
                        match (&v["models"], &v["loaded"]) {
                            (serde_json::Value::Array(m), loaded) => {
                                let names = |a: &Vec<serde_json::Value>| {
                                    a.iter()
                                        .filter_map(|x| x.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                };
                                match loaded {
                                    serde_json::Value::Array(l) if !l.is_empty() => {
                                        format!("{}  (loaded: {})", names(m), names(l))
                                    }
                                    _ => names(m),
                                }
                            }
                            _ => format!("down: {}", v["reason"].as_str().unwrap_or("")),
                        }
                    );
                }
                all.insert(p.name().to_string(), v);
            }
            if j.json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            }
            Ok::<_, Error>(if failed {
                Outcome::SomeFailed
            } else {
                Outcome::Clean
            })
        }),
        AiCommand::Cache(AiCacheCommand::Stats(j)) => {
            let s = router.cache().map(|c| c.stats()).unwrap_or_default();
            if j.json {
                println!("{}", serde_json::to_string_pretty(&s)?);
            } else {
                println!(
                    "hits {}  misses {}  hit rate {:.1} %  entries {}  bytes {}  evictions {}",
                    s.hits,
                    s.misses,
                    100.0 * s.hit_rate,
                    s.entries,
                    s.bytes,
                    s.evictions
                );
            }
            Ok(Outcome::Clean)
        }
        AiCommand::Key(_) => unreachable!("keys are handled before the router is built"),
        AiCommand::Cache(AiCacheCommand::Clear { namespace }) => {
            let n = match router.cache() {
                Some(c) => c.clear(namespace.as_deref())?,
                None => 0,
            };
            println!("{n} cached answers removed");
            Ok(Outcome::Clean)
        }
    };
    if let Some(c) = router.cache() {
        c.flush();
    }
    out
}

async fn ask(router: &samplemind::ai::Router, a: AiAskArgs) -> Result<Outcome, Error> {
    let req = ChatRequest {
        task: "ask".into(),
        messages: vec![Message::user(a.words.join(" "))],
        max_tokens: Some(a.max_tokens),
        ..ChatRequest::default()
    };
    let opts = AskOptions {
        bypass_cache: a.no_cache,
        refresh: a.refresh,
        provider: a.provider.clone(),
        ttl: None,
    };
    let answer = if a.stream {
        let mut s = router.chat_stream(&req, &opts).await?;
        let mut done = None;
        let mut stdout = std::io::stdout();
        while let Some(ev) = s.next().await {
            match ev? {
                StreamEvent::Delta(d) if !a.json => {
                    print!("{d}");
                    stdout.flush()?;
                }
                StreamEvent::Delta(_) => {}
                StreamEvent::Done(r) => done = Some(r),
            }
        }
        if !a.json {
            println!();
        }
        done.ok_or("the stream ended without an answer")?
    } else {
        let r = router.chat(&req, &opts).await?;
        if !a.json {
            println!("{}", r.text);
        }
        r
    };
    if a.json {
        println!("{}", serde_json::to_string(&answer)?);
    } else {
        eprintln!(
            "({} via {}{})",
            answer.model,
            answer.provider,
            if answer.cached { ", cached" } else { "" }
        );
    }
    Ok(Outcome::Clean)
}

async fn describe(
    router: &samplemind::ai::Router,
    lib: &samplemind::Library,
    a: AiDescribeArgs,
) -> Result<Outcome, Error> {
    let hash = samplemind::library::hash_file(&a.file)
        .map_err(|e| format!("{}: {e}", a.file.display()))?;
    let stored = lib.sample(&hash)?;
    let analysis = match &stored {
        Some(s) => s.analysis.clone(),
        None => samplemind::analyse_file(&a.file, &Default::default())?.analysis,
    };
    let opts = AskOptions {
        refresh: a.refresh,
        ..AskOptions::default()
    };
    let d = samplemind::ai::uses::describe(router, &a.file, &analysis, &opts).await?;
    if let Some(mut rec) = stored {
        rec.ai = Some(d.clone());
        lib.put_sample(&rec)?;
        lib.flush()?;
    }
    if a.json {
        println!("{}", serde_json::to_string(&d)?);
    } else {
        println!("{}\ntags: {}", d.description, d.tags.join(", "));
    }
    Ok(Outcome::Clean)
}

async fn search(
    router: &samplemind::ai::Router,
    lib: &samplemind::Library,
    a: AiSearchArgs,
) -> Result<Outcome, Error> {
    let text = a.words.join(" ");
    let (p, model_error) =
        samplemind::ai::uses::parse_search(router, &text, &AskOptions::default()).await;
    if let Some(e) = &model_error {
        output::error(&format!("reading the search without a model ({e})"));
    }
    let q = samplemind::search::Query {
        text: (!p.words.is_empty()).then(|| p.words.join(" ")),
        bpm: p.bpm,
        key: p.key.clone(),
        category: p.category.clone(),
        is_loop: p.is_loop,
        limit: Some(a.limit),
        ..Default::default()
    };
    let (mut hits, mut problems) = samplemind::search::search(lib, &q)?;
    if hits.is_empty() && q.text.is_some() {
        // Sound words narrow; when nothing has them all, the filters alone still answer.
        output::error(&"no sample has every word; showing what matches the filters");
        (hits, problems) =
            samplemind::search::search(lib, &samplemind::search::Query { text: None, ..q })?;
    }
    for e in &problems {
        output::error(e);
    }
    if a.json {
        println!("{}", serde_json::to_string(&p)?);
        for h in &hits {
            println!("{}", serde_json::json!({"path": h.path, "score": h.score}));
        }
    } else {
        println!("reading: {}", serde_json::to_string(&p)?);
        for h in &hits {
            println!("{}", h.path.display());
        }
        println!(
            "{} result{}",
            hits.len(),
            if hits.len() == 1 { "" } else { "s" }
        );
    }
    Ok(Outcome::Clean)
}

async fn warm(
    router: &samplemind::ai::Router,
    lib: &samplemind::Library,
    a: AiWarmArgs,
) -> Result<Outcome, Error> {
    loop {
        let r = samplemind::ai::warm::warm(router, lib, a.simulate).await;
        lib.flush()?;
        if let Some(c) = router.cache() {
            c.flush();
        }
        if a.json {
            println!("{}", serde_json::to_string_pretty(&r)?);
        } else {
            for i in r
                .items
                .iter()
                .filter(|i| i.provider.is_some() || i.error.is_some())
            {
                println!(
                    "{:<13} {:<10} ${:.5}  {}{}",
                    i.task,
                    i.provider.as_deref().unwrap_or("-"),
                    i.cost_usd,
                    i.subject,
                    i.error
                        .as_deref()
                        .map(|e| format!("  ({e})"))
                        .unwrap_or_default()
                );
            }
            println!(
                "{}{} calls, {} already cached, {} failed, estimated cost ${:.4}",
                if r.simulated { "simulated: " } else { "" },
                r.calls,
                r.already_cached,
                r.failed,
                r.total_cost_usd
            );
        }
        let Some(hours) = a.schedule else {
            return Ok(if r.failed == 0 {
                Outcome::Clean
            } else {
                Outcome::SomeFailed
            });
        };
        tokio::time::sleep(std::time::Duration::from_secs_f64(hours.max(0.01) * 3600.0)).await;
    }
}

/// `ai key set|delete|status`: the key itself is read, stored and forgotten, never printed.
fn key(settings: &samplemind::config::AiSettings, cmd: AiKeyCommand) -> Result<Outcome, Error> {
    use samplemind::ai::keys;
    let known = |name: &str| -> Result<(), Error> {
        if settings.providers.iter().any(|p| p.name == name) {
            return Ok(());
        }
        let names: Vec<&str> = settings.providers.iter().map(|p| p.name.as_str()).collect();
        Err(format!(
            "no AI provider is named {name:?} in config.toml (providers: {})",
            names.join(", ")
        )
        .into())
    };
    match cmd {
        AiKeyCommand::Set { provider } => {
            known(&provider)?;
            let secret = read_key(&provider)?;
            keys::store(&provider, &secret).map_err(|e| format!("{provider}: {e}"))?;
            eprintln!("{provider}: key stored in the OS keyring");
        }
        AiKeyCommand::Delete { provider } => {
            known(&provider)?;
            match keys::delete(&provider).map_err(|e| format!("{provider}: {e}"))? {
                true => eprintln!("{provider}: key removed from the OS keyring"),
                false => eprintln!("{provider}: the OS keyring held no key"),
            }
        }
        AiKeyCommand::Status(j) => {
            let all = keys::status(settings);
            if j.json {
                println!("{}", serde_json::to_string_pretty(&all)?);
            } else {
                for s in &all {
                    let from = match &s.source {
                        keys::KeySource::Environment(v) => format!("environment ${v}"),
                        keys::KeySource::Keyring => "OS keyring".into(),
                        keys::KeySource::None => "none".into(),
                    };
                    let why = s
                        .keyring_error
                        .as_ref()
                        .map(|e| format!(" ({e})"))
                        .unwrap_or_default();
                    println!("{:<16} {from}{why}", s.provider);
                }
            }
        }
    }
    Ok(Outcome::Clean)
}

/// The key from standard input: typed without echo on a terminal, else the first line.
fn read_key(provider: &str) -> Result<String, Error> {
    use std::io::IsTerminal;
    let line = if std::io::stdin().is_terminal() {
        rpassword::prompt_password(format!("API key for {provider}: "))?
    } else {
        let mut l = String::new();
        std::io::stdin().read_line(&mut l)?;
        l
    };
    Ok(line.trim().to_string())
}
