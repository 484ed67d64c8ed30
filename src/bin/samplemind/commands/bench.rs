//! `samplemind bench`.

use std::path::PathBuf;

use samplemind_bench as bench;

use super::{Error, Outcome};
use crate::cli::BenchArgs;

/// The DEV corpus built by ../shared/eval/build-dev-corpus.sh, where it puts it by default.
fn default_corpus() -> PathBuf {
    let cache = std::env::var_os("SAMPLEMIND_EVAL_CACHE")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("XDG_CACHE_HOME")
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
                .map(|c| c.join("samplemind-eval"))
        });
    match cache.map(|c| c.join("corpus-dev")) {
        Some(c) if c.is_dir() => c,
        _ => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("assets/demo"),
    }
}

pub fn run(args: BenchArgs) -> Result<Outcome, Error> {
    let corpus = args.corpus.unwrap_or_else(default_corpus);
    let threads = args.threads.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let work = tempfile::tempdir()?;
    eprintln!(
        "samplemind bench: {} ({} threads)",
        corpus.display(),
        threads
    );
    let r = bench::pipeline(&corpus, work.path(), threads, args.tree_files, |step| {
        eprintln!("  {step}…")
    })?;
    #[cfg(feature = "device")]
    let audio = if args.audio || args.all {
        Some(bench::audio(
            args.output_device.clone(),
            args.input_device.clone(),
            &corpus,
            work.path(),
            threads,
            args.audio_seconds,
            |step| eprintln!("  {step}…"),
        )?)
    } else {
        None
    };
    #[cfg(not(feature = "device"))]
    let audio: Option<()> = None;
    let models = if args.models || args.all {
        let settings = samplemind::config::Settings::load()?;
        let m = samplemind::ml::open(&settings.ml)?;
        Some(samplemind_bench::models::models(
            &corpus,
            m,
            args.index_size,
            |step| eprintln!("  {step}…"),
        ))
    } else {
        None
    };
    let search = if args.search_size > 0 {
        eprintln!("  search over {} generated records…", args.search_size);
        Some(samplemind_bench::search::search_bench(
            work.path(),
            args.search_size,
            15,
        )?)
    } else {
        None
    };
    let similar = if args.similar_size > 0 {
        eprintln!(
            "  similar sounds over {} generated sounds…",
            args.similar_size
        );
        Some(samplemind_bench::similar::similar_bench(
            args.similar_size,
            40,
        ))
    } else {
        None
    };
    let similar_library = match &args.similar_library {
        Some(dir) => {
            eprintln!("  similar sounds over the library in {}…", dir.display());
            let lib = samplemind::library::Library::open(dir)?;
            Some(samplemind_bench::similar::similar_on_library(&lib))
        }
        None => None,
    };
    // The peer is timed after our figures, so neither warms the other's caches mid-run.
    let peers = if args.peers || args.all {
        eprintln!("  the analysis peer on the same files…");
        let python = args
            .peer_python
            .clone()
            .unwrap_or_else(samplemind_bench::peers::default_python);
        match samplemind_bench::peers::essentia(&python, &r.paths, &r.analyse_ms) {
            Ok(p) => Some(p),
            // Asked for by name, a missing peer is an error; within --all, a note.
            Err(e) if args.peers => return Err(format!("bench --peers: {e}").into()),
            Err(e) => {
                eprintln!("samplemind: peer skipped: {e}");
                None
            }
        }
    } else {
        None
    };
    let ai = if args.ai || args.all {
        eprintln!("  AI layer…");
        // LiteLLM is timed with --peers (required) or --all (when installed).
        let python = (args.peers || args.all).then(samplemind_bench::peers::default_ai_python);
        let (a, peer_error) =
            samplemind_bench::ai::ai(args.ai_url.clone(), work.path(), python.as_deref())?;
        match peer_error {
            Some(e) if args.peers => return Err(format!("bench --peers: {e}").into()),
            Some(e) => eprintln!("samplemind: AI peer skipped: {e}"),
            None => {}
        }
        Some(a)
    } else {
        None
    };
    let shared = match (&args.redis, args.ai || args.all) {
        (Some(url), true) => {
            eprintln!("  the studio's shared tier on {url}…");
            // LiteLLM's Redis cache is the point of comparison: timed whenever its venv is
            // there, and required with --peers.
            let venv = samplemind_bench::peers::default_ai_python();
            let python = (args.peers || venv.exists()).then_some(venv);
            let (s, peer_error) =
                samplemind_bench::shared::shared(url, work.path(), python.as_deref())?;
            match peer_error {
                Some(e) if args.peers => return Err(format!("bench --peers: {e}").into()),
                Some(e) => eprintln!("samplemind: shared-tier peer skipped: {e}"),
                None => {}
            }
            Some(s)
        }
        _ => None,
    };
    let loops = if args.all && args.stretch == 0 {
        20
    } else {
        args.stretch
    };
    let stretch = if loops > 0 {
        eprintln!("  the stretcher on {loops} loops…");
        Some(
            bench::stretch::stretch_bench(&corpus, work.path(), loops, args.peers, |step| {
                eprintln!("    {step}")
            })
            .map_err(|e| format!("bench --stretch: {e}"))?,
        )
    } else {
        None
    };
    if let Some(e) = stretch.as_ref().and_then(|s| s.peer_error.as_ref()) {
        eprintln!("samplemind: stretch peer skipped: {e}");
    }
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "pipeline": r, "peers": peers, "search": search, "similar": similar, "similar_library": similar_library, "audio": audio, "models": models, "ai": ai, "shared": shared, "stretch": stretch })
            )?
        );
        return Ok(Outcome::Clean);
    }
    let row = |name: &str, s: &bench::Spread| {
        println!(
            "{name:<28} {:>9.2} {:>9.2} {:>9.2} {:>10.0}",
            s.median_ms, s.p10_ms, s.p90_ms, s.total_ms
        )
    };
    println!("{} files, {:.0} s of audio", r.files, r.audio_seconds);
    println!(
        "{:<28} {:>9} {:>9} {:>9} {:>10}",
        "per file, one core (ms)", "median", "p10", "p90", "total"
    );
    row("decode only", &r.decode);
    row("decode + analysis", &r.analyse);
    println!(
        "analysis / decode            {:>9.2}x   (target ≤ 1.5x)",
        r.analyse_over_decode
    );
    println!(
        "analysis speed, one core     {:>9.0}x realtime",
        r.realtime_factor
    );
    if let Some(p) = &peers {
        row(&format!("peer: {}", p.peer), &p.per_file);
        println!(
            "  {} ({} files; ours on them: median {:.2} ms)",
            p.what, p.per_file.n, p.ours.median_ms
        );
        println!(
            "analysis vs peer             {:>9.1}x faster per file (median), {:.1}x in total   (target ≥ 10x)",
            p.ratio_median, p.ratio_total
        );
    }
    println!(
        "first scan, {} threads        {:>9.1} files/s",
        r.threads, r.scan_files_per_s
    );
    println!("rescan, unchanged            {:>9.3} s", r.rescan_s);
    if r.big_tree_files > 0 {
        println!(
            "rescan, {} unchanged files {:>7.3} s   (target < 1 s for 10,000)",
            r.big_tree_files, r.big_tree_rescan_s
        );
    }
    if let Some(s) = &search {
        row(&format!("search: filter, {}", s.records), &s.filter);
        row("search: filter, first page", &s.filter_page);
        row("search: two words", &s.words);
        row("search: two words, first page", &s.words_page);
        row("search: a rare word, first page", &s.rare_word_page);
        row("search: loops by BPM", &s.sorted);
        row("search: loops by BPM, first page", &s.sorted_page);
        row("peer: filter in memory", &s.in_memory_filter);
        row("search: ★ and ≥ 3 stars", &s.marks);
        row("facet counts, whole library", &s.facets);
        row("facet counts, filtered", &s.facets_filtered);
        row("folder list", &s.folders);
        println!(
            "facet counts p95 {:>18.2} ms   (target ≤ 20 ms at 100,000)",
            s.facets.p95_ms.max(s.facets_filtered.p95_ms)
        );
        println!(
            "search filter / in-memory scan {:>7.1}x   (catalogue in memory; records read for the hits)",
            s.filter.median_ms / s.in_memory_filter.median_ms.max(1e-6)
        );
        println!(
            "search: first query after writes {:>7.1} ms   (reads every record once into the catalogue)",
            s.first_query_ms
        );
        println!(
            "search: after a one-file scan {:>10.1} ms   (the catalogue follows the writes; every hit's record read)",
            s.after_one_write_ms
        );
        println!(
            "search: after a one-file scan, first page {:>5.1} ms   (what the faces ask; target ≤ 100 ms at 1M)",
            s.after_one_write_page_ms
        );
    }
    for s in similar.iter().chain(&similar_library) {
        println!(
            "similar: {} sounds ({} with embeddings) in {} lists {:>6.1} s to build ({:.1} s of it the lists; {:.1} bytes a sound)",
            s.size, s.with_embeddings, s.lists, s.build_seconds, s.lists_seconds, s.list_bytes_per_sound
        );
        for a in &s.aspects {
            row(&format!("similar {}: full scan", a.aspect), &a.exact);
            row(&format!("similar {}: lists", a.aspect), &a.lists);
            println!(
                "similar {}: recall@10 {:>14.3}   (target ≥ 0.95; lists p95 {:.2} ms, target ≤ 10)",
                a.aspect, a.recall_at_10, a.lists.p95_ms
            );
        }
    }
    #[cfg(feature = "device")]
    if let Some(a) = &audio {
        println!(
            "audio latency play→capture  {:>9.1} ms median (p10 {:.1}, p90 {:.1}, n {})",
            a.latency.median_ms, a.latency.p10_ms, a.latency.p90_ms, a.latency.n
        );
        println!(
            "audio latency in sync       {:>9.1} ms median (p10 {:.1}, p90 {:.1}, n {})",
            a.latency_synced.median_ms,
            a.latency_synced.p10_ms,
            a.latency_synced.p90_ms,
            a.latency_synced.n
        );
        println!("audio buffer period         {:>9.1} ms", a.buffer_ms);
        println!(
            "callback load under scan    {:>9.2} %   (target < 10 %), longest {:.0} µs",
            a.callback_load * 100.0,
            a.callback_max_us
        );
        println!(
            "glitches over {:.0} s of play  {:>9}     (target 0) while {} full scans ran on {} threads",
            a.loaded_seconds, a.glitches, a.scan_passes, r.threads
        );
        println!(
            "glitches in sync over {:.0} s {:>7}     (target 0; the stretcher at work throughout)",
            a.loaded_seconds, a.glitches_synced
        );
    }
    if let Some(m) = &models {
        for c in &m.per_model {
            println!(
                "model {:<22} {:>9.1} ms per second of audio, one core",
                c.model, c.ms_per_audio_second
            );
        }
        println!(
            "analysis with / without models {:>7.2}x   (target ≤ 3x; {:.1} vs {:.1} ms per file)",
            m.with_over_without, m.with_models.median_ms, m.without_models.median_ms
        );
        println!(
            "similar query, {} samples {:>6.2} ms median, p95 {:.2} ms   (target p95 < 20 ms)",
            m.index_size, m.query.median_ms, m.query_p95_ms
        );
    }
    if let Some(a) = &ai {
        println!(
            "AI cache hit via router      {:>9.3} ms median, p99 {:.3} ms   (target p50 < 0.5, p99 < 2)",
            a.cache_hit.median_ms, a.cache_hit_p99_ms
        );
        println!(
            "100 identical cold requests {:>9} upstream call(s)   (target 1)",
            a.coalesced_upstream_calls
        );
        println!(
            "router overhead on a miss    {:>9.3} ms   (direct {:.3} ms, router {:.3} ms; target < 1)",
            a.router_overhead_ms, a.direct_miss.median_ms, a.router_miss.median_ms
        );
        if let Some(p) = &a.peer {
            println!(
                "peer: {}: cache hit {:.3} ms median, p99 {:.3} ms → ours {:.0}x faster at p50, {:.0}x at p99",
                p.peer, p.cache_hit.median_ms, p.cache_hit_p99_ms, p.ratio_p50, p.ratio_p99
            );
            if let Some(n) = p.burst_upstream_calls {
                println!("peer: 100 identical cold requests {n} upstream call(s)");
            }
        }
    }
    if let Some(s) = &shared {
        println!(
            "hit only Redis holds, router {:>9.3} ms median, p99 {:.3} ms   (target p50 < 0.3, p99 < 1)",
            s.hit.median_ms, s.hit_p99_ms
        );
        println!(
            "{} processes x {} identical cold {:>4} upstream call(s)   (target 1; {} lease waits)",
            samplemind_bench::shared::PROCESSES,
            samplemind_bench::shared::BURST,
            s.burst_upstream_calls,
            s.lease_waits
        );
        if let Some(p) = &s.peer {
            println!(
                "peer: {}: hit {:.3} ms median, p99 {:.3} ms ({} reported as hits) → ours {:.1}x faster at p50, {:.1}x at p99; its burst: {} upstream call(s)",
                p.peer, p.hit.median_ms, p.hit_p99_ms, p.hits_reported, p.ratio_p50, p.ratio_p99, p.burst_upstream_calls
            );
        }
    }
    if let Some(s) = &stretch {
        println!(
            "stretch: {} loops x {} changes (±10 % tempo, ±3 semitones); untouched loops read right: {}/{}",
            s.loops,
            s.cases.len(),
            s.untouched_right,
            s.loops
        );
        for t in std::iter::once(&s.ours).chain(s.peer.as_ref()) {
            println!(
                "  {:<24} tempo {:>3}/{}  key {:>3}/{}  both {:>3}/{}  failed {}  {:>7.1} ms per render, {:>5.0}x realtime",
                t.name, t.tempo_right, t.renders, t.key_right, t.renders, t.both_right, t.renders, t.failed, t.median_ms, t.realtime_factor
            );
        }
    }
    for f in &r.failed {
        eprintln!("samplemind: {f}");
    }
    Ok(Outcome::Clean)
}
