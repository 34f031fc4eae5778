import { svelte } from "@sveltejs/vite-plugin-svelte"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { defineConfig } from "vite"

const root = fileURLToPath(new URL(".", import.meta.url))
/**
 * `npm run dev:ui` serves the UI itself, so the page has no desk API secret in it: the proxy adds
 * the running desk's (`desk-api.secret` in its data directory: VETSYNC_DESK_DATA_DIR, default
 * the `npm start` desk's) to every /api request. The Origin and Host the proxy passes on are
 * vite's own, which the desk accepts as same-origin.
 */
const deskDataDir = process.env.VETSYNC_DESK_DATA_DIR ?? fileURLToPath(new URL("../.vetsync/desk-1", import.meta.url))
const deskSecret = (): string => {
  try {
    return readFileSync(join(deskDataDir, "desk-api.secret"), "utf8").trim()
  } catch {
    return ""
  }
}

/** The desk UI: one build for Electron (file://, relative base) and for `vetsync desk` (served at /). */
export default defineConfig({
  root,
  base: "./",
  plugins: [svelte()],
  build: {
    outDir: "dist/ui",
    emptyOutDir: true,
    target: "es2022",
    sourcemap: true,
  },
  server: {
    host: "127.0.0.1",
    proxy: {
      "/api": {
        target: process.env.VETSYNC_DESK_URL ?? "http://127.0.0.1:4800",
        configure: proxy => proxy.on("proxyReq", req => req.setHeader("x-vetsync-desk-secret", deskSecret())),
      },
    },
  },
})
