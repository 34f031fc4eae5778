import { spawnSync } from "node:child_process"
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"

const ROOT = fileURLToPath(new URL("../..", import.meta.url))
/**
 * The workspaces the servers and the `vetsync` command run on (tsconfig.build.json compiles their
 * src/; of the desk's, only the relay's read-model image builder and what it imports).
 */
const BUILT_WORKSPACES = ["shared", "db", "sync-server", "bridge", "client"] as const

type Exports = Record<string, string>

/**
 * A workspace's exports in the build (`dir`): `./src/x.ts` -> `./src/x.js`; what is not built (test
 * helpers, the desk's UI and host) is left out.
 */
const builtExports = (exports: Exports, dir: string): Exports =>
  Object.fromEntries(
    Object.entries(exports).flatMap(([k, v]) => {
      const js = v.replace(/\.ts$/, ".js")
      return /^\.\/src\/.*\.ts$/.test(v) && existsSync(join(dir, js)) ? [[k, js]] : []
    }),
  )

/**
 * `npm run build`: the servers (relay, bridge) and the `vetsync` command as JavaScript, with tsc
 * (tsconfig.build.json), into `out` (default dist/), laid out as the sources are (dist/shared/src/...,
 * dist/cli/...). Each built workspace gets a package.json whose exports name its .js files, and
 * dist/node_modules/@vetsync/<name> links to it, so the built files find each other while every other
 * package comes from the repository's node_modules. Run: `node dist/cli/bin.js server|bridge|...`.
 * The sources' own package.json files are untouched: tests, `npm start` and tsx keep running TypeScript.
 */
const buildServers = (out: string): void => {
  rmSync(out, { recursive: true, force: true })
  const tsc = spawnSync(
    process.execPath,
    [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", join(ROOT, "tsconfig.build.json"), "--outDir", out],
    {
      stdio: "inherit",
    },
  )
  if (tsc.status !== 0) throw new Error(`tsc exited ${tsc.status ?? tsc.signal}`)
  const root = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }
  // dist/cli/backup reads the product's version from ../../package.json
  writeFileSync(
    join(out, "package.json"),
    `${JSON.stringify({ name: "vetsync-dist", version: root.version, private: true, type: "module" }, null, 2)}\n`,
  )
  mkdirSync(join(out, "node_modules/@vetsync"), { recursive: true })
  for (const w of BUILT_WORKSPACES) {
    const pkg = JSON.parse(readFileSync(join(ROOT, w, "package.json"), "utf8")) as { name: string; exports: Exports }
    const built = {
      name: pkg.name,
      version: root.version,
      private: true,
      type: "module",
      exports: builtExports(pkg.exports, join(out, w)),
    }
    writeFileSync(join(out, w, "package.json"), `${JSON.stringify(built, null, 2)}\n`)
    symlinkSync(relative(join(out, "node_modules/@vetsync"), join(out, w)), join(out, "node_modules/@vetsync", w))
  }
  // the migrations the relay, the bridge and the registry commands run at start
  cpSync(join(ROOT, "db/migrations"), join(out, "db/migrations"), { recursive: true })
}

const { values } = parseArgs({ options: { out: { type: "string" } } })
const out = resolve(ROOT, values.out ?? "dist")
buildServers(out)
console.log(`built ${relative(ROOT, out) || "."}: node ${relative(ROOT, join(out, "cli/bin.js"))} server|bridge|...`)
