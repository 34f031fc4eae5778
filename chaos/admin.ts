import { eventually, productEnv, runCommand, type CommandResult } from "@vetsync/test-kit"
import type { Cluster, DeskNode } from "./Cluster.js"
import { REPO_ROOT, VETSYNC_CLI } from "./registry.js"

/** What the clinic's administrator does to the cluster (a desk replaced, a lost desk enrolled again). */

/** `vetsync ARGS` as an administrator types it, against the cluster's PostgreSQL. */
export const vetsync = (cluster: Cluster, args: string[]): Promise<CommandResult> =>
  runCommand(process.execPath, [VETSYNC_CLI, ...args], { cwd: REPO_ROOT, env: productEnv({ DATABASE_URL: cluster.databaseUrl }), ms: 110_000 })

/**
 * `vetsync desks add --clinic ID [--desk-id DESK]`: the new desk's id, code and one-time token, read
 * from what it prints.
 */
export const desksAdd = async (cluster: Cluster, deskId?: string): Promise<{ deskId: string; code: string; token: string }> => {
  const r = await vetsync(cluster, ["desks", "add", "--clinic", cluster.clinicId, ...(deskId ? ["--desk-id", deskId] : [])])
  if (r.code !== 0) throw new Error(`desks add exited ${r.code}: ${r.stderr}`)
  const lines = r.stdout.trim().split("\n")
  const m = /^desk (\S+) \(code (\S+)\) added/.exec(lines[0] ?? "")
  const token = lines.at(-1)?.trim() ?? ""
  if (!m || !token) throw new Error(`unexpected desks add output: ${r.stdout}`)
  return { deskId: m[1] ?? "", code: m[2] ?? "", token }
}

/** The desk online with nothing waiting: everything it acknowledged is durable on the relay. */
export const green = (d: DeskNode, what: string, ms = 180_000): Promise<unknown> =>
  eventually(
    `${d.name} to be online with nothing waiting ${what}`,
    async () => {
      const s = await d.client.call("status", undefined)
      return s.kind === "ok" && s.value.state === "online" && s.value.waitingRecords === 0
    },
    ms,
    { pollMs: 250, describe: async () => JSON.stringify(await d.client.call("status", undefined)).slice(0, 400) },
  )
