import type { z } from "zod"
import type { FiscalConfig } from "../../core/fiscal/FiscalDesk.js"
import { DEV_IDENTITY, type DeskHostOptions, type DeskIdentity } from "../../setup/hostOptions.js"
import { DESK_ENV, DESK_FLAGS, readDeskSettings, type DeskSettingsOptions, type Env } from "./deskEnv.js"
import { parseFiscal } from "./deskEnvTypes.js"

export { parseFiscal } from "./deskEnvTypes.js"
export type { Env } from "./deskEnv.js"

/**
 * What both shells open the desk process with, from the same flags and VETSYNC_* variables: the
 * web shell (`vetsync desk`, client/src/web) and Electron (client/electron/main.ts), read by one
 * schema (DESK_ENV, deskEnv.ts). A flag wins over its variable; an empty value is no value.
 * Without a credential in the data directory and without a development identity (--clinic /
 * --desk-id), the desk shows the first-run screen.
 */

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
  /** --lan-bootstrap-after, in ms (unset: OpenDesk's default) */
  bootstrapAfterMs?: number
}

/** The configuration both shells share, from what DESK_ENV (or DESK_WEB_ENV) read. */
export const deskConfigOf = (v: z.output<typeof DESK_ENV>): DeskConfig => {
  // an http:// relay address means its sync endpoint
  const server = v.VETSYNC_SERVER?.replace(/^http(s?):\/\/(.*?)\/?$/i, "ws$1://$2/sync")
  const lan =
    v.VETSYNC_LAN_PORT !== undefined
      ? {
          port: v.VETSYNC_LAN_PORT,
          peers: v.VETSYNC_LAN_PEERS ?? [],
          mdns: v.VETSYNC_LAN_MDNS !== "off",
          ...(v.VETSYNC_LAN_BOOTSTRAP_AFTER !== undefined ? { bootstrapAfterMs: v.VETSYNC_LAN_BOOTSTRAP_AFTER * 1000 } : {}),
        }
      : undefined
  return {
    ...(lan ? { lan } : {}),
    ...(v.VETSYNC_FISCAL !== undefined ? { fiscal: parseFiscal(v.VETSYNC_FISCAL) } : {}),
    // DESK_ENV refuses a start without one
    dataDir: v.VETSYNC_DATA_DIR ?? "",
    ...(server !== undefined ? { server } : {}),
    ...(v.VETSYNC_CLINIC !== undefined ? { clinicId: v.VETSYNC_CLINIC } : {}),
    ...(v.VETSYNC_DESK_ID !== undefined ? { deskId: v.VETSYNC_DESK_ID } : {}),
    ...(v.VETSYNC_DESK_CODE !== undefined ? { deskCode: v.VETSYNC_DESK_CODE } : {}),
  }
}

/** The one parser of the desk's configuration (DESK_ENV); throws (naming the variable and its flag) on what it cannot take. */
export const parseDeskConfig = (argv: readonly string[], env: Env, options: DeskSettingsOptions): DeskConfig =>
  deskConfigOf(readDeskSettings(DESK_ENV, DESK_FLAGS, argv, env, options))

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
