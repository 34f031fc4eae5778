import { parseDeskConfig, type ConfigExtension, type DeskConfig, type Env } from "../host/config/deskConfig.js"

const HELP = `usage: vetsync desk --data-dir DIR [--server ws://relay:port/sync] [--port 4800] [--host 127.0.0.1]
                    [--enrol TOKEN] [--clinic ID] [--desk-id ID] [--desk-code CODE]`

/** What `vetsync desk` takes beside the desk's configuration. */
export interface WebShellArgs {
  port: number
  host: string
  /** a one-time token exchanged at --server before the desk starts (headless desks) */
  enrol?: string
}

/** The web shell's own flags: where it listens, and --enrol. */
const WEB_FLAGS: ConfigExtension<WebShellArgs> = {
  flags: ["port", "host", "enrol"],
  read(flags, env, desk) {
    const port = Number(flags.get("port") ?? env.VETSYNC_DESK_PORT ?? 4800)
    if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error("--port must be a port number")
    const enrol = flags.get("enrol")
    if (enrol !== undefined && !desk.server) throw new Error("--enrol needs --server")
    return { port, host: flags.get("host") ?? "127.0.0.1", ...(enrol !== undefined ? { enrol } : {}) }
  },
}

/** Parses `vetsync desk` arguments (host/config's parser, strictly); throws with the usage text on anything it does not know. */
export const parseDeskArgs = (argv: readonly string[], env: Env = {}): DeskConfig & WebShellArgs => {
  try {
    return parseDeskConfig(argv, env, { mode: "strict", extension: WEB_FLAGS })
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${HELP}`)
  }
}
