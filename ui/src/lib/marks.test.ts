import { describe, expect, it } from "vitest";
import { markEdit, ratingAfterClick } from "./marks";

describe("marks", () => {
  it("an edit sends only what changed: a colour left out stays, null clears it", () => {
    expect("colour" in markEdit({ favourite: true })).toBe(false);
    expect(markEdit({ colour: null })).toEqual({ favourite: null, rating: null, addTags: [], removeTags: [], colour: null });
    expect(markEdit({ addTags: ["dark"] }).addTags).toEqual(["dark"]);
  });
  it("clicking the current rating clears it", () => {
    expect(ratingAfterClick(3, 3)).toBe(0);
    expect(ratingAfterClick(3, 5)).toBe(5);
  });
});
