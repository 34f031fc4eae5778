import type { FiscalConfig } from "../../core/fiscal/FiscalDesk.js"
import { DEV_IDENTITY, type DeskHostOptions, type DeskIdentity } from "../../setup/hostOptions.js"
import { readFlags, type ArgvMode } from "./readFlags.js"

/**
 * What both shells open the desk process with, from the same flags and VETSYNC_* variables: the
 * web shell (`vetsync desk`, client/src/web) and Electron (client/electron/main.ts). A flag wins
 * over its variable; an empty value is no value. Without a credential in the data directory and
 * without a development identity (--clinic / --desk-id), the desk shows the first-run screen.
 */

export type Env = Record<string, string | undefined>

/** The flags every shell reads, each with the variable it falls back to. */
export const DESK_FLAGS = {
  "data-dir": "VETSYNC_DATA_DIR",
  server: "VETSYNC_SERVER",
  clinic: "VETSYNC_CLINIC",
  "desk-id": "VETSYNC_DESK_ID",
  "desk-code": "VETSYNC_DESK_CODE",
  /** the cash register: none (default), emulator, or atol:<the Driver 10 web server's URL> */
  fiscal: "VETSYNC_FISCAL",
  /** LAN sync with the clinic's other desks (off unless set): the port this desk listens on */
  "lan-port": "VETSYNC_LAN_PORT",
  /** the clinic's other desks to connect to, host:port separated by commas */
  "lan-peers": "VETSYNC_LAN_PEERS",
  /** mDNS discovery of the clinic's desks while LAN sync is on: on (default) or off */
  "lan-mdns": "VETSYNC_LAN_MDNS",
} as const

export interface DeskConfig {
  dataDir: string
  /** the relay; an http(s):// address means its sync endpoint (ws(s)://.../sync) */
  server?: string
  /** a development identity (no registry): without a credential the desk opens as this one at once */
  clinicId?: string
  deskId?: string
  deskCode?: string
  /** the desk's cash register (--fiscal none | emulator | atol:http://127.0.0.1:16732) */
  fiscal?: FiscalConfig
  /** LAN sync (--lan-port, --lan-peers): off when absent */
  lan?: LanConfig
}

export interface LanConfig {
  port: number
  peers: string[]
  /** mDNS discovery (--lan-mdns on|off); absent: off */
  mdns?: boolean
}

const PEER = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/

/** `--lan-port`, `--lan-peers` and `--lan-mdns` as LAN sync's configuration; throws (naming the flag) on what it cannot take. */
export const parseLan = (port: string | undefined, peers: string | undefined, mdnsFlag?: string): LanConfig | undefined => {
  const mdns = mdnsFlag === "" ? undefined : mdnsFlag
  if (port === undefined) {
    if (peers !== undefined) throw new Error("--lan-peers needs --lan-port (LAN sync is off without it)")
    if (mdns !== undefined) throw new Error("--lan-mdns needs --lan-port (LAN sync is off without it)")
    return undefined
  }
  if (mdns !== undefined && mdns !== "on" && mdns !== "off") throw new Error(`--lan-mdns must be on or off, not ${JSON.stringify(mdns)}`)
  const n = /^\d{1,5}$/.test(port) ? Number(port) : NaN
  if (!(n >= 1 && n <= 65535)) throw new Error(`--lan-port must be a TCP port from 1 to 65535, not ${JSON.stringify(port)}`)
  const list = (peers ?? "").split(",").map(p => p.trim()).filter(p => p !== "")
  for (const p of list) {
    const m = PEER.exec(p)
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535)
      throw new Error(`--lan-peers must be host:port separated by commas (192.168.1.20:4810), not ${JSON.stringify(p)}`)
  }
  return { port: n, peers: list, mdns: mdns !== "off" }
}

