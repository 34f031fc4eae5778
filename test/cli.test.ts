import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { VETSYNC_CLI as CLI } from "@vetsync/test-kit"

/** Runs `vetsync ...` in an empty directory with no DATABASE_URL; returns what it printed and left behind. */
const vetsync = async (args: string[], env: Record<string, string> = {}) => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), "vetsync-cli-"))
  const base = { ...process.env }
  delete base.DATABASE_URL
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...base, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  })
  let out = ""
  let err = ""
  child.stdout.on("data", (d: Buffer) => (out += d.toString()))
  child.stderr.on("data", (d: Buffer) => (err += d.toString()))
  const code = await new Promise<number | null>(resolve => child.once("close", c => resolve(c)))
  const left = fs.readdirSync(cwd)
  fs.rmSync(cwd, { recursive: true, force: true })
  return { code, out, err, left }
}

const COMMANDS: string[][] = [
  ["dev"],
  ["server"],
  ["desk"],
  ["bridge"],
  ["price"],
  ["price", "set"],
  ["price", "list"],
  ["import"],
  ["clinics"],
  ["clinics", "add"],
  ["clinics", "list"],
  ["clinics", "show"],
  ["clinics", "set"],
  ["desks"],
  ["desks", "add"],
  ["desks", "list"],
  ["desks", "revoke"],
  ["services"],
  ["services", "add"],
  ["seed"],
  ["backup"],
  ["restore"],
  ["relay"],
  ["relay", "rebuild"],
]

