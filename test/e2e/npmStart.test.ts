import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { EmbeddedPg } from "@vetsync/db"
import { eventually, freePort, productEnv, SupervisedProcess, VETSYNC_CLI as CLI } from "@vetsync/test-kit"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const CLIENTS = 120
/** what `vetsync dev` generates for a demo clinic of CLIENTS clients */
const PATIENTS = Math.round(CLIENTS * 1.33)

const count = async (pool: pg.Pool, sql: string): Promise<number> => Number((await pool.query<{ n: string }>(sql)).rows[0]?.n ?? 0)

/**
 * The README's first command: `npm start` (`vetsync dev`) on a fresh data directory — a relay, the
 * bridge and a desk in one process, a demo clinic generated — projects the clinic into PostgreSQL
 * (here DATABASE_URL's, as the README allows), serves the desk's UI, stops on SIGTERM with exit
 * code 0, and starts again on the same data without generating anything anew. The bridge joins the
 * relay once per start: it does not flap.
 */
describe("npm start: the whole thing on one machine", () => {
  let dir: string
  let cluster: EmbeddedPg
  let pool: pg.Pool
  let dev: SupervisedProcess
  let deskUrl: string
  const tail = (): string => dev.logOfThisStart().slice(-2000)

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "vetsync-npm-start-"))
    cluster = await new EmbeddedPg({ dir: join(dir, "pg"), fast: true, scratch: true }).start()
    const databaseUrl = await cluster.createDatabase("vetsync")
    pool = new pg.Pool({ connectionString: databaseUrl, max: 2 })
    pool.on("error", () => undefined)
    const [relayPort, deskPort] = [await freePort(), await freePort()]
    deskUrl = `http://127.0.0.1:${deskPort}`
    dev = new SupervisedProcess({
      name: "dev",
      command: process.execPath,
      args: [CLI, "dev", "--data-dir", join(dir, "data"), "--relay-port", String(relayPort), "--desk-port", String(deskPort), "--clients", String(CLIENTS)],
      env: productEnv({ DATABASE_URL: databaseUrl }),
      cwd: dir,
      logFile: join(dir, "dev.log"),
    })
  })
  afterAll(async () => {
    await dev?.stop()
    await pool?.end()
    await cluster?.dispose()
    if (!process.env.VETSYNC_KEEP_TEST_DIR) rmSync(dir, { recursive: true, force: true })
  })

  const ready = (): Promise<unknown> =>
    eventually("`vetsync dev` to say the desk is ready", () => dev.logOfThisStart().includes("desk ready"), 300_000, { describe: tail })

  it("generates the demo clinic and projects it into PostgreSQL, with its price list and staff", async () => {
    dev.start()
    await ready()
    expect(dev.logOfThisStart()).toMatch(new RegExp(`generating a demo clinic .*demo.* with ${CLIENTS} clients`))
    await eventually(
      `the demo clinic's ${CLIENTS} clients and ${PATIENTS} patients in PostgreSQL`,
      async () =>
        (await count(pool, "SELECT count(*) AS n FROM clients WHERE clinic_id = 'demo'")) === CLIENTS &&
        (await count(pool, "SELECT count(*) AS n FROM patients WHERE clinic_id = 'demo'")) === PATIENTS,
      120_000,
      { describe: async () => `${await count(pool, "SELECT count(*) AS n FROM clients")} clients so far; ${tail()}` },
    )
    expect(await count(pool, "SELECT count(*) AS n FROM nomenclature WHERE clinic_id = 'demo'")).toBeGreaterThan(1000)
    expect(await count(pool, "SELECT count(*) AS n FROM staff WHERE clinic_id = 'demo'")).toBeGreaterThan(1)
    // one connection of the bridge to the relay, joined once
    expect(dev.logOfThisStart().split("clinic demo: joined the relay").length - 1).toBe(1)
  }, 420_000)

  it("serves the desk's UI", async () => {
    const res = await fetch(deskUrl)
    expect(res.status).toBe(200)
    expect(res.headers.get("content-type")).toContain("text/html")
    expect(await res.text()).toContain("<div id=")
  })

  it("stops on SIGTERM with exit code 0, and starts again on its data without generating anything", async () => {
    await dev.stop(120_000)
    expect(dev.exits.at(-1), tail()).toMatchObject({ code: 0, expected: true })
    dev.start()
    await ready()
    expect(dev.logOfThisStart()).not.toContain("generating a demo clinic")
    expect(dev.logOfThisStart()).not.toContain("price list: ")
    expect(await count(pool, "SELECT count(*) AS n FROM clients WHERE clinic_id = 'demo'")).toBe(CLIENTS)
    await eventually("the bridge to join the relay again", () => dev.logOfThisStart().includes("clinic demo: joined the relay"), 60_000, {
      describe: tail,
    })
    expect((await fetch(deskUrl)).status).toBe(200)
  }, 420_000)
})
