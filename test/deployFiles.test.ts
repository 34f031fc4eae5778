import { spawnSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { BRIDGE_ENV } from "@vetsync/bridge/config"
import { RELAY_ENV } from "@vetsync/sync-server/config"
import { load } from "js-yaml"
import { describe, expect, it } from "vitest"

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..")
const DEPLOY = join(ROOT, "deploy")

/** Dockerfile instructions: continuation lines joined, comments dropped. */
const instructions = (text: string): { op: string; args: string }[] =>
  text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map(l => l.trim())
    .filter(l => l && !l.startsWith("#"))
    .map(l => {
      const [op = "", ...rest] = l.split(/\s+/)
      return { op: op.toUpperCase(), args: rest.join(" ") }
    })

type Service = { environment?: Record<string, string>; healthcheck?: { test: string[] }; depends_on?: Record<string, { condition: string }>; command?: string[] }

describe("the deployment files", () => {
  it.runIf(existsSync("/usr/bin/systemd-analyze"))("systemd units for the relay and the bridge pass systemd-analyze verify", () => {
    const units = ["vetsync-relay.service", "vetsync-bridge.service"].map(u => join(DEPLOY, "systemd", u))
    const r = spawnSync("systemd-analyze", ["verify", "--man=no", ...units], { encoding: "utf8" })
    expect(r.status, r.stderr).toBe(0)
    expect(r.stderr.trim()).toBe("")
    for (const [u, command] of [[units[0]!, "server"], [units[1]!, "bridge"]] as const)
      // the JavaScript build (npm run build), with plain node: no TypeScript loader in production
      expect(readFileSync(u, "utf8")).toMatch(new RegExp(`^ExecStart=\\S*node /opt/vetsync/dist/cli/bin\\.js ${command}$`, "m"))
  })

  it("the Dockerfile is multi-stage, runs the product as a non-root user and checks /health", () => {
    const ins = instructions(readFileSync(join(DEPLOY, "Dockerfile"), "utf8"))
    const froms = ins.map((x, i) => ({ ...x, i })).filter(x => x.op === "FROM")
    expect(froms.length).toBeGreaterThanOrEqual(2)
    const stages = froms.map(f => /\bAS\s+(\S+)/i.exec(f.args)?.[1])
    // COPY --from names an earlier stage
    for (const [i, x] of ins.entries()) {
      const from = /--from=(\S+)/.exec(x.args)?.[1]
      if (x.op === "COPY" && from) expect(stages.slice(0, froms.filter(f => f.i < i).length - 1)).toContain(from)
    }
    const last = ins.slice(froms.at(-1)!.i)
    const user = last.filter(x => x.op === "USER").at(-1)
    expect(user, "a USER in the final stage").toBeDefined()
    expect(["root", "0"]).not.toContain(user!.args.split(":")[0])
    expect(last.find(x => x.op === "HEALTHCHECK")?.args).toMatch(/\/health\b/)
    // the built `vetsync` (cli/bin.ts compiled by `npm run build` in the build stage), with plain node
    const entry = JSON.parse(last.find(x => x.op === "ENTRYPOINT")!.args) as string[]
    expect(entry).toEqual(["node", "dist/cli/bin.js"])
    expect(existsSync(join(ROOT, "cli/bin.ts"))).toBe(true)
    const build = ins.slice(0, froms.at(-1)!.i)
    expect(build.some(x => x.op === "RUN" && /\bnpm run build\b/.test(x.args))).toBe(true)
    expect(last.some(x => x.op === "COPY" && /--from=\S+ .*\/app \/app/.test(x.args))).toBe(true)
    // every workspace's package.json is copied before npm ci (the lock file covers all of them)
    const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { workspaces: string[] }
    for (const w of root.workspaces) expect(ins.some(x => x.op === "COPY" && x.args.startsWith(`${w}/package.json `))).toBe(true)
  })

  it("the compose file runs PostgreSQL, the relay and the bridge with variables the services know, healthchecks on /health", () => {
    const compose = load(readFileSync(join(DEPLOY, "compose.yaml"), "utf8")) as { services: Record<string, Service> }
    expect(Object.keys(compose.services).sort()).toEqual(["bridge", "postgres", "relay"])
    const { relay, bridge } = compose.services
    const known = { relay: Object.keys(RELAY_ENV.shape), bridge: Object.keys(BRIDGE_ENV.shape) }
    for (const [name, svc] of [["relay", relay!], ["bridge", bridge!]] as const) {
      for (const v of Object.keys(svc.environment ?? {})) expect(known[name], `${name}: ${v}`).toContain(v)
      expect(svc.depends_on?.postgres?.condition).toBe("service_healthy")
      const port = name === "relay" ? svc.environment?.PORT : svc.environment?.VETSYNC_BRIDGE_PORT
      expect(svc.healthcheck?.test.join(" ")).toContain(`:${port}/health`)
    }
    expect(relay!.command).toEqual(["server"])
    expect(bridge!.command).toEqual(["bridge"])
    expect(bridge!.depends_on?.relay?.condition).toBe("service_healthy")
    expect(bridge!.environment?.VETSYNC_RELAY_URL).toBe(`ws://relay:${relay!.environment?.PORT}/sync`)
  })
})
