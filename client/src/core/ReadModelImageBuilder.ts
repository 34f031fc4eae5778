import { fork, type ChildProcess } from "node:child_process"
import { fileURLToPath } from "node:url"
import type { ReadModelImageBuilt } from "./buildReadModelImage.js"

/** What a read-model image build is given: one clinic's snapshot (gzip'd NDJSON) and where its image goes. */
export interface ImageBuildRequest {
  clinicId: string
  snapshotGz: Uint8Array
  /** the image, gzip'd SQLite */
  out: string
}

export type ImageBuildReply = { ok: true; built: ReadModelImageBuilt } | { ok: false; error: string }

/**
 * Builds read-model images (buildReadModelImage) for a relay, each in a child process of its own
 * that exits when it is done: the relay's event loop never runs a bulk load, its memory is all given
 * back after each build (a worker thread's would stay with the process), and a build that fails
 * hard takes nothing down with it. Built JavaScript runs readModelImageChild.js; from the TypeScript
 * sources readModelImageChild.boot.mjs registers tsx's loader first. `build` has the relay's
 * ImageBuild signature (sync-server's ReadModelImages).
 */
export class ReadModelImageBuilder {
  readonly #running = new Set<ChildProcess>()

  build = (req: ImageBuildRequest): Promise<ReadModelImageBuilt> => {
    const self = import.meta.url
    const script = fileURLToPath(new URL(self.endsWith(".ts") ? "./readModelImageChild.boot.mjs" : "./readModelImageChild.js", self))
    // structured clone over the channel: the snapshot goes as bytes, not as JSON
    const child = fork(script, [], { serialization: "advanced", stdio: ["ignore", "inherit", "inherit", "ipc"] })
    this.#running.add(child)
    return new Promise<ReadModelImageBuilt>((resolve, reject) => {
      let replied = false
      child.once("message", (reply: ImageBuildReply) => {
        replied = true
        if (reply.ok) resolve(reply.built)
        else reject(new Error(reply.error))
      })
      child.once("error", e => reject(e))
      child.once("exit", (code, signal) => {
        this.#running.delete(child)
        if (!replied) reject(new Error(`the read-model image build exited (${signal ?? code}) before it answered`))
      })
      child.send(req)
    })
  }

  /** Stops any build under way (its promise rejects). */
  async close(): Promise<void> {
    await Promise.all(
      [...this.#running].map(
        child =>
          new Promise<void>(resolve => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve()
            child.once("exit", () => resolve())
            child.kill("SIGKILL")
          }),
      ),
    )
  }
}

/** the read model's schema version: the images a desk of this code takes */
export { READ_MODEL_VERSION } from "./readmodel/schema.js"
