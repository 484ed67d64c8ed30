import { describe, expect, it } from "vitest";
import * as fmt from "./format";

describe("format", () => {
  it("says how a sample plays in the project, and why a part is left", () => {
    expect(fmt.syncText({ changed: true, bpm: 128, bars: 4, key: "F minor", note: null, semitones: -4, notes: [] })).toBe("in sync: 4 bars at 128 BPM, F minor (-4 st)");
    expect(fmt.syncText({ changed: true, bpm: 128, bars: 2, key: null, note: null, semitones: 0, notes: ["no key reading: plays at its own pitch"] })).toBe("in sync: 2 bars at 128 BPM; no key reading: plays at its own pitch");
    expect(fmt.syncText({ changed: false, bpm: null, bars: null, key: null, note: null, semitones: 0, notes: ["no tempo reading: plays at its own tempo"] })).toBe("plays as it is; no tempo reading: plays at its own tempo");
    expect(fmt.KEYS).toHaveLength(24);
  });
  it("reads durations the way a producer does", () => {
    expect(fmt.duration(0.4213)).toBe("0.42 s");
    expect(fmt.duration(12.34)).toBe("12.3 s");
    expect(fmt.duration(75)).toBe("1:15");
    expect(fmt.duration(null)).toBe(fmt.DASH);
  });
  it("rounds tempi to a tenth and drops .0", () => {
    expect(fmt.bpm(127.96)).toBe("128");
    expect(fmt.bpm(87.5)).toBe("87.5");
    expect(fmt.bpm(undefined)).toBe(fmt.DASH);
  });
  it("groups counts the same in every locale", () => {
    expect(fmt.count(100000)).toBe("100,000");
    expect(fmt.count(7)).toBe("7");
  });
  it("shortens keys", () => {
    expect(fmt.shortKey("A minor")).toBe("Am");
    expect(fmt.shortKey("Eb major")).toBe("Eb");
  });
  it("offers ×2 / ÷2 only inside a musical range", () => {
    expect(fmt.scaledBpm(85, 2)).toBe(170);
    expect(fmt.scaledBpm(174, 0.5)).toBe(87);
    expect(fmt.scaledBpm(250, 2)).toBeNull();
    expect(fmt.scaledBpm(50, 0.5)).toBeNull();
  });
});
