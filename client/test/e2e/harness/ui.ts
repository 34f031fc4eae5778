import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { build } from "vite"

/** Builds the desk UI into a fresh directory (so parallel test files never share or race on dist/). */
export const buildUi = async (): Promise<string> => {
  const outDir = await mkdtemp(join(tmpdir(), "vetsync-ui-build-"))
  await build({
    configFile: fileURLToPath(new URL("../../../vite.config.ts", import.meta.url)),
    logLevel: "warn",
    build: { outDir, emptyOutDir: true, sourcemap: false },
  })
  return outDir
}

/** Removes a build made by buildUi. */
export const removeUi = async (dir: string | undefined): Promise<void> => {
  if (dir) await rm(dir, { recursive: true, force: true })
}
