import * as path from "node:path"
import { build } from "vite"

/**
 * The desk driver as the product ships a desk: one bundle of VetSync's own code (every
 * `@vetsync/*` workspace inlined, TypeScript already compiled, as the Electron build does with
 * vite), its npm dependencies left to node_modules. The desk benchmark runs it with plain `node`,
 * so a new desk's start is not tsx compiling ~180 modules at run time. Returns the file to run.
 */
export const buildDriver = async (outDir: string): Promise<string> => {
  const here = import.meta.dirname
  await build({
    root: here,
    configFile: false,
    logLevel: "warn",
    ssr: { noExternal: [/^@vetsync\//] },
    build: {
      ssr: path.join(here, "driver.ts"),
      outDir,
      emptyOutDir: true,
      target: "node20",
      sourcemap: false,
      minify: false,
      rollupOptions: {
        external: (id: string) => id.startsWith("node:") || !/^(@vetsync\/|[./]|\/)/.test(id),
        output: { format: "es", entryFileNames: "driver.mjs" },
      },
    },
  })
  return path.join(outDir, "driver.mjs")
}
