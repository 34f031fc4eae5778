import { fileURLToPath } from "node:url"
import { build } from "vite"

/**
 * Bundles the Electron shell into dist-electron/: main.js (ESM, Node deps stay external and are
 * packed by electron-builder) and preload.cjs (one CommonJS file: sandboxed preloads cannot
 * require local modules). Run with `tsx electron/build.ts` after `vite build` of the UI.
 */
const root = fileURLToPath(new URL("..", import.meta.url))
const outDir = fileURLToPath(new URL("../dist-electron", import.meta.url))

export const buildElectron = async (): Promise<void> => {
  await build({
    root,
    configFile: false,
    logLevel: "warn",
    build: {
      ssr: fileURLToPath(new URL("./main.ts", import.meta.url)),
      outDir,
      emptyOutDir: true,
      target: "node20",
      sourcemap: true,
      rollupOptions: { external: ["electron", /^node:/], output: { format: "es", entryFileNames: "main.js" } },
    },
  })
  await build({
    root,
    configFile: false,
    logLevel: "warn",
    ssr: { noExternal: true },
    build: {
      ssr: fileURLToPath(new URL("./preload.ts", import.meta.url)),
      outDir,
      emptyOutDir: false,
      target: "node20",
      rollupOptions: { external: ["electron"], output: { format: "cjs", entryFileNames: "preload.cjs" } },
    },
  })
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  buildElectron().catch(e => {
    console.error(e)
    process.exit(1)
  })
}
