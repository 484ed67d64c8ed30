// An in-page stand-in for the Rust backend, for page tests in a browser (never shipped in the
// app). It answers the same commands with generated rows, so a test can check the UI's
// requests and behaviour, and time scrolling over a 100,000-row library.

import type { CurationEdit, SampleDetail, PageQuery, SampleSummary } from "../bindings.gen";

const CATS = ["kick", "snare", "hat", "clap", "bass", "pad", "keys", "synth", "vocal", "fx", "drums"];
const KEYS = ["C major", "A minor", "F major", "D minor", "G major", "E minor", "Eb major", "C minor"];
const ROOTS = ["C2", "A1", "F#3", "D4", "G2", "E3"];

/** Deterministic row `i`. */
export function makeRow(i: number): SampleSummary {
  const cat = CATS[i % CATS.length];
  const isLoop = cat === "drums" || i % 5 === 0;
  return {
    id: i.toString(16).padStart(64, "0"),
    name: `${cat}_${String(i).padStart(6, "0")}.wav`,
    folder: `pack_${Math.floor(i / 500)}`,
    path: `/samples/pack_${Math.floor(i / 500)}/${cat}_${String(i).padStart(6, "0")}.wav`,
    category: cat,
    category_unsure: i % 13 === 7,
    is_loop: isLoop,
    bpm: isLoop ? 80 + ((i * 7) % 90) : null,
    key: ["bass", "pad", "keys", "synth"].includes(cat) ? KEYS[i % KEYS.length] : null,
    root_note: isLoop ? null : ["bass", "keys", "synth"].includes(cat) ? ROOTS[i % ROOTS.length] : null,
    duration_s: isLoop ? 4 + (i % 8) : 0.2 + (i % 20) / 10,
    lufs: -6 - (i % 180) / 10,
    tags: i % 3 === 0 ? ["punchy", "dark"] : ["bright"],
    user_tags: [],
    favourite: false,
    rating: 0,
    colour: null,
    region: null,
    description: null,
    offline: null,
  };
}

export type Call = { cmd: string; args: Record<string, unknown> };

const rowId = (i: number) => i.toString(16).padStart(64, "0");

export class MockBackend {
  rows: SampleSummary[];
  calls: Call[] = [];
  corrected = new Map<string, number | null>();
  /** Categories set by hand. */
  categories = new Map<string, string>();
  playing: string | null = null;
  /** The sample the mocked MIDI input plays. */
  pads: string | null = null;
  /** The project audition follows. */
  project: { bpm: number | null; key: string | null; sync: boolean } = { bpm: null, key: null, sync: false };
  api: { url: string; tokenFile: string } | null = null;
  /** Marks by id, over the generated rows. */
  marks = new Map<string, Pick<SampleSummary, "favourite" | "rating" | "colour" | "user_tags" | "region">>();
  /** One sound at two paths. */
  duplicates = [{ id: "0".repeat(64), paths: [{ path: "/samples/pack_0/kick_000000.wav", hidden: false }, { path: "/backup/pack_0/kick_000000.wav", hidden: false }] }];
  offline = [{ path: "/media/usb/Old Packs", name: "usb" }];
  /** Collections by name: ids in order. */
  collections = new Map<string, string[]>();
  /** Providers whose key the mocked OS keyring holds. */
  keyring = new Set<string>();

  constructor(n: number) {
    this.rows = Array.from({ length: n }, (_, i) => makeRow(i));
  }

  private last: { key: string; rows: SampleSummary[] } | null = null;

  private settingsView() {
    const providers = [
      { name: "ollama", kind: "ollama", url: "http://127.0.0.1:11434", model: "llama3.2:3b", cloud: false, apiKeyEnv: null },
      { name: "openai", kind: "openai", url: "https://api.openai.com", model: "gpt-4o-mini", cloud: true, apiKeyEnv: "OPENAI_API_KEY" },
    ].map((p) => ({ ...p, keySource: this.keyring.has(p.name) ? "keyring" : "none", keyError: null }));
    return { libraryFolders: ["/samples"], aiCloud: false, cacheMaxMb: 256, cacheTtlDays: 30, providers, outputDevice: null, inputDevice: null, sharedRedis: null };
  }

  /** Matching rows, cached per query like the Rust side's result cache. */
  private filtered(q: PageQuery): SampleSummary[] {
    const key = JSON.stringify(q) + this.corrected.size + JSON.stringify([...this.marks]) + JSON.stringify([...this.collections]);
    if (this.last?.key === key) return this.last.rows;
    const rows = this.compute(q);
    this.last = { key, rows };
    return rows;
  }

