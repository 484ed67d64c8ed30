// Filter chips: the visible form of a query. Each chip is one field of PageQuery; removing
// a chip clears that field.

import type { PageQuery } from "../bindings.gen";

export type Chip = { field: keyof PageQuery; label: string };

export function emptyQuery(): PageQuery {
  return {
    text: null,
    bpmMin: null,
    bpmMax: null,
    key: null,
    category: null,
    isLoop: null,
    minDurationS: null,
    maxDurationS: null,
    lufsMin: null,
    lufsMax: null,
    sort: "relevance",
    descending: false,
  };
}

/** The chips a query shows (words stay in the search box). */
export function chipsOf(q: PageQuery): Chip[] {
  const out: Chip[] = [];
  if (q.isLoop === true) out.push({ field: "isLoop", label: "Loops" });
  if (q.isLoop === false) out.push({ field: "isLoop", label: "One-shots" });
  if (q.category) out.push({ field: "category", label: q.category });
  if (q.bpmMin != null || q.bpmMax != null) {
    const lo = q.bpmMin ?? 0;
    const hi = q.bpmMax ?? Infinity;
    out.push({
      field: "bpmMin",
      label: hi === Infinity ? `≥ ${lo} BPM` : lo === hi ? `${lo} BPM` : `${lo}–${hi} BPM`,
    });
  }
  if (q.key) out.push({ field: "key", label: q.key });
  if (q.minDurationS != null) out.push({ field: "minDurationS", label: `≥ ${q.minDurationS} s` });
  if (q.maxDurationS != null) out.push({ field: "maxDurationS", label: `≤ ${q.maxDurationS} s` });
  if (q.lufsMin != null) out.push({ field: "lufsMin", label: `≥ ${q.lufsMin} LUFS` });
  if (q.lufsMax != null) out.push({ field: "lufsMax", label: `≤ ${q.lufsMax} LUFS` });
  return out;
}

/** The query without the chip's field. */
export function removeChip(q: PageQuery, c: Chip): PageQuery {
  const n = { ...q };
  if (c.field === "bpmMin" || c.field === "bpmMax") {
    n.bpmMin = null;
    n.bpmMax = null;
  } else {
    (n as Record<string, unknown>)[c.field] = null;
  }
  return n;
}

/** Two queries ask for the same rows. */
export function sameQuery(a: PageQuery, b: PageQuery): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
