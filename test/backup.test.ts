import { createHash } from "node:crypto"
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { mkdtemp, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { EmbeddedPg, migrate } from "@vetsync/db"
import { TestDatabase } from "@vetsync/db/testing"
import { productEnv, runCommand, VETSYNC_CLI as CLI } from "@vetsync/test-kit"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

// pg_dump ships with the system (Debian's postgresql-client-15), the embedded server is 17: the
// round trip runs against the system's own PostgreSQL 15 server, as DATABASE_URL
const PG15 = "/usr/lib/postgresql/15"

/** Every file under `dir` but sync states, with its checksum. */
const tree = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {}
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name)
      if (e.isDirectory()) {
        if (e.name !== "sync-state") walk(p)
      } else out[relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex")
    }
  }
  walk(dir)
  return out
}

describe.runIf(existsSync(join(PG15, "bin", "postgres")))("vetsync backup and restore", () => {
  let dir = ""
  let cluster: EmbeddedPg
  let sourceUrl = ""
  const vetsync = (args: string[], env: Record<string, string> = {}) =>
    runCommand(process.execPath, [CLI, ...args], { cwd: dir, env: productEnv(env), ms: 110_000 })

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "vetsync-backup-"))
    cluster = await new EmbeddedPg({ dir: join(dir, "pg15"), native: PG15, fast: true, scratch: true }).start()
    sourceUrl = await cluster.createDatabase("source")
    const pool = new pg.Pool({ connectionString: sourceUrl })
    await migrate(pool)
    await pool.end()
    const seeded = await vetsync(["seed", "--data-dir", "relay", "--clinic", "c1", "--clients", "40"])
    expect(seeded.code, seeded.stderr).toBe(0)
    // what a relay that ran on these documents keeps beside them (seed writes documents only)
    writeFileSync(join(dir, "relay", "ownership.json"), JSON.stringify({ v: 1, clinics: ["c1"], owners: {} }))
    const added = await vetsync(["clinics", "add", "c1", "--name", "Айболит"], { DATABASE_URL: sourceUrl })
    expect(added.code, added.stderr).toBe(0)
  })
  afterAll(async () => {
    await cluster?.dispose()
    await rm(dir, { recursive: true, force: true })
  })

  it("backs up the relay's documents and PostgreSQL with a manifest, and restores both exactly", async () => {
    const made = await vetsync(["backup", "--out", "b1", "--relay-data", "relay"], { DATABASE_URL: sourceUrl })
    expect(made.code, made.stderr).toBe(0)
    const manifest = JSON.parse(readFileSync(join(dir, "b1", "manifest.json"), "utf8")) as {
      relay: { documents: number; files: { path: string }[] }
      postgres: { serverVersion: string; migrations: number[] }
    }
    const docDirs = readdirSync(join(dir, "relay", "docs"), { withFileTypes: true })
      .filter(a => a.isDirectory())
      .flatMap(a => readdirSync(join(dir, "relay", "docs", a.name), { withFileTypes: true }).filter(b => b.isDirectory()))
    expect(manifest.relay.documents).toBe(docDirs.length)
    expect(manifest.relay.documents).toBeGreaterThan(10)
    expect(manifest.postgres.serverVersion).toMatch(/^15\./)
    expect(manifest.postgres.migrations.length).toBeGreaterThan(0)

    const targetUrl = await cluster.createDatabase("target")
    const restored = await vetsync(["restore", "--from", "b1", "--relay-data", "relay2"], { DATABASE_URL: targetUrl })
    expect(restored.code, restored.stderr).toBe(0)
    const source = tree(join(dir, "relay", "docs"))
    expect(Object.keys(source).length).toBeGreaterThanOrEqual(docDirs.length)
    expect(tree(join(dir, "relay2", "docs"))).toEqual(source)
    expect(readFileSync(join(dir, "relay2", "ownership.json"), "utf8")).toBe(readFileSync(join(dir, "relay", "ownership.json"), "utf8"))
    const shown = await vetsync(["clinics", "show", "c1"], { DATABASE_URL: targetUrl })
    expect(shown.code, shown.stderr).toBe(0)
    expect(shown.stdout).toContain("Айболит")

    // restoring again refuses: the relay directory and the database are no longer empty
    const again = await vetsync(["restore", "--from", "b1", "--relay-data", "relay2"], { DATABASE_URL: targetUrl })
    expect(again.code).toBe(1)
    expect(again.stderr).toContain("already holds a relay's documents")
    const dbAgain = await vetsync(["restore", "--from", "b1", "--no-relay"], { DATABASE_URL: targetUrl })
    expect(dbAgain.code).toBe(1)
    expect(dbAgain.stderr).toContain("already holds a VetSync schema")
  })

  it("refuses a damaged or mismatched backup, naming what is wrong, and writes nothing", async () => {
    const made = await vetsync(["backup", "--out", "b2", "--relay-data", "relay", "--no-postgres"])
    expect(made.code, made.stderr).toBe(0)
    const manifestFile = join(dir, "b2", "manifest.json")
    const manifest = readFileSync(manifestFile, "utf8")
    const { relay } = JSON.parse(manifest) as { relay: { files: { path: string }[] } }
    const victim = join(dir, "b2", relay.files.find(f => f.path.includes("/snapshot/") || f.path.includes("/incremental/"))!.path)
    const original = readFileSync(victim)

    const restoreInto = async (target: string) => {
      const r = await vetsync(["restore", "--from", "b2", "--relay-data", target, "--no-postgres"])
      expect(existsSync(join(dir, target)), `${target} was written`).toBe(false)
      return r
    }
    const damaged = Buffer.from(original)
    const at = damaged.length >> 1
    damaged.writeUInt8(damaged.readUInt8(at) ^ 0xff, at)
    writeFileSync(victim, damaged)
    let r = await restoreInto("t1")
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("does not match its checksum")
    writeFileSync(victim, original)

    writeFileSync(manifestFile, manifest.replace('"formatVersion": 1', '"formatVersion": 2'))
    r = await restoreInto("t2")
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("format version 2")

    writeFileSync(manifestFile, manifest.slice(0, manifest.length >> 1))
    r = await restoreInto("t3")
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("damaged")

    writeFileSync(manifestFile, manifest)
    r = await vetsync(["restore", "--from", "b2", "--relay-data", "t4"])
    expect(r.code).toBe(1)
    expect(r.stderr).toContain("holds no PostgreSQL dump")

    // intact again: it restores
    r = await vetsync(["restore", "--from", "b2", "--relay-data", "t5", "--no-postgres"])
    expect(r.code, r.stderr).toBe(0)
    expect(tree(join(dir, "t5", "docs"))).toEqual(tree(join(dir, "relay", "docs")))
  })

  it("says which pg_dump it needs when the server is newer than the system's (the embedded PostgreSQL 17)", async () => {
    const embedded = await TestDatabase.start({ prefix: "backup17" })
    try {
      const r = await vetsync(["backup", "--out", "b3", "--no-relay"], { DATABASE_URL: embedded.url })
      expect(r.code).toBe(1)
      expect(r.stderr).toMatch(/older than the PostgreSQL server \(17\.[^)]*\).*install postgresql-client-17/)
      expect(existsSync(join(dir, "b3", "manifest.json"))).toBe(false)
    } finally {
      await embedded.stop()
    }
  })
})
