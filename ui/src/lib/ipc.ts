// Every call to the backend goes through the generated bindings; this turns their
// `{ status, data | error }` results into values and thrown errors with a `kind`.

import type { AppError, ErrorKind } from "../bindings.gen";

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: AppError };

/** A command's failure, as the backend named it. */
export class CommandError extends Error {
  kind: ErrorKind;
  constructor(e: AppError) {
    super(e.message);
    this.kind = e.kind;
  }
}

/** The command's value, or a thrown CommandError. */
export async function call<T>(p: Promise<Result<T>>): Promise<T> {
  const r = await p;
  if (r.status === "ok") return r.data;
  throw new CommandError(r.error);
}

/** A message for any thrown value. */
export function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === "object" && e && "message" in e) return String((e as { message: unknown }).message);
  return String(e);
}
