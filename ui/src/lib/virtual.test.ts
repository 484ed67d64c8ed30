import { describe, expect, it } from "vitest";
import { pagesFor, pagesToDrop, scrollToReveal, visibleRange } from "./virtual";

describe("visibleRange", () => {
  it("renders only the rows in view plus overscan, at any library size", () => {
    const r = visibleRange(26 * 50_000, 520, 26, 100_000, 8);
    expect(r).toEqual({ first: 49_992, last: 50_028 });
    expect(r.last - r.first).toBeLessThan(40);
  });
  it("clamps at both ends", () => {
    expect(visibleRange(0, 520, 26, 5, 8)).toEqual({ first: 0, last: 5 });
    expect(visibleRange(10_000, 520, 26, 100, 8).last).toBe(100);
    expect(visibleRange(0, 520, 26, 0)).toEqual({ first: 0, last: 0 });
  });
});

describe("pagesFor", () => {
  it("covers a window that straddles a page boundary", () => {
    expect(pagesFor(190, 230, 200)).toEqual([0, 1]);
    expect(pagesFor(200, 400, 200)).toEqual([1]);
    expect(pagesFor(5, 5, 200)).toEqual([]);
  });
});

describe("scrollToReveal", () => {
  it("scrolls just enough to show a row above or below, and not at all when visible", () => {
    expect(scrollToReveal(10, 0, 260, 26)).toBe(26);
    expect(scrollToReveal(2, 260, 260, 26)).toBe(52);
    expect(scrollToReveal(3, 0, 260, 26)).toBeNull();
  });
});

describe("pagesToDrop", () => {
  it("drops the pages farthest from the view down to the limit", () => {
    expect(pagesToDrop([0, 1, 2, 3, 4, 5], [5], 4).sort()).toEqual([0, 1]);
    expect(pagesToDrop([10, 11, 30, 49, 50], [49, 50], 3).sort((a, b) => a - b)).toEqual([10, 11]);
  });
  it("keeps everything under the limit, and never a page in view", () => {
    expect(pagesToDrop([0, 1, 2], [2], 4)).toEqual([]);
    expect(pagesToDrop([3, 4, 5], [3, 4, 5], 1)).toEqual([]);
    expect(pagesToDrop([0, 1], [], 1)).toEqual([]);
  });
});
