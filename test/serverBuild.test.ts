import { randomBytes } from "node:crypto"
import { existsSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { gunzipSync } from "node:zlib"
import { READ_MODEL_VERSION } from "@vetsync/client/read-model-image"
import { TestDatabase } from "@vetsync/db/testing"
import { eventually, freePort, runCommand, SupervisedProcess } from "@vetsync/test-kit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

const REPO = fileURLToPath(new URL("..", import.meta.url))
const ADMIN_TOKEN = "build-test-admin-token-0123456789"

/** Only what a production host sets: no tsx loader, no vitest variables. */
const plainEnv = (extra: Record<string, string>): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    ...extra,
  }
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k]
  return env
}

/**
 * Issue 14 point 6: the servers built to JavaScript. `npm run build`'s script compiles into a
 * scratch directory under dist/ (the repository's node_modules serve the other packages, as in
 * production), then the built `vetsync` runs with plain node: a registry command on PostgreSQL
 * (the migrations come with the build), the relay answering /health, /ready and its admin page and
 * serving a read-model image it built with the desk's code in the build, and the bridge loading whole
 * before refusing a bad variable.
 */
describe("the servers built to JavaScript", () => {
  const out = join(REPO, "dist", `build-test-${randomBytes(4).toString("hex")}`)
  const bin = join(out, "cli/bin.js")
  let db: TestDatabase
  let relay: SupervisedProcess | undefined

  beforeAll(async () => {
    db = await TestDatabase.start({ prefix: "serverbuild", migrate: false })
    const built = await runCommand(process.execPath, ["--import", "tsx", "cli/build/buildServers.ts", "--out", out], {
      cwd: REPO,
      ms: 400_000,
    })
    expect(built.code, built.stdout + built.stderr).toBe(0)
  }, 420_000)

  afterAll(async () => {
    await relay?.stop()
    await db?.stop()
    rmSync(out, { recursive: true, force: true })
  })

  it("holds JavaScript only, each built workspace's exports naming its .js files", () => {
    for (const w of ["shared", "db", "sync-server", "bridge", "client"]) {
      const pkg = JSON.parse(readFileSync(join(out, w, "package.json"), "utf8")) as { exports: Record<string, string> }
      for (const target of Object.values(pkg.exports)) {
        expect(target, w).toMatch(/^\.\/src\/.*\.js$/)
        expect(existsSync(join(out, w, target)), `${w} ${target}`).toBe(true)
      }
      expect(existsSync(join(out, "node_modules/@vetsync", w, "package.json"))).toBe(true)
    }
    // of the desk, only the relay's read-model image builder, and its child process's script
    const client = JSON.parse(readFileSync(join(out, "client/package.json"), "utf8")) as { exports: Record<string, string> }
    expect(Object.keys(client.exports)).toEqual(["./read-model-image"])
    expect(existsSync(join(out, "client/src/core/readModelImageChild.js"))).toBe(true)
    expect(existsSync(bin)).toBe(true)
    expect(existsSync(join(out, "db/migrations/0001_records.sql"))).toBe(true)
  })

  it("runs the registry commands, the relay (/health, /ready, the admin page) and the bridge with plain node", async () => {
    const cwd = db.dir
    const add = await runCommand(process.execPath, [bin, "clinics", "add", "clinic-1"], {
      cwd,
      env: plainEnv({ DATABASE_URL: db.url }),
    })
    expect(add.code, add.stderr).toBe(0)

    const port = await freePort()
    const url = `http://127.0.0.1:${port}`
    relay = new SupervisedProcess({
      name: "relay",
      command: process.execPath,
      args: [bin, "server"],
      env: plainEnv({
        DATABASE_URL: db.url,
        PORT: String(port),
        VETSYNC_DATA_DIR: join(db.dir, "relay"),
        VETSYNC_ADMIN_TOKEN: ADMIN_TOKEN,
        VETSYNC_LOG_FORMAT: "json",
      }),
      cwd,
      logFile: join(db.dir, "relay.log"),
    })
    relay.start()
    const health = await eventually(
      "the built relay's /health",
      async () => {
        const r = await fetch(`${url}/health`).catch(() => null)
        return r?.status === 200 ? ((await r.json()) as { ok: boolean }) : undefined
      },
      60_000,
      { describe: () => relay?.logOfThisStart().slice(-1500) ?? "" },
    )
    expect(health.ok).toBe(true)
    await eventually("the built relay's /ready", async () => (await fetch(`${url}/ready`)).status === 200, 60_000)
    const admin = await fetch(`${url}/admin.json`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })
    expect(admin.status).toBe(200)
    expect(((await admin.json()) as { clinics: { clinicId: string }[] }).clinics.map(c => c.clinicId)).toEqual([
      "clinic-1",
    ])
    // a desk of clinic-1, added with the built command and enrolled at the built relay, gets the
    // clinic's read-model image: 404 while the first is built (by the desk's code in the build, in a
    // child process), then the image, a gzip'd SQLite database
    const added = await runCommand(process.execPath, [bin, "desks", "add", "--clinic", "clinic-1"], {
      cwd,
      env: plainEnv({ DATABASE_URL: db.url }),
    })
    expect(added.code, added.stderr).toBe(0)
    const enrolled = await fetch(`${url}/enrol`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: added.stdout.trim().split("\n").at(-1)?.trim() }),
    })
    expect(enrolled.status).toBe(200)
    const { credential } = (await enrolled.json()) as { credential: string }
    const image = await eventually(
      "the built relay's read-model image of clinic-1",
      async () => {
        const r = await fetch(`${url}/clinics/clinic-1/read-model?version=${READ_MODEL_VERSION}`, {
          headers: { authorization: `Bearer ${credential}` },
        })
        return r.status === 200 ? r : (await r.body?.cancel(), undefined)
      },
      60_000,
      { describe: () => relay?.logOfThisStart().slice(-1500) ?? "" },
    )
    expect(image.headers.get("content-type")).toBe("application/gzip")
    const sqlite = gunzipSync(Buffer.from(await image.arrayBuffer()))
    expect(sqlite.subarray(0, 16).toString("latin1")).toBe("SQLite format 3\0")
    // nothing was loaded through a TypeScript loader
    expect(relay.logOfThisStart()).not.toMatch(/\.ts\b/)

    const bridge = await runCommand(process.execPath, [bin, "bridge"], {
      cwd,
      env: plainEnv({ VETSYNC_BRIDGE_PORT: "not-a-port" }),
    })
    expect(bridge.code).toBe(1)
    expect(bridge.stderr).toContain('VETSYNC_BRIDGE_PORT is "not-a-port"')

    // the desk is not in the server build: the built command says where it is
    const desk = await runCommand(process.execPath, [bin, "desk", "--data-dir", join(db.dir, "desk")], {
      cwd,
      env: plainEnv({}),
    })
    expect(desk.code).toBe(1)
    expect(desk.stderr).toContain("the built vetsync (dist/) has no desk: run it from the sources, npx vetsync desk")
  })
})
