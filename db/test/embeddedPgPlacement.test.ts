import { cp, mkdir, mkdtemp, readFile, rm, stat, chmod } from "node:fs/promises"
import { existsSync } from "node:fs"
import { tmpdir, userInfo } from "node:os"
import { dirname, join } from "node:path"
import pg from "pg"
import { afterAll, describe, expect, it } from "vitest"
import { EmbeddedPg } from "../src/EmbeddedPg.js"
import { embeddedNative } from "../src/rootPlacement.js"

/** The mode of every existing directory from `path` up to /. */
const modes = async (path: string): Promise<Map<string, number>> => {
  const out = new Map<string, number>()
  for (let d = path; ; d = dirname(d)) {
    if (existsSync(d)) out.set(d, (await stat(d)).mode)
    if (d === dirname(d)) return out
  }
}

const query = async (url: string, sql: string): Promise<unknown[]> => {
  const c = new pg.Client({ connectionString: url })
  await c.connect()
  try {
    return (await c.query(sql)).rows as unknown[]
  } finally {
    await c.end()
  }
}

describe("embedded PostgreSQL from a checkout and data under a 0700 directory", () => {
  const cleanup: string[] = []
  afterAll(async () => {
    for (const d of cleanup) await rm(d, { recursive: true, force: true })
  })

  it("starts, keeps its data across a restart, and changes no ancestor's permission", async () => {
    // a home like /root: 0700, owned by us; the checkout (binaries) and the data directory inside it
    const home = await mkdtemp(join(tmpdir(), "vetsync-home-"))
    cleanup.push(home)
    await chmod(home, 0o700)
    const checkout = join(home, "src", "vetsync", "native")
    await cp(embeddedNative().native, checkout, { recursive: true, verbatimSymlinks: true })
    const dataDir = join(home, "data", "bridge", "pg")
    await mkdir(dirname(dataDir), { recursive: true })
    // the product's runtime directory: its own, reachable
    const runtime = join(await mkdtemp(join(tmpdir(), "vetsync-runtime-")), "embedded-pg")
    cleanup.push(dirname(runtime))
    await chmod(dirname(runtime), 0o755)

    const before = new Map([...(await modes(dataDir)), ...(await modes(checkout)), ...(await modes(join(checkout, "bin", "postgres")))])
    const first = await new EmbeddedPg({ dir: dataDir, native: checkout, runtimeDir: runtime, fast: true }).start()
    try {
      await query(first.url, "CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)")
    } finally {
      await first.stop()
    }
    const second = await new EmbeddedPg({ dir: dataDir, native: checkout, runtimeDir: runtime, fast: true }).start()
    try {
      expect(await query(second.url, "SELECT n FROM kept")).toEqual([{ n: 42 }])
      expect(second.dataDir).toBe(first.dataDir)
    } finally {
      await second.stop()
    }
    const after = new Map([...(await modes(dataDir)), ...(await modes(checkout)), ...(await modes(join(checkout, "bin", "postgres")))])
    expect([...after.entries()].filter(([d]) => before.has(d))).toEqual([...before.entries()].filter(([d]) => after.has(d)))
    expect((await stat(home)).mode & 0o777).toBe(0o700)

    if (userInfo().uid === 0) {
      // as root the cluster runs as postgres, which cannot reach into the 0700 home: both were placed in the runtime directory
      expect(second.dataDir.startsWith(runtime)).toBe(true)
      expect(second.binDir.startsWith(runtime)).toBe(true)
      expect((await readFile(join(dataDir, "LOCATION"), "utf8")).trim()).toBe(second.dataDir)
      expect((await stat(runtime)).mode & 0o777).toBe(0o755)
    } else {
      expect(second.dataDir).toBe(dataDir)
    }
  }, 120_000)

  it("a scratch cluster's data in the runtime directory is removed when it stops", async () => {
    const home = await mkdtemp(join(tmpdir(), "vetsync-home-"))
    cleanup.push(home)
    const runtime = join(await mkdtemp(join(tmpdir(), "vetsync-runtime-")), "embedded-pg")
    cleanup.push(dirname(runtime))
    await chmod(dirname(runtime), 0o755)
    const cluster = await new EmbeddedPg({ dir: join(home, "pg"), runtimeDir: runtime, fast: true, scratch: true }).start()
    const placed = cluster.dataDir
    expect(await query(cluster.url, "SELECT 1 AS one")).toEqual([{ one: 1 }])
    await cluster.dispose()
    expect(existsSync(join(placed, "PG_VERSION"))).toBe(placed === join(home, "pg"))
  }, 120_000)
})
