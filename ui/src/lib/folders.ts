// The folder tree as rows: the library's folders (in path order, each with its count) shown
// nested, a folder's children only while it is open.

import type { FolderCount } from "../bindings.gen";

export type FolderRow = { path: string; name: string; depth: number; count: number; hasChildren: boolean };

/** The rows to show: every top folder, and the children of each open one, in path order. */
export function visibleFolders(all: FolderCount[], open: Set<string>): FolderRow[] {
  const sorted = [...all].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const out: FolderRow[] = [];
  // The chain of folders above the current one, outermost first.
  const chain: { path: string; shown: boolean }[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const f = sorted[i];
    while (chain.length && !f.path.startsWith(chain[chain.length - 1].path + "/")) chain.pop();
    const parent = chain[chain.length - 1];
    const shown = !parent || (parent.shown && open.has(parent.path));
    const next = sorted[i + 1];
    if (shown) {
      const name = parent ? f.path.slice(parent.path.length + 1) : f.path;
      out.push({ path: f.path, name, depth: chain.length, count: f.count, hasChildren: !!next && next.path.startsWith(f.path + "/") });
    }
    chain.push({ path: f.path, shown });
  }
  return out;
}
