import { existsSync, readFileSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as A from "@automerge/automerge"
import { PostgresStorageAdapter } from "@vetsync/db"
import { TestDatabase } from "@vetsync/db/testing"
import { SafeFsStorageAdapter } from "@vetsync/shared"
import { clinicAdd } from "@vetsync/sync-server"
import { productEnv, runCommand, VETSYNC_CLI as CLI } from "@vetsync/test-kit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

/** A document's changes as a relay stores them: one snapshot chunk and an incremental one. */
const docChunks = (n: number): { snapshot: Uint8Array; incremental: Uint8Array; heads: string[] } => {
  let doc = A.change(A.init<{ records: Record<string, { name: string }> }>(), d => {
    d.records = {}
    for (let i = 0; i < n; i++) d.records[`r${i}`] = { name: `Клиент ${i}` }
  })
  const snapshot = A.save(doc)
  doc = A.change(doc, d => {
    d.records.late = { name: "Поздний" }
  })
  return { snapshot, incremental: A.saveIncremental(doc), heads: A.getHeads(doc) }
}

/**
 * `vetsync relay rebuild --from postgres`: the documents of a relay that kept them in PostgreSQL
 * (automerge_chunks, VETSYNC_RELAY_STORAGE=postgres) written out as a files relay's directory, without
 * the per-peer sync states, and its known clinics from the registry.
 */
describe("vetsync relay rebuild --from postgres", () => {
  let db: TestDatabase
  let dir = ""
  beforeAll(async () => {
    db = await TestDatabase.start({ prefix: "rebuild-pg" })
    dir = await mkdtemp(join(tmpdir(), "vetsync-rebuild-pg-"))
  })
  afterAll(async () => {
    await db?.stop()
    if (dir) await rm(dir, { recursive: true, force: true })
  })

  it("writes every document's chunks as files, skips sync states, knows the registry's clinics, refuses a non-empty target", async () => {
    await clinicAdd(db.pool, "c1")
    await clinicAdd(db.pool, "c2")
    const chunks = new PostgresStorageAdapter(db.pool)
    const docs = new Map<string, string[]>()
    // more chunks than one page of the export (500)
    for (let i = 0; i < 300; i++) {
      const id = `doc${String(i).padStart(4, "0")}abcdefghij`
      const { snapshot, incremental, heads } = docChunks(1 + (i % 5))
      await chunks.save([id, "snapshot", `s${i}`], snapshot)
      await chunks.save([id, "incremental", `i${i}`], incremental)
      await chunks.save([id, "sync-state", "desk-1"], new Uint8Array([1, 2, 3]))
      docs.set(id, heads)
    }
    const target = join(dir, "relay")
    const r = await runCommand(process.execPath, [CLI, "relay", "rebuild", "--relay-data", target, "--from", "postgres", "--clinic", "c3"], {
      cwd: dir,
      env: productEnv({ DATABASE_URL: db.url }),
      ms: 110_000,
    })
    expect(r.code, r.stderr).toBe(0)
    expect(r.stdout).toContain("300 documents, 600 chunks")
    expect((JSON.parse(readFileSync(join(target, "ownership.json"), "utf8")) as { clinics: string[] }).clinics).toEqual(["c1", "c2", "c3"])
    const files = new SafeFsStorageAdapter(join(target, "docs"))
    for (const [id, heads] of docs) {
      const loaded = await files.loadRange([id])
      expect(loaded.map(c => c.key[1]).sort(), id).toEqual(["incremental", "snapshot"])
      const doc = A.loadIncremental(A.init(), new Uint8Array(Buffer.concat(loaded.map(c => c.data ?? new Uint8Array()))))
      expect(A.getHeads(doc), id).toEqual(heads)
    }
    expect(existsSync(`${target}.partial`)).toBe(false)

    const again = await runCommand(process.execPath, [CLI, "relay", "rebuild", "--relay-data", target, "--from", "postgres"], {
      cwd: dir,
      env: productEnv({ DATABASE_URL: db.url }),
      ms: 110_000,
    })
    expect(again.code).toBe(1)
    expect(again.stderr).toContain("is not empty")
  })
})
