// The producer's marks as the UI edits them: one CurationEdit per click, with only the
// changed fields (a colour left out stays; `colour: null` takes the label off).

import type { Colour, CurationEdit } from "../bindings.gen";

/** The colour labels, in the engine's order. */
export const COLOURS: Colour[] = ["red", "orange", "yellow", "green", "blue", "purple", "grey"];

/** An edit that changes only what `p` names. */
export function markEdit(p: Partial<CurationEdit>): CurationEdit {
  const e: Record<string, unknown> = { favourite: null, rating: null, addTags: [], removeTags: [] };
  for (const [k, v] of Object.entries(p)) e[k] = v;
  return e as CurationEdit;
}

/** The rating a click on star `n` gives: clicking the current rating clears it. */
export function ratingAfterClick(current: number, n: number): number {
  return current === n ? 0 : n;
}
