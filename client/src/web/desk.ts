import { enrolDesk, guardProcess, loadDeskCredential, withCredential } from "@vetsync/shared"
import { DeskCore, type DeskOptions } from "../core/DeskCore.js"
import { DeskWebServer } from "./DeskWebServer.js"

export interface RunningDesk {
  core: DeskCore
  web: DeskWebServer
  /** http://127.0.0.1:<port> */
  url: string
  close(): Promise<void>
}

/** What `vetsync desk` runs: the desk core plus its web server (UI + /api). */
export const startDesk = async (
  options: DeskOptions & { port?: number; host?: string; uiDir?: string },
): Promise<RunningDesk> => {
  const { port, host, uiDir, ...coreOptions } = options
  const core = await DeskCore.open(coreOptions)
  try {
    const web = await DeskWebServer.start({
      core,
      port: port ?? 0,
      host: host ?? "127.0.0.1",
      // local tools read the API secret there: readDeskApiSecret(dataDir)
      secretDir: coreOptions.dataDir,
      ...(uiDir ? { uiDir } : {}),
    })
    return {
      core,
      web,
      url: web.url,
      async close() {
        await web.close()
        await core.close()
      },
    }
  } catch (e) {
    await core.close()
    throw e
  }
}

const HELP = `usage: vetsync desk --data-dir DIR [--server ws://relay:port/sync] [--port 4800] [--host 127.0.0.1]
                    [--clinic ID] [--desk-id ID] [--desk-code CODE] [--enrol TOKEN]`

/** Parses `vetsync desk` arguments; throws with the usage text on anything it does not know. */
export const parseDeskArgs = (
  argv: readonly string[],
  env: Record<string, string | undefined> = {},
): DeskOptions & { port: number; host: string } => {
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
  const known = new Set(["data-dir", "server", "port", "host", "clinic", "desk-id", "desk-code"])
  for (const k of flags.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}\n${HELP}`)
  const dataDir = flags.get("data-dir") ?? env.VETSYNC_DATA_DIR
  if (!dataDir) throw new Error(`--data-dir is required\n${HELP}`)
  const port = Number(flags.get("port") ?? env.VETSYNC_DESK_PORT ?? 4800)
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number\n${HELP}`)
  let server = flags.get("server") ?? env.VETSYNC_SERVER
  // an http:// relay address means its sync endpoint
  if (server && /^https?:\/\//.test(server)) server = server.replace(/^http/, "ws").replace(/\/?$/, "/sync")
  return {
    dataDir,
    ...(server ? { server } : {}),
    port,
    host: flags.get("host") ?? "127.0.0.1",
    clinicId: flags.get("clinic") ?? env.VETSYNC_CLINIC ?? "demo",
    deskId: flags.get("desk-id") ?? env.VETSYNC_DESK_ID ?? "desk-1",
    deskCode: flags.get("desk-code") ?? env.VETSYNC_DESK_CODE ?? "D1",
  }
}

/** `vetsync desk ...`: starts the desk and serves it until SIGINT/SIGTERM. */
export const runDesk = async (argv: readonly string[], env: Record<string, string | undefined> = process.env): Promise<RunningDesk> => {
  guardProcess("desk")
  // --enrol TOKEN (from `vetsync desks add`): exchanged once at the relay for the credential
  // kept in the data directory; a desk with credential.json presents it and takes its clinic, desk
  // id and desk code from it (over --clinic, --desk-id, --desk-code); without one (a dev relay) the
  // flags or their defaults stand
  const at = argv.indexOf("--enrol")
  const token = at >= 0 ? argv[at + 1] : undefined
  const options = parseDeskArgs(at >= 0 ? [...argv.slice(0, at), ...argv.slice(at + 2)] : argv, env)
  if (at >= 0 && (!token || !options.server)) throw new Error(`--enrol needs a token and --server\n${HELP}`)
  if (token && options.server) await enrolDesk(options.server, token, options.dataDir)
  const cred = loadDeskCredential(options.dataDir)
  const desk = await startDesk(withCredential(options, cred))
  console.log(`desk ${desk.core.opts.deskId} (${desk.core.opts.deskCode}) of clinic ${desk.core.opts.clinicId}: open ${desk.url}`)
  const stop = (): void => {
    void desk.close().finally(() => process.exit(0))
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
  return desk
}
