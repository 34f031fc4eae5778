import { deskConfigOf, type DeskConfig, type Env } from "../host/config/deskConfig.js"
import { readWebDeskSettings } from "../host/config/deskEnv.js"

const HELP = `usage: vetsync desk --data-dir DIR [--server ws://relay:port/sync] [--port 4800] [--host 127.0.0.1]
                    [--enrol TOKEN] [--clinic ID] [--desk-id ID] [--desk-code CODE] [--fiscal none|emulator|atol:URL]
                    [--lan-port PORT] [--lan-peers HOST:PORT,...]   (vetsync desk --help: every flag's variable)`

/** What `vetsync desk` takes beside the desk's configuration. */
export interface WebShellArgs {
  port: number
  host: string
  /** a one-time token exchanged at --server before the desk starts (headless desks) */
  enrol?: string
}

/** Parses `vetsync desk` arguments (DESK_WEB_ENV, strictly); throws with the usage text on anything it does not know. */
export const parseDeskArgs = (argv: readonly string[], env: Env = {}): DeskConfig & WebShellArgs => {
  try {
    const v = readWebDeskSettings(argv, env)
    return {
      ...deskConfigOf(v),
      port: v.VETSYNC_DESK_PORT,
      host: v.VETSYNC_DESK_HOST,
      ...(v.VETSYNC_ENROL_TOKEN !== undefined ? { enrol: v.VETSYNC_ENROL_TOKEN } : {}),
    }
  } catch (e) {
    throw new Error(`${e instanceof Error ? e.message : String(e)}\n${HELP}`)
  }
}