/** `--fiscal`'s value as a register's configuration; throws on what it cannot take. */
export const parseFiscal = (v: string): FiscalConfig => {
  if (v === "none" || v === "emulator") return { kind: v }
  const url = v.startsWith("atol:") ? v.slice("atol:".length) : ""
  if (/^https?:\/\/[^\s]+$/.test(url)) return { kind: "atol", url }
  throw new Error(`--fiscal must be none, emulator or atol:http://host:port (ATOL Driver 10's web server), not ${JSON.stringify(v)}`)
}

/** A shell's own flags, read beside DESK_FLAGS (`vetsync desk`: --port, --host, --enrol). */
export interface ConfigExtension<X extends object> {
  flags: readonly string[]
  /** the shell's part of the configuration; throws on a bad value */
  read(flags: ReadonlyMap<string, string>, env: Env, desk: DeskConfig): X
}

export interface DeskConfigOptions<X extends object> {
  mode: ArgvMode
  /** the data directory without --data-dir or VETSYNC_DATA_DIR (Electron: under the app's user data); none: required */
  defaultDataDir?: string
  extension?: ConfigExtension<X>
}

/** The one parser of the desk's configuration; throws (a sentence naming the flag) on what it cannot take. */
export const parseDeskConfig = <X extends object = Record<never, never>>(
  argv: readonly string[],
  env: Env,
  options: DeskConfigOptions<X>,
): DeskConfig & X => {
  const known = new Set([...Object.keys(DESK_FLAGS), ...(options.extension?.flags ?? [])])
  const flags = readFlags(argv, known, options.mode)
  const value = (flag: keyof typeof DESK_FLAGS): string | undefined => flags.get(flag) ?? env[DESK_FLAGS[flag]]
  const dataDir = value("data-dir") ?? options.defaultDataDir
  if (!dataDir) throw new Error("--data-dir is required")
  let server = value("server")
  // an http:// relay address means its sync endpoint
  if (server && /^https?:\/\//.test(server)) server = server.replace(/^http/, "ws").replace(/\/?$/, "/sync")
  // an identity only when asked for: a desk without one (and without a credential) shows the first-run screen
  const clinicId = value("clinic")
  const deskId = value("desk-id")
  const deskCode = value("desk-code")
  const fiscal = value("fiscal")
  const lan = parseLan(value("lan-port"), value("lan-peers"), value("lan-mdns"))
  const desk: DeskConfig = {
    ...(lan ? { lan } : {}),
    ...(fiscal ? { fiscal: parseFiscal(fiscal) } : {}),
    dataDir,
    ...(server ? { server } : {}),
    ...(clinicId ? { clinicId } : {}),
    ...(deskId ? { deskId } : {}),
    ...(deskCode ? { deskCode } : {}),
  }
  return { ...desk, ...options.extension?.read(flags, env, desk) } as DeskConfig & X
}

/** What DeskHost takes of a configuration. */
export type ShellConfig = Pick<DeskHostOptions, "dataDir" | "server" | "identity" | "deskCode" | "fiscal" | "lan">

/** DeskHost's options from a configuration: a development identity when --clinic or --desk-id is given (demo / desk-1 / D1 for the rest). */
export const hostOptionsOf = ({ dataDir, server, clinicId, deskId, deskCode, fiscal, lan }: DeskConfig): ShellConfig => {
  const identity: DeskIdentity | undefined =
    clinicId !== undefined || deskId !== undefined
      ? {
          clinicId: clinicId ?? DEV_IDENTITY.clinicId,
          deskId: deskId ?? DEV_IDENTITY.deskId,
          deskCode: deskCode ?? DEV_IDENTITY.deskCode,
        }
      : undefined
  return {
    dataDir,
    ...(server ? { server } : {}),
    ...(identity ? { identity } : {}),
    ...(deskCode ? { deskCode } : {}),
    ...(fiscal ? { fiscal } : {}),
    ...(lan ? { lan } : {}),
  }
}

/** The Electron shell's configuration: its command line read leniently, the data directory under the app's by default. */
export const parseShellConfig = (argv: readonly string[], env: Env, defaultDataDir: string): ShellConfig =>
  hostOptionsOf(parseDeskConfig(argv, env, { mode: "lenient", defaultDataDir }))
