import { describe, expect, it } from "vitest";
import { chipsOf, emptyQuery, removeChip, sameQuery } from "./filters";

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
  it("compares queries by value", () => {
    expect(sameQuery(emptyQuery(), emptyQuery())).toBe(true);
    expect(sameQuery(emptyQuery(), { ...emptyQuery(), text: "kick" })).toBe(false);
  });
});
