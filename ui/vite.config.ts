import { defineConfig } from "vitest/config";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// `vite build` makes the app (ui/dist, embedded by the Tauri binary). `vite build --mode mock`
// makes the same UI over an in-page fake backend (mockIPC) for the page tests in Chromium;
// it is never shipped.
export default defineConfig(({ mode }) => ({
  plugins: [svelte()],
  clearScreen: false,
  build: {
    outDir: mode === "mock" ? "dist-mock" : "dist",
    target: "es2022",
    rollupOptions: {
      input: mode === "mock" ? "mock.html" : "index.html",
    },
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
}));
