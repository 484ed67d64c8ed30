// How values read in a dense table: fixed widths, no noise for missing values.

export const DASH = "–";

/** 0.42 → "0.42 s", 75 → "1:15". */
export function duration(s: number | null | undefined): string {
  if (s == null || !Number.isFinite(s)) return DASH;
  if (s < 10) return `${s.toFixed(2)} s`;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  const r = Math.floor(s % 60);
  return `${m}:${r.toString().padStart(2, "0")}`;
}

/** 127.96 → "128", 87.5 → "87.5". */
export function bpm(b: number | null | undefined): string {
  if (b == null || !Number.isFinite(b)) return DASH;
  const r = Math.round(b * 10) / 10;
  return Number.isInteger(r) ? r.toFixed(0) : r.toFixed(1);
}

/** -14.04 → "-14.0". */
export function lufs(l: number | null | undefined): string {
  if (l == null || !Number.isFinite(l)) return DASH;
  return l.toFixed(1);
}

/** "A minor" → "Am", "Eb major" → "Eb". */
export function shortKey(k: string | null | undefined): string {
  if (!k) return DASH;
  const [tonic, mode] = k.split(" ");
  return mode === "minor" ? `${tonic}m` : tonic;
}

/** 100000 → "100,000", whatever the webview's locale (WebKitGTK under C has none). */
export function count(n: number): string {
  return new Intl.NumberFormat("en-US").format(n);
}

/** Bytes for humans. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** The BPM the ×2 / ÷2 buttons offer, kept within a producer's range. */
export function scaledBpm(b: number, factor: 2 | 0.5): number | null {
  const v = Math.round(b * factor * 100) / 100;
  return v >= 30 && v <= 400 ? v : null;
}

/** How a sample plays in the project: "in sync: 4 bars at 128 BPM, F minor (-4 st)", or why it
 *  plays as it is. */
export function syncText(s: { changed: boolean; bpm: number | null; bars: number | null; key: string | null; note: string | null; semitones: number; notes: string[] }): string {
  const parts: string[] = [];
  if (s.bpm != null && s.bars != null) parts.push(`${Number.isInteger(s.bars) ? s.bars : s.bars.toFixed(1)} bars at ${bpm(s.bpm)} BPM`);
  const at = s.key ?? s.note;
  if (at) parts.push(s.semitones ? `${at} (${s.semitones > 0 ? "+" : ""}${s.semitones} st)` : at);
  const head = s.changed ? `in sync: ${parts.join(", ")}` : "plays as it is";
  return s.notes.length ? `${head}; ${s.notes.join("; ")}` : head;
}

/** The 24 keys, as the project's key picker lists them. */
export const KEYS: string[] = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"].flatMap((t) => [`${t} major`, `${t} minor`]);
