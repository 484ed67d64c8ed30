// The library table's data: the current query, its total, and pages of rows fetched on
// demand as the table scrolls (a 100,000-row library never crosses the bridge at once), at
// most HELD_PAGES of them kept: scrolled-past pages are dropped and fetched again if needed.

import { commands, type PageQuery, type SampleSummary } from "../bindings.gen";
import { call } from "./ipc";
import { pagesFor, pagesToDrop } from "./virtual";
import { emptyQuery, sameQuery } from "./filters";

export const PAGE = 200;
/** Pages kept at most: 2,000 rows, dozens of screens around the view. */
export const HELD_PAGES = 10;

export class Rows {
  query = $state<PageQuery>(emptyQuery());
  total = $state(0);
  /** Bumped when pages arrive, so views re-read `row()`. */
  version = $state(0);
  problems = $state<string[]>([]);
  loading = $state(false);
  private pages = new Map<number, SampleSummary[]>();
  private inflight = new Map<number, Promise<void>>();
  private inView: number[] = [];
  private epoch = 0;

  /** Run a new query (or the same one again after the library changed). */
  async setQuery(q: PageQuery, force = false): Promise<void> {
    if (!force && sameQuery(q, this.query) && this.pages.size > 0) return;
    this.query = q;
    await this.reload();
  }

  /** Drop every page and fetch the first again. */
  async reload(): Promise<void> {
    this.epoch++;
    this.pages.clear();
    this.inflight.clear();
    this.loading = true;
    try {
      await this.fetch(0);
    } finally {
      this.loading = false;
    }
  }

  /** The row at `i`, when its page has arrived. */
  row(i: number): SampleSummary | undefined {
    return this.pages.get(Math.floor(i / PAGE))?.[i % PAGE];
  }

  /** Make sure rows [first, last) are fetched. */
  ensure(first: number, last: number): void {
    this.inView = pagesFor(first, last, PAGE);
    for (const p of this.inView) {
      if (!this.pages.has(p) && !this.inflight.has(p)) void this.fetch(p);
    }
  }

  /** Index of the row with `id` among the pages held, or -1. */
  indexOf(id: string): number {
    for (const [p, rows] of this.pages) {
      const i = rows.findIndex((r) => r.id === id);
      if (i >= 0) return p * PAGE + i;
    }
    return -1;
  }

  private fetch(page: number): Promise<void> {
    const epoch = this.epoch;
    const job = call(commands.searchSamples(this.query, page * PAGE, PAGE))
      .then((res) => {
        if (epoch !== this.epoch) return;
        this.pages.set(page, res.rows);
        for (const p of pagesToDrop(this.pages.keys(), this.inView, HELD_PAGES)) this.pages.delete(p);
        this.total = res.total;
        this.problems = res.problems;
        this.version++;
      })
      .finally(() => this.inflight.delete(page));
    this.inflight.set(page, job);
    return job;
  }
}