  private compute(q: PageQuery): SampleSummary[] {
    const words = (q.text ?? "").toLowerCase().split(/\s+/).filter(Boolean);
    let out = this.rows.map((r) => this.row(r.id)).filter((r) => {
      if (q.favourite && !r.favourite) return false;
      if (q.minRating && r.rating < q.minRating) return false;
      if (q.colour && r.colour !== q.colour) return false;
      if (q.collection && !(this.collections.get(q.collection) ?? []).includes(r.id)) return false;
      if ((q.tags ?? []).some((t) => !r.tags.includes(t))) return false;
      if (q.folder && !r.path.startsWith(q.folder + "/")) return false;
      if (q.root && !(r.root_note ?? "").startsWith(q.root)) return false;
      if (q.isLoop != null && r.is_loop !== q.isLoop) return false;
      // As the library files them: an unsure guess only under "unsure".
      const filed = r.category_unsure ? "unsure" : r.category;
      if (q.category && filed !== q.category) return false;
      const bpm = this.corrected.get(r.id) ?? r.bpm;
      if (q.bpmMin != null && (bpm == null || bpm < q.bpmMin)) return false;
      if (q.bpmMax != null && (bpm == null || bpm > q.bpmMax)) return false;
      if (q.key && r.key !== q.key) return false;
      const hay = `${r.name} ${r.folder} ${r.tags.join(" ")} ${r.category}`.toLowerCase();
      return words.every((w) => hay.includes(w));
    });
    if (q.sort === "bpm" || q.sort === "name" || q.sort === "duration") {
      const val = (r: SampleSummary) => (q.sort === "bpm" ? r.bpm : q.sort === "name" ? r.name : r.duration_s);
      out = [...out].sort((a, b) => {
        const x = val(a), y = val(b);
        if (x == null) return 1;
        if (y == null) return -1;
        const c = x < y ? -1 : x > y ? 1 : 0;
        return q.descending ? -c : c;
      });
    }
    return out;
  }

  private row(id: string): SampleSummary {
    const r = this.rows[parseInt(id, 16)];
    if (!r) throw { kind: "not_found", message: `no sample ${id} in the library` };
    const c = this.corrected.get(id);
    const cat = this.categories.get(id);
    const withBpm = c === undefined ? r : { ...r, bpm: c ?? r.bpm };
    const m = this.marks.get(id);
    const marked = m ? { ...withBpm, ...m, tags: [...m.user_tags, ...withBpm.tags.filter((t) => !m.user_tags.includes(t))] } : withBpm;
    return cat ? { ...marked, category: cat, category_unsure: false } : marked;
  }

  private detail(id: string): SampleDetail {
    const r = this.row(id);
    const base = this.rows[parseInt(id, 16)];
    return {
      row: r, analysedBpm: base.bpm, correctedBpm: this.corrected.get(id) ?? null,
      bpmConfidence: r.bpm ? 0.8 : null, bpmAlternatives: r.bpm ? [r.bpm / 2, r.bpm * 2] : [],
      tempoSource: r.bpm ? "bar_fit" : null, keyConfidence: r.key ? 0.7 : null, rootCents: r.root_note ? -3 : null,
      categoryConfidence: 0.9, analysedCategory: base.category, correctedCategory: this.categories.get(id) ?? null,
      learnedFrom: null, correctedKey: null, correctedRoot: null, correctedLoop: null, peakDb: -0.3, sampleRate: 44100, channels: 2, bitDepth: 24, codec: "pcm_s24le",
      spectralCentroidHz: 1200, attackMs: 4, modelTags: [], aiDescription: null, modelError: null,
    };
  }

