import { spawnSync } from "node:child_process"
import * as path from "node:path"
import { build } from "esbuild"

const ROOT = path.resolve(import.meta.dirname, "../..")

/** The relay benchmark's driver scripts: the relay's own process in each of its phases. */
export const RELAY_DRIVERS = ["relay.ts", "edits.ts"] as const
export type RelayDriver = (typeof RELAY_DRIVERS)[number]

/** How to start one driver: node's arguments. */
export type DriverArgs = (driver: RelayDriver, ...args: string[]) => string[]

/**
 * The relay's processes as they are deployed: the servers' JavaScript build (`npm run build`, what
 * the container and the systemd units run with plain node) into `out`, and each driver script
 * bundled alone by esbuild into `out`/bench, its packages left as imports, so `@vetsync/*` resolves
 * to the build (out/node_modules/@vetsync) and everything else to the repository's node_modules.
 * Under tsx instead (VETSYNC_BENCH_RELAY_TSX=1) the sources run as they are, and tsx's loader
 * thread and transforms weigh on the relay's RSS (restart + updates: 580 MB under tsx, 485 MB built,
 * the same code): the deployed relay does not carry them.
 */
export const relayDrivers = async (out: string): Promise<DriverArgs> => {
  const here = import.meta.dirname
  if (process.env.VETSYNC_BENCH_RELAY_TSX === "1")
    return (driver, ...args) => ["--import", "tsx", path.join(here, driver), ...args]
  const built = spawnSync(process.execPath, ["--import", "tsx", path.join(ROOT, "cli/build/buildServers.ts"), "--out", out], {
    cwd: ROOT,
    stdio: ["ignore", "ignore", "inherit"],
  })
  if (built.status !== 0) throw new Error(`npm run build into ${out} failed (${built.status ?? built.signal})`)
  const bench = path.join(out, "bench")
  await build({
    entryPoints: RELAY_DRIVERS.map(d => path.join(here, d)),
    outdir: bench,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
  })
  return (driver, ...args) => [path.join(bench, driver.replace(/\.ts$/, ".mjs")), ...args]
}
