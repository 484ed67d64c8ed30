import { describe, expect, it } from "vitest";
import { chipsOf, emptyQuery, removeChip, sameQuery, withTag } from "./filters";

describe("filter chips", () => {
  it("shows one chip per set filter and removing one clears only it", () => {
    const q = { ...emptyQuery(), isLoop: true, category: "drums", bpmMin: 120, bpmMax: 130, key: "A minor" };
    const chips = chipsOf(q);
    expect(chips.map((c) => c.label)).toEqual(["Loops", "drums", "120–130 BPM", "A minor"]);
    const noBpm = removeChip(q, chips[2]);
    expect(noBpm.bpmMin).toBeNull();
    expect(noBpm.bpmMax).toBeNull();
    expect(noBpm.category).toBe("drums");
  });
  it("an exact tempo reads as one number", () => {
    expect(chipsOf({ ...emptyQuery(), bpmMin: 128, bpmMax: 128 })[0].label).toBe("128 BPM");
  });
  it("marks read as chips, and removing a tag's chip takes only that tag", () => {
    const q = withTag(withTag({ ...emptyQuery(), favourite: true, minRating: 3, colour: "red", collection: "Track 12" }, "Dark"), "lofi");
    expect(withTag(q, "dark")).toBe(q);
    const chips = chipsOf(q);
    expect(chips.map((c) => c.label)).toEqual(["★ Favourites", "≥ ★★★", "● red", "in Track 12", "#dark", "#lofi"]);
    expect(removeChip(q, chips[4]).tags).toEqual(["lofi"]);
    expect(removeChip(q, chips[0]).favourite).toBe(false);
  });
  it("compares queries by value", () => {
    expect(sameQuery(emptyQuery(), emptyQuery())).toBe(true);
    expect(sameQuery(emptyQuery(), { ...emptyQuery(), text: "kick" })).toBe(false);
  });
});
