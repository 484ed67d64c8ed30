import { describe, expect, it } from "vitest";
import { visibleFolders } from "./folders";

const all = [
  { path: "/s/Drums", count: 3 },
  { path: "/s", count: 7 },
  { path: "/s/Drums/Loops", count: 1 },
  { path: "/s/Keys", count: 4 },
  { path: "/s/Drumsets", count: 0 },
];

describe("folder tree", () => {
  it("shows the top folder closed, then its children once opened", () => {
    expect(visibleFolders(all, new Set()).map((r) => r.name)).toEqual(["/s"]);
    const open = visibleFolders(all, new Set(["/s"]));
    expect(open.map((r) => [r.name, r.depth, r.hasChildren])).toEqual([
      ["/s", 0, true],
      ["Drums", 1, true],
      ["Drumsets", 1, false],
      ["Keys", 1, false],
    ]);
    expect(visibleFolders(all, new Set(["/s", "/s/Drums"])).map((r) => r.name)).toContain("Loops");
  });
  it("a child of a closed folder stays hidden even when it is open itself", () => {
    expect(visibleFolders(all, new Set(["/s/Drums"])).map((r) => r.name)).toEqual(["/s"]);
  });
});