describe("the vetsync command", () => {
  it("prints the list of commands", async () => {
    const r = await vetsync(["--help"])
    expect(r.code).toBe(0)
    for (const [c] of COMMANDS) expect(r.out).toContain(`vetsync ${c}`)
  })

  it("answers --help (and -h) on every command and subcommand with its usage, opening and creating nothing", async () => {
    for (let i = 0; i < COMMANDS.length; i += 4)
      await Promise.all(
        COMMANDS.slice(i, i + 4).map(async words => {
          const [r, short] = await Promise.all([vetsync([...words, "--help"]), vetsync([...words, "-h"])])
          expect(r.code, `${words.join(" ")}: ${r.err}`).toBe(0)
          expect(r.out).toContain(`vetsync ${words[0]}`)
          expect(r.left, words.join(" ")).toEqual([])
          expect(short.code).toBe(0)
          expect(short.out).toBe(r.out)
        }),
      )
  })

  it("refuses wrong arguments with the usage (exit 2) before opening or creating anything", async () => {
    const cases = [
      ["desks", "frobnicate"],
      ["desks", "add"],
      ["clinics", "add"],
      ["services", "add", "bridge", "extra"],
      ["desks", "add", "--clinic", "c1", "--colour", "red"],
      ["desks", "add", "--clinic", "c1", "--code", "d1"],
      ["desks", "add", "--clinic", "c1", "--code", "DESK-1"],
      ["desks", "list", "--tz", "Europe/Moscow"],
      ["clinics", "set", "c1"],
      ["clinics", "set", "c1", "--inn", "7707083894"],
      ["clinics", "set", "c1", "--kpp", "77360100"],
      ["clinics", "set", "c1", "--tz", "Moscow"],
      ["clinics", "set", "c1", "--account", "4070281"],
      ["clinics", "set", "c1", "--code", "D1"],
      ["clinics", "show"],
      ["server", "--port", "1"],
      ["bridge", "now"],
      ["seed"],
      ["seed", "--data-dir", "x", "--clients", "many"],
      ["relay", "rebuild", "--from", "postgres"],
      ["relay", "rebuild", "--relay-data", "r", "--from", "bridge-replica"],
      ["relay", "rebuild", "--relay-data", "r", "--from", "backup"],
      ["relay", "rebuild", "--relay-data", "r", "--from", "postgres", "extra"],
      ["relay", "restore", "--relay-data", "r", "--from", "postgres"],
    ]
    const results = await Promise.all(cases.map(args => vetsync(args)))
    results.forEach((r, i) => {
      const args = cases[i]!.join(" ")
      expect(r.code, `${args}: ${r.err}`).toBe(2)
      expect(r.err).toMatch(/usage:/)
      expect(r.left, args).toEqual([])
    })
    // the mistake is named, not only the usage
    expect(results[cases.findIndex(c => c.includes("7707083894"))]!.err).toContain(
      "--inn must be 10 or 12 digits with valid control digits",
    )
    expect(results[cases.findIndex(c => c.includes("Moscow") && c[0] === "clinics")]!.err).toContain(
      "--tz must be an IANA time zone",
    )
    expect(results[cases.findIndex(c => c.includes("d1"))]!.err).toContain('invalid desk code "d1"')
    const unknown = await vetsync(["frobnicate"])
    expect(unknown.code).toBe(2)
    expect(unknown.err).toMatch(/unknown command frobnicate/)
  })

  it("backup and restore refuse wrong arguments with the usage (exit 2), naming the mistake, touching nothing", async () => {
    const cases = [
      { args: ["backup", "--relay-data", "x"], says: "--out DIR is required" },
      { args: ["backup", "--out", "b"], says: "--relay-data DIR" },
      { args: ["restore", "--relay-data", "x"], says: "--from DIR is required" },
      { args: ["restore", "--from", "b", "--no-relay", "--no-postgres"], says: "leave nothing to do" },
      { args: ["backup", "--out", "b", "--no-relay", "--colour", "red"], says: "--colour" },
    ]
    const results = await Promise.all(cases.map(c => vetsync(c.args)))
    results.forEach((r, i) => {
      const { args, says } = cases[i]!
      expect(r.code, `${args.join(" ")}: ${r.err}`).toBe(2)
      expect(r.err).toMatch(/usage:/)
      expect(r.err).toContain(says)
      expect(r.left, args.join(" ")).toEqual([])
    })
  })

  it("refuses a bad variable of the relay or the bridge (exit 1), naming it, its value and what it must be, starting nothing", async () => {
    const [relay, bridge] = await Promise.all([
      vetsync(["server"], { PORT: "80x", VETSYNC_TLS_KEY: "key.pem" }),
      vetsync(["bridge"], { VETSYNC_BRIDGE_PORT: "70000", VETSYNC_RELAY_CREDENTIAL: "s3cret-credential" }),
    ])
    expect(relay.code, relay.err).toBe(1)
    expect(relay.err).toContain('PORT is "80x": not a whole number; expected a TCP port')
    expect(relay.err).toContain("VETSYNC_TLS_CERT is not set: VETSYNC_TLS_KEY is set, and the two go together")
    expect(relay.left).toEqual([])
    expect(bridge.code, bridge.err).toBe(1)
    expect(bridge.err).toContain('VETSYNC_BRIDGE_PORT is "70000": above 65535; expected a TCP port')
    expect(bridge.err).toContain("VETSYNC_RELAY_URL is not set: VETSYNC_RELAY_CREDENTIAL is set for a relay")
    expect(bridge.err).not.toContain("s3cret-credential")
    expect(bridge.left).toEqual([])
  })

  it("says which database a registry command uses when DATABASE_URL is not set", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "vetsync-cli-db-"))
    const r = await vetsync(["clinics", "list"], { VETSYNC_DATA_DIR: dataDir })
    // a command that fails says why and exits 1, on the embedded database too (whose library's
    // exit hook once turned every failure into exit code 0)
    const failed = await vetsync(["clinics", "show", "nope"], { VETSYNC_DATA_DIR: dataDir })
    fs.rmSync(dataDir, { recursive: true, force: true })
    expect(r.code, r.err).toBe(0)
    expect(r.err).toContain(`no DATABASE_URL: using the embedded PostgreSQL in ${dataDir}/pg`)
    expect(failed.code, failed.err).toBe(1)
    expect(failed.err).toContain("unknown clinic nope: add it first")
  }, 180_000)

  it("exits 1 with the reason when the database cannot be reached", async () => {
    const r = await vetsync(["desks", "list"], { DATABASE_URL: "postgres://nobody:x@127.0.0.1:1/none" })
    expect(r.code, r.out).toBe(1)
    expect(r.err).toMatch(/^vetsync desks: .*ECONNREFUSED/m)
    expect(r.left).toEqual([])
  })
})
