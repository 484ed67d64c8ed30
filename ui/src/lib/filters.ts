// Filter chips: the visible form of a query. Each chip is one field of PageQuery; removing
// a chip clears that field.

import type { PageQuery } from "../bindings.gen";

export type Chip = { field: keyof PageQuery; label: string; value?: string };

export function emptyQuery(): PageQuery {
  return {
    text: null,
    bpmMin: null,
    bpmMax: null,
    key: null,
    keyCompatible: false,
    root: null,
    folder: null,
    category: null,
    isLoop: null,
    minDurationS: null,
    maxDurationS: null,
    lufsMin: null,
    lufsMax: null,
    tags: [],
    favourite: false,
    minRating: null,
    colour: null,
    collection: null,
    includeHidden: false,
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
  if (q.key) out.push({ field: "key", label: q.keyCompatible ? `${q.key} + compatible` : q.key });
  if (q.root) out.push({ field: "root", label: `root ${q.root}` });
  if (q.folder) out.push({ field: "folder", label: `in ${q.folder.split("/").pop() || q.folder}` });
  if (q.minDurationS != null) out.push({ field: "minDurationS", label: `≥ ${q.minDurationS} s` });
  if (q.maxDurationS != null) out.push({ field: "maxDurationS", label: `≤ ${q.maxDurationS} s` });
  if (q.lufsMin != null) out.push({ field: "lufsMin", label: `≥ ${q.lufsMin} LUFS` });
  if (q.lufsMax != null) out.push({ field: "lufsMax", label: `≤ ${q.lufsMax} LUFS` });
  if (q.favourite) out.push({ field: "favourite", label: "★ Favourites" });
  if (q.minRating) out.push({ field: "minRating", label: `≥ ${"★".repeat(q.minRating)}` });
  if (q.colour) out.push({ field: "colour", label: `● ${q.colour}` });
  if (q.collection) out.push({ field: "collection", label: `in ${q.collection}` });
  for (const t of q.tags ?? []) out.push({ field: "tags", label: `#${t}`, value: t });
  return out;
}

/** The query without the chip's field. */
export function removeChip(q: PageQuery, c: Chip): PageQuery {
  const n = { ...q };
  if (c.field === "bpmMin" || c.field === "bpmMax") {
    n.bpmMin = null;
    n.bpmMax = null;
  } else if (c.field === "tags") {
    n.tags = (q.tags ?? []).filter((t) => t !== c.value);
  } else if (c.field === "favourite") {
    n.favourite = false;
  } else if (c.field === "key") {
    n.key = null;
    n.keyCompatible = false;
  } else {
    (n as Record<string, unknown>)[c.field] = null;
  }
  return n;
}

/** The query with one more tag every row must carry (once). */
export function withTag(q: PageQuery, tag: string): PageQuery {
  const t = tag.trim().toLowerCase();
  if (!t || (q.tags ?? []).includes(t)) return q;
  return { ...q, tags: [...(q.tags ?? []), t] };
}

/** Two queries ask for the same rows. */
export function sameQuery(a: PageQuery, b: PageQuery): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
