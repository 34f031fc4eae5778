import { enrolDesk, guardProcess } from "@vetsync/shared"
import { openDeskLog, setRootLogger, type LineLog } from "@vetsync/shared/log"
import type { DeskCore, DeskOptions } from "../core/DeskCore.js"
import { hostOptionsOf, type DeskConfig } from "../host/config/deskConfig.js"
import { DeskHost } from "../setup/DeskHost.js"
import type { DeskHostOptions } from "../setup/hostOptions.js"
import { parseDeskArgs } from "./deskArgs.js"
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

/** The desk's configuration (host/config: the flags both shells read), and the web server's. */
export interface StartDeskOptions extends DeskConfig {
  /** LAN sync, and (tests) the mDNS socket its discovery uses */
  lan?: DeskHostOptions["lan"]
  port?: number
  host?: string
  uiDir?: string
  /** further DeskCore options (tests) */
  core?: Pick<DeskOptions, "network" | "now" | "headers" | "reportMs">
  log?: LineLog
}

/**
 * What `vetsync desk` runs: the desk process (DeskHost) plus its web server (UI + /api). A desk
 * with a credential, or given an identity, opens at once; one without waits on the first-run screen.
 */
export const startDesk = async (options: StartDeskOptions): Promise<RunningDesk> => {
  const host = new DeskHost({
    ...hostOptionsOf(options),
    ...(options.lan ? { lan: options.lan } : {}),
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

/** `vetsync desk ...`: starts the desk and serves it until SIGINT/SIGTERM. */
export const runDesk = async (argv: readonly string[], env: Record<string, string | undefined> = process.env): Promise<RunningDesk> => {
  const { enrol, ...options } = parseDeskArgs(argv, env)
  // the terminal, and JSON lines in <data-dir>/logs/desk.N.log (rotating)
  const deskLog = await openDeskLog({ dataDir: options.dataDir })
  setRootLogger(deskLog.logger)
  guardProcess("desk")
  // --enrol TOKEN (from `vetsync desks add`), for desks without a screen: exchanged once at the
  // relay for the credential kept in the data directory; later starts need no token
  if (enrol !== undefined && options.server) await enrolDesk(options.server, enrol, options.dataDir)
  const desk = await startDesk(options)
  const who = desk.host.status()
  deskLog.logger.info(
    who.phase === "ready" || who.phase === "revoked"
      ? `desk ${who.deskId ?? "?"} (${desk.host.core?.opts.deskCode ?? "?"}) of clinic ${who.clinicId ?? "?"}: open ${desk.url}`
      : `desk not enrolled (${who.phase}): open ${desk.url} to enrol it with a token from \`vetsync desks add\``,
  )
  const stop = (): void => {
    void desk.close().finally(() => {
      deskLog.close()
      process.exit(0)
    })
  }
  process.once("SIGINT", stop)
  process.once("SIGTERM", stop)
  return desk
}
