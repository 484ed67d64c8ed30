// Windowing for the library table: which rows to render for a scroll position, and which
// pages of rows to fetch. Pure functions, unit-tested; the table stays O(visible rows)
// whether the library has 100 or 100,000 samples.

/** Rows to render: [first, last) around the viewport, with `overscan` rows either side. */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 8,
): { first: number; last: number } {
  if (total <= 0 || rowHeight <= 0) return { first: 0, last: 0 };
  const first = Math.min(total, Math.max(0, Math.floor(scrollTop / rowHeight) - overscan));
  const last = Math.min(total, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return { first, last: Math.max(first, last) };
}

/** Page indexes (of `pageSize` rows) covering rows [first, last). */
export function pagesFor(first: number, last: number, pageSize: number): number[] {
  if (last <= first) return [];
  const out: number[] = [];
  for (let p = Math.floor(first / pageSize); p <= Math.floor((last - 1) / pageSize); p++) out.push(p);
  return out;
}

/**
 * Pages to drop so that at most `max` stay held: the farthest from the pages in view first,
 * never one in view. Bounds what the table keeps in memory however far it is scrolled.
 */
export function pagesToDrop(held: Iterable<number>, inView: number[], max: number): number[] {
  const pages = [...held];
  if (pages.length <= max || inView.length === 0) return [];
  const lo = Math.min(...inView);
  const hi = Math.max(...inView);
  const distance = (p: number) => (p < lo ? lo - p : p > hi ? p - hi : 0);
  return pages
    .filter((p) => distance(p) > 0)
    .sort((a, b) => distance(b) - distance(a))
    .slice(0, pages.length - max);
}

/** The scrollTop that brings row `index` into view, or null when it already is. */
export function scrollToReveal(
  index: number,
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
): number | null {
  const top = index * rowHeight;
  if (top < scrollTop) return top;
  if (top + rowHeight > scrollTop + viewportHeight) return top + rowHeight - viewportHeight;
  return null;
}