  /** Answer one command as the Rust side would. */
  handle(cmd: string, args: Record<string, unknown> = {}): unknown {
    this.calls.push({ cmd, args });
    switch (cmd) {
      case "search_samples": {
        const all = this.filtered(args.query as PageQuery);
        const offset = args.offset as number;
        return { total: all.length, offset, rows: all.slice(offset, offset + (args.limit as number)), problems: [] };
      }
      case "sample_facets": {
        const all = this.filtered(args.query as PageQuery);
        const counts = (f: (r: SampleSummary) => string | null) => {
          const m = new Map<string, number>();
          for (const r of all) { const v = f(r); if (v) m.set(v, (m.get(v) ?? 0) + 1); }
          return [...m].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count);
        };
        return {
          total: all.length, categories: counts((r) => r.category), keys: counts((r) => r.key),
          loops: all.filter((r) => r.is_loop).length, one_shots: all.filter((r) => !r.is_loop).length,
          favourites: all.filter((r) => r.favourite).length, colours: counts((r) => r.colour),
        };
      }
      case "list_folders": {
        const m = new Map<string, number>([["/samples", this.rows.length]]);
        for (const r of this.rows) m.set(r.path.slice(0, r.path.lastIndexOf("/")), (m.get(r.path.slice(0, r.path.lastIndexOf("/"))) ?? 0) + 1);
        return [...m].sort().map(([path, count]) => ({ path, count }));
      }
      case "get_sample":
        return this.detail(args.id as string);
      case "sample_peaks": {
        const n = args.columns as number;
        const max = Array.from({ length: n }, (_, i) => Math.exp(-i / (n / 6)) * 0.9);
        return { min: max.map((v) => -v), max, durationS: this.row(args.id as string).duration_s };
      }
      case "correct_bpm":
        this.corrected.set(args.id as string, args.bpm as number | null);
        return this.detail(args.id as string);
      case "correct_key":
      case "correct_root":
      case "correct_loop":
        return this.detail(args.id as string);
      case "correct_category":
        if (args.category == null) this.categories.delete(args.id as string);
        else this.categories.set(args.id as string, args.category as string);
        return this.detail(args.id as string);
      case "mark_sample": {
        const id = args.id as string;
        const e = args.edit as CurationEdit;
        const r = this.row(id);
        const m = { favourite: r.favourite, rating: r.rating, colour: r.colour, user_tags: [...r.user_tags], region: r.region };
        if (e.favourite != null) m.favourite = e.favourite;
        if (e.rating != null) m.rating = e.rating;
        if ("colour" in e) m.colour = e.colour;
        // As the engine: ends in either order, and ends that meet select nothing.
        if ("region" in e) m.region = e.region && e.region.startMs !== e.region.endMs ? { startMs: Math.min(e.region.startMs, e.region.endMs), endMs: Math.max(e.region.startMs, e.region.endMs) } : null;
        m.user_tags = m.user_tags.filter((t) => !e.removeTags.includes(t));
        for (const t of e.addTags) if (!m.user_tags.includes(t.toLowerCase())) m.user_tags.push(t.toLowerCase());
        this.marks.set(id, m);
        return this.detail(id);
      }
      case "suggest_kit":
        return { pads: [
          { slot: "kick", note: 36, id: args.id, path: this.row(args.id as string).path },
          { slot: "snare", note: 38, id: rowId(1), path: this.rows[1].path },
        ] };
      case "set_kit_pad": {
        const kit = args.kit as { pads: { slot: string; note: number; id: string; path: string }[] };
        const pads = kit.pads.filter((p) => p.slot !== args.slot);
        pads.push({ slot: args.slot as string, note: 0, id: args.id as string, path: this.row(args.id as string).path });
        return { pads };
      }
      case "export_kit":
        return `${args.dir}/${args.name}.sfz`;
      case "export_samples": {
        const r = args.request as { to: string; ids: string[]; dry_run: boolean; format: string | null };
        if (!r.to.startsWith("/")) throw { kind: "bad_input", message: `to: ${r.to} is not an absolute path` };
        const planned = r.ids.map((id) => {
          const from = this.row(id).path;
          const name = from.slice(from.lastIndexOf("/") + 1);
          return { from, to: `${r.to}/${r.format ? name.replace(/\.[^.]*$/, "." + r.format) : name}` };
        });
        const report = r.dry_run ? null : { copied: planned.length, tagged: planned.length, rendered: r.format ? planned.length : 0, failed: [], warnings: [] };
        return { planned, report, problems: [] };
      }
      case "offline_folders":
        return this.offline;
      case "relink_folder": {
        const o = this.offline.find((x) => x.path === args.from);
        if (!o) throw { kind: "not_found", message: `${args.from} (no sample of the library lies under it)` };
        this.offline = this.offline.filter((x) => x !== o);
        return { old_paths: 4, relinked: 4, analysed: 0, failed: 0 };
      }
      case "list_duplicates":
        return this.duplicates;
      case "keep_duplicate": {
        const g = this.duplicates.find((d) => d.id === args.id);
        if (!g) throw { kind: "not_found", message: `no sample ${args.id}` };
        for (const p of g.paths) p.hidden = args.keep != null && p.path !== args.keep;
        return g;
      }
      case "mark_samples":
        for (const id of args.ids as string[]) this.handle("mark_sample", { id, edit: args.edit });
        return (args.ids as string[]).length;
      case "correct_samples_category":
        for (const id of args.ids as string[]) this.handle("correct_category", { id, category: args.category });
        return (args.ids as string[]).length;
      case "list_collections":
        return [...this.collections].sort().map(([name, ids]) => ({ name, count: ids.length }));
      case "add_to_collection": {
        const name = args.name as string;
        const ids = this.collections.get(name) ?? [];
        for (const id of args.ids as string[]) if (!ids.includes(id)) ids.push(id);
        this.collections.set(name, ids);
        return { name, count: ids.length };
      }
      case "find_by_sound":
        return [0, 2, 4].map((i) => ({ sample: this.rows[i * CATS.length % this.rows.length], score: 0.9 - i * 0.05 }));
      case "similar_samples": {
        const i = parseInt(args.id as string, 16);
        return [1, 2, 3].map((d) => ({ sample: this.rows[(i + d * CATS.length) % this.rows.length], score: 0.9 - d * 0.1 }));
      }
      case "play_sample": {
        this.playing = args.id as string;
        const r = this.row(this.playing);
        // The mock's loops have a tempo and a key; its one-shots play as they are.
        // A one-shot with a root note and a chosen note plays at that note.
        const sync = !this.project.sync ? null : r.is_loop
          ? { changed: true, bpm: this.project.bpm, bars: 4, key: this.project.key, note: null, semitones: -4, notes: [] }
          : r.root_note && args.note
            ? { changed: true, bpm: null, bars: null, key: null, note: args.note as string, semitones: 2, notes: [] }
            : { changed: false, bpm: null, bars: null, key: null, note: null, semitones: 0, notes: ["no root note: plays at its own pitch"] };
        return { openMs: 3.2, sync };
      }
      case "start_pads":
        this.pads = args.id as string;
        return "Mock Keys MIDI 1";
      case "stop_pads":
        this.pads = null;
        return null;
      case "get_project":
        return this.project;
      case "set_project": {
        const p = args.project as { bpm: number | null; key: string | null; sync: boolean };
        if (p.bpm != null && (p.bpm < 20 || p.bpm > 400)) throw { kind: "bad_input", message: `project tempo ${p.bpm} BPM is outside 20..400` };
        this.project = p;
        return this.project;
      }
      case "render_heard": {
        const r = this.row(args.id as string);
        const synced = this.project.sync && (r.is_loop || (r.root_note && args.note));
        if (!synced && !r.region) return null;
        const part = r.region ? ` ${(r.region.startMs / 1000).toFixed(2)}-${(r.region.endMs / 1000).toFixed(2)}s` : "";
        const tempo = !synced ? "" : r.is_loop ? ` ${this.project.bpm}bpm ${this.project.key}` : ` ${args.note}`;
        return `/home/me/.local/share/samplemind/synced/${r.id.slice(0, 12)}/${r.name.replace(/\.\w+$/, "")}${tempo}${part}.wav`;
      }
      case "stop_audio":
        this.playing = null;
        return null;
      case "audio_state":
        return { playing: this.playing != null, path: this.playing ? this.row(this.playing).path : null, positionS: this.playing ? 0.4 : null, underruns: 0 };
      case "list_devices":
        return [{ id: "pulseaudio:mic", name: "Test mic", input: true, output: false }, { id: "pulseaudio:out", name: "Test out", input: false, output: true }];
      case "get_settings":
        return this.settingsView();
      case "set_api_key":
        this.keyring.add(args.provider as string);
        return this.settingsView();
      case "delete_api_key":
        this.keyring.delete(args.provider as string);
        return this.settingsView();
      case "save_settings":
        return null;
      case "ai_parse_search":
        return { query: { text: "dark", bpmMin: 126, bpmMax: 130, key: "A minor", category: "kick", isLoop: null, minDurationS: null, maxDurationS: null, lufsMin: null, lufsMax: null, sort: "relevance", descending: false }, modelError: null };
      case "ai_status":
        return { providers: [{ name: "ollama", local: true, enabled: true, circuitOpen: false, latencyMs: 120 }], cache: { hits: 3, misses: 1, hitRate: 0.75, entries: 4, bytes: 2048 }, cloudEnabled: false };
      case "health":
        return { status: "ok", version: "0.1.0", uptime_seconds: 12, components: [{ name: "library", status: "ok" }, { name: "audio", status: "ok", details: { engine: { state: "idle", playing: false, workers: [{ name: "samplemind-audio", running: true }] } } }], performance: { cpu_percent: 1.5, memory_mb: 80, threads: 12 } };
      case "scan_paths":
      case "rescan_library":
        return { files: 0, analysed: 0, unchanged: 0, reused: 0, failed: 0, failedBefore: 0, missing: 0, cancelled: false, seconds: 0 };
      case "cancel_scan":
        return false;
      case "api_status":
        return this.api;
      case "start_api":
        this.api = { url: `http://127.0.0.1:${(args.port as number) || 7878}`, tokenFile: "/home/me/.local/share/samplemind/api-token" };
        return this.api;
      default:
        throw { kind: "other", message: `mock: no command ${cmd}` };
    }
  }
}
