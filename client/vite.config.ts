import { svelte } from "@sveltejs/vite-plugin-svelte"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { defineConfig, type Plugin } from "vite"

const root = fileURLToPath(new URL(".", import.meta.url))
const sharedSchema = fileURLToPath(new URL("../shared/src/schema/", import.meta.url))

/**
 * The UI needs only @vetsync/shared's plain schema (records, money, validation); its index also pulls in
 * Automerge (wasm) and node:fs storage. In the browser bundle the package name resolves to the schema only.
 */
const sharedSchemaOnly = (): Plugin => {
  const id = "\0vetsync-shared-schema"
  return {
    name: "vetsync-shared-schema",
    enforce: "pre",
    resolveId: source => (source === "@vetsync/shared" ? id : null),
    load: loaded =>
      loaded === id
        ? ["records", "money", "validate", "today", "zone", "requisites", "profile"].map(m => `export * from ${JSON.stringify(`${sharedSchema}${m}.ts`)}`).join("\n")
        : null,
  }
}

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
  plugins: [sharedSchemaOnly(), svelte()],
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
