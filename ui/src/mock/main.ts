// The UI over the mock backend, for page tests: `?rows=N` sets the library size.
import { mockIPC } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import { MockBackend } from "./backend";

const n = Number(new URLSearchParams(location.search).get("rows") ?? "1000");
const backend = new MockBackend(n);
mockIPC((cmd, payload) => backend.handle(cmd, (payload ?? {}) as Record<string, unknown>), { shouldMockEvents: true });

declare global {
  interface Window {
    __mock: { backend: MockBackend; emit: typeof emit };
  }
}
window.__mock = { backend, emit };

await import("../main");
