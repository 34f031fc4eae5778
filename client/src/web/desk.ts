import { enrolDesk, guardProcess } from "@vetsync/shared"
import type { DeskCore, DeskOptions } from "../core/DeskCore.js"
import { DeskHost } from "../setup/DeskHost.js"
import type { DeskIdentity } from "../setup/hostOptions.js"
import { DeskWebServer } from "./DeskWebServer.js"

export interface RunningDesk {
  /** the desk process: setup API, and the desk core once it has an identity */
  host: DeskHost
  /** the open desk core (throws while the desk waits for enrolment) */
  readonly core: DeskCore
  web: DeskWebServer
  /** http://127.0.0.1:<port> */
  url: string
  close(): Promise<void>
}

export interface StartDeskOptions {
  dataDir: string
  /** the relay; overrides the one in the desk's credential */
  server?: string
  /** a development identity (no registry): without a credential the desk opens as this one at once */
  clinicId?: string
  deskId?: string
  deskCode?: string
  port?: number
  host?: string
  uiDir?: string
  /** further DeskCore options (tests) */
  core?: Pick<DeskOptions, "network" | "now" | "headers">
  log?: (line: string) => void
}

/**
 * What `vetsync desk` runs: the desk process (DeskHost) plus its web server (UI + /api). A desk
 * with a credential, or given an identity, opens at once; one without waits on the first-run screen.
 */
export const startDesk = async (options: StartDeskOptions): Promise<RunningDesk> => {
  const { clinicId, deskId, deskCode } = options
  const identity: DeskIdentity | undefined =
    clinicId !== undefined || deskId !== undefined
      ? { clinicId: clinicId ?? "demo", deskId: deskId ?? "desk-1", deskCode: deskCode ?? "D1" }
      : undefined
  const host = new DeskHost({
    dataDir: options.dataDir,
    ...(options.server ? { server: options.server } : {}),
    ...(identity ? { identity } : {}),
    ...(deskCode ? { deskCode } : {}),
    ...(options.core ? { core: options.core } : {}),
    ...(options.log ? { log: options.log } : {}),
  })
  await host.start()
  try {
    const web = await DeskWebServer.start({
      target: host,
      port: options.port ?? 0,
      host: options.host ?? "127.0.0.1",
      // local tools read the API secret there: readDeskApiSecret(dataDir)
      secretDir: options.dataDir,
      ...(options.uiDir ? { uiDir: options.uiDir } : {}),
    })
    return {
      host,
      web,
      url: web.url,
      get core(): DeskCore {
        const core = host.core
        if (!core) throw new Error(`the desk has no core: ${host.phase}`)
        return core
      },
      async close() {
        await web.close()
        await host.close()
      },
    }
  } catch (e) {
    await host.close()
    throw e
  }
}

const HELP = `usage: vetsync desk --data-dir DIR [--server ws://relay:port/sync] [--port 4800] [--host 127.0.0.1]
                    [--enrol TOKEN] [--clinic ID] [--desk-id ID] [--desk-code CODE]`

/** Parses `vetsync desk` arguments; throws with the usage text on anything it does not know. */
export const parseDeskArgs = (
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): StartDeskOptions & { port: number; host: string; enrol?: string } => {
  const flags = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? ""
    if (!a.startsWith("--")) throw new Error(`unexpected argument ${a}\n${HELP}`)
    const eq = a.indexOf("=")
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1))
    else {
      const v = argv[i + 1]
      if (v === undefined || v.startsWith("--")) throw new Error(`${a} needs a value\n${HELP}`)
      flags.set(a.slice(2), v)
      i++
    }
  }
  const known = new Set(["data-dir", "server", "port", "host", "clinic", "desk-id", "desk-code", "enrol"])
  for (const k of flags.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}\n${HELP}`)
  const dataDir = flags.get("data-dir") ?? env.VETSYNC_DATA_DIR
  if (!dataDir) throw new Error(`--data-dir is required\n${HELP}`)
  const port = Number(flags.get("port") ?? env.VETSYNC_DESK_PORT ?? 4800)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number\n${HELP}`)
  let server = flags.get("server") ?? env.VETSYNC_SERVER
  // an http:// relay address means its sync endpoint
  if (server && /^https?:\/\//.test(server)) server = server.replace(/^http/, "ws").replace(/\/?$/, "/sync")
  const enrol = flags.get("enrol")
  if (enrol !== undefined && !server) throw new Error(`--enrol needs --server\n${HELP}`)
  // an identity only when asked for: a desk without one (and without a credential) shows the first-run screen
  const clinicId = flags.get("clinic") ?? env.VETSYNC_CLINIC
  const deskId = flags.get("desk-id") ?? env.VETSYNC_DESK_ID
  const deskCode = flags.get("desk-code") ?? env.VETSYNC_DESK_CODE
  return {
    dataDir,
    ...(server ? { server } : {}),
    port,
    host: flags.get("host") ?? "127.0.0.1",
    ...(clinicId ? { clinicId } : {}),
    ...(deskId ? { deskId } : {}),
    ...(deskCode ? { deskCode } : {}),
    ...(enrol !== undefined ? { enrol } : {}),
  }
}

/** `vetsync desk ...`: starts the desk and serves it until SIGINT/SIGTERM. */
export const runDesk = async (argv: readonly string[], env: Record<string, string | undefined> = process.env): Promise<RunningDesk> => {
  guardProcess("desk")
  const { enrol, ...options } = parseDeskArgs(argv, env)
  // --enrol TOKEN (from `vetsync desks add`), for desks without a screen: exchanged once at the
  // relay for the credential kept in the data directory; later starts need no token
  if (enrol !== undefined && options.server) await enrolDesk(options.server, enrol, options.dataDir)
  const desk = await startDesk(options)
  const who = desk.host.status()
  console.log(
    who.phase === "ready" || who.phase === "revoked"
      ? `desk ${who.deskId ?? "?"} (${desk.host.core?.opts.deskCode ?? "?"}) of clinic ${who.clinicId ?? "?"}: open ${desk.url}`
      : `desk not enrolled (${who.phase}): open ${desk.url} to enrol it with a token from \`vetsync desks add\``,
  )
  const stop = (): void => {
    void desk.close().finally(() => process.exit(0))
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
  return desk
}
