import { describe, expect, it } from "vitest";
import * as fmt from "./format";

describe("format", () => {
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
