import { join } from "node:path"
import { eventually, freePort, productEnv, REPO_ROOT, SupervisedProcess, VETSYNC_CLI as CLI } from "@vetsync/test-kit"

export interface BridgeProcessOptions {
  /** its data directory and log file go here */
  dir: string
  databaseUrl: string
  /** the relay address it is given (the shared one, or one relay's own) */
  relayUrl: string
  /** its service credential (`services add bridge`) */
  credential: string
}

/** A `vetsync bridge` process and the port of its operations server. */
export interface BridgeProcess {
  proc: SupervisedProcess
  port: number
}

/** `vetsync bridge` on the database, given a relay address; resolves once it answers /ready 200 (joined the relay serving each clinic). */
export const startBridgeProcess = async (o: BridgeProcessOptions): Promise<BridgeProcess> => {
  const port = await freePort()
  const proc = new SupervisedProcess({
    name: "bridge",
    command: process.execPath,
    args: [CLI, "bridge"],
    cwd: REPO_ROOT,
    logFile: join(o.dir, "bridge.log"),
    env: productEnv({
      DATABASE_URL: o.databaseUrl,
      VETSYNC_DATA_DIR: join(o.dir, "bridge"),
      VETSYNC_RELAY_URL: o.relayUrl,
      VETSYNC_RELAY_CREDENTIAL: o.credential,
      VETSYNC_BRIDGE_ID: "bridge-1",
      VETSYNC_BRIDGE_NAME: "bridge",
      VETSYNC_BRIDGE_PORT: String(port),
      VETSYNC_LOG_FORMAT: "json",
    }),
  })
  proc.start()
  const ready = () => fetch(`http://127.0.0.1:${port}/ready`).then(async r => ({ status: r.status, body: await r.text() }))
  try {
    await eventually("the bridge to answer /ready 200", async () => proc.running && (await ready()).status === 200, 90_000, {
      pollMs: 200,
      describe: async () => `${proc.log().slice(-2000)}\n/ready: ${(await ready().catch(e => ({ body: String(e) }))).body}`,
    })
  } catch (e) {
    await proc.stop().catch(() => proc.kill9())
    throw e
  }
  return { proc, port }
}

/** The epoch-ms times (from their ISO `time`) of a process's JSON log lines that contain `text`. */
export const logTimes = (proc: SupervisedProcess, text: string): number[] =>
  proc
    .log()
    .split("\n")
    .filter(line => line.includes(text))
    .map(line => {
      try {
        // the supervisor stamps each line before the JSON
        return Date.parse(String((JSON.parse(line.slice(line.indexOf("{"))) as { time?: unknown }).time))
      } catch {
        return Number.NaN
      }
    })
    .filter(t => Number.isFinite(t))
