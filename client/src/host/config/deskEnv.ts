import { envTypes as t, optional, readEnv, withDefault, type EnvSchema } from "@vetsync/shared/config"
import { z } from "zod"
import { deskEnvTypes as d } from "./deskEnvTypes.js"
import { readFlags, type ArgvMode } from "./readFlags.js"

export type Env = Record<string, string | undefined>

/**
 * Every variable a desk reads (`vetsync desk`, `vetsync dev`'s desk, the Electron app), each with its
 * flag, default and meaning: the one place they are read (deskConfig.ts), and the source of the
 * README's table (`npm run config:docs`). A flag wins over its variable; a blank value is none.
 */
const SHARED = {
  VETSYNC_DATA_DIR: optional(
    t.path,
    "`--data-dir`: the desk's directory: its documents, read model, credential, logs and fiscal queue.",
    "`vetsync desk` refuses to start; the Electron app uses `desk` under its user data folder",
  ),
  VETSYNC_SERVER: optional(
    d.relayAddress,
    "`--server`: the relay: the first-run screen starts with this address (an enrolled desk uses the relay it enrolled at); with VETSYNC_CLINIC or VETSYNC_DESK_ID, a relay without a registry.",
    "no relay given (the first-run screen asks for it)",
  ),
  VETSYNC_CLINIC: optional(
    t.name,
    "`--clinic`: a development identity's clinic, for a relay without a registry: the desk opens as it at once, without enrolling.",
    "demo when VETSYNC_DESK_ID is set; else no development identity",
  ),
  VETSYNC_DESK_ID: optional(
    t.name,
    "`--desk-id`: a development identity's desk id (see VETSYNC_CLINIC).",
    "desk-1 when VETSYNC_CLINIC is set; else no development identity",
  ),
  VETSYNC_DESK_CODE: optional(
    d.deskCode,
    "`--desk-code`: the desk's code in invoice numbers for a development identity, or for a credential from before desk codes.",
    "D1 (an enrolled desk's code comes from its credential)",
  ),
  VETSYNC_FISCAL: optional(
    d.fiscal,
    "`--fiscal`: the desk's cash register (54-FZ): none, the emulator (journal in `<data dir>/fiscal-emulator.jsonl`) or ATOL Driver 10's web server. Receipts wait in `<data dir>/fiscal.sqlite`.",
    "none: no cash register",
  ),
  VETSYNC_LAN_PORT: optional(
    d.lanPort,
    "`--lan-port`: LAN sync with the clinic's other desks: the port this desk listens on (needs its LAN certificate, asked of the relay once).",
    "LAN sync is off",
  ),
  VETSYNC_LAN_PEERS: optional(
    d.lanPeers,
    "`--lan-peers`: the clinic's other desks to connect to over the LAN, besides those found by mDNS. Needs VETSYNC_LAN_PORT.",
    "none (mDNS only)",
  ),
  VETSYNC_LAN_MDNS: optional(
    t.oneOf(["on", "off"] as const),
    "`--lan-mdns`: find the clinic's other desks on the LAN by mDNS/DNS-SD (`_vetsync._tcp`), on or off. Needs VETSYNC_LAN_PORT.",
    "on while LAN sync is on",
  ),
  VETSYNC_LAN_BOOTSTRAP_AFTER: optional(
    t.wholeNumber(0, 3600, "seconds"),
    "`--lan-bootstrap-after`: a new desk (never synced) whose relay has not given it the clinic's snapshot within this many seconds (unreachable, failing, or not answering) takes the snapshot and documents from a desk of the clinic on the LAN instead, with the same checks, and syncs with the relay when it returns. Needs VETSYNC_LAN_PORT.",
    "15",
  ),
}

/** `vetsync desk`'s own: where its web server listens, and a headless desk's enrolment. */
const WEB = {
  VETSYNC_DESK_PORT: withDefault(
    t.port,
    "`--port` (`vetsync desk`): the port its web server (the UI and the desk's API) listens on.",
    4800,
  ),
  VETSYNC_DESK_HOST: withDefault(
    t.host,
    "`--host` (`vetsync desk`): the address its web server listens on (keep it on loopback: the desk's API is for this machine).",
    "127.0.0.1",
  ),
  VETSYNC_ENROL_TOKEN: optional(
    t.secret,
    "`--enrol` (`vetsync desk`): a one-time enrolment token (`vetsync desks add`) exchanged at VETSYNC_SERVER before the desk starts (headless desks); later starts need none.",
    "the desk enrols through its first-run screen",
  ),
}

type Shared = { [K in keyof typeof SHARED]: z.output<(typeof SHARED)[K]> }

/** What goes together; a refusal names the flag beside the variable. */
const together = (env: Partial<Shared> & { VETSYNC_ENROL_TOKEN?: string }, ctx: z.RefinementCtx): void => {
  if (env.VETSYNC_DATA_DIR === undefined)
    ctx.addIssue({ code: "custom", path: ["VETSYNC_DATA_DIR"], message: "--data-dir is required" })
  if (env.VETSYNC_LAN_PEERS !== undefined && env.VETSYNC_LAN_PORT === undefined)
    ctx.addIssue({
      code: "custom",
      path: ["VETSYNC_LAN_PORT"],
      message: "--lan-peers needs --lan-port (LAN sync is off without it)",
    })
  if (env.VETSYNC_LAN_MDNS !== undefined && env.VETSYNC_LAN_PORT === undefined)
    ctx.addIssue({
      code: "custom",
      path: ["VETSYNC_LAN_PORT"],
      message: "--lan-mdns needs --lan-port (LAN sync is off without it)",
    })
  if (env.VETSYNC_LAN_BOOTSTRAP_AFTER !== undefined && env.VETSYNC_LAN_PORT === undefined)
    ctx.addIssue({
      code: "custom",
      path: ["VETSYNC_LAN_PORT"],
      message: "--lan-bootstrap-after needs --lan-port (LAN sync is off without it)",
    })
  if (env.VETSYNC_ENROL_TOKEN !== undefined && env.VETSYNC_SERVER === undefined)
    ctx.addIssue({ code: "custom", path: ["VETSYNC_SERVER"], message: "--enrol needs --server (where it is exchanged)" })
}

/** The desk's variables in either shell. */
export const DESK_ENV = z.object(SHARED).superRefine(together)
/** `vetsync desk`'s: the desk's, and its web server's. */
export const DESK_WEB_ENV = z.object({ ...SHARED, ...WEB }).superRefine(together)

/** The flags every shell reads, each with the variable it stands for. */
export const DESK_FLAGS = {
  "data-dir": "VETSYNC_DATA_DIR",
  server: "VETSYNC_SERVER",
  clinic: "VETSYNC_CLINIC",
  "desk-id": "VETSYNC_DESK_ID",
  "desk-code": "VETSYNC_DESK_CODE",
  fiscal: "VETSYNC_FISCAL",
  "lan-port": "VETSYNC_LAN_PORT",
  "lan-peers": "VETSYNC_LAN_PEERS",
  "lan-mdns": "VETSYNC_LAN_MDNS",
  "lan-bootstrap-after": "VETSYNC_LAN_BOOTSTRAP_AFTER",
} as const satisfies Record<string, keyof typeof SHARED>

/** `vetsync desk`'s own flags. */
export const WEB_FLAGS = {
  port: "VETSYNC_DESK_PORT",
  host: "VETSYNC_DESK_HOST",
  enrol: "VETSYNC_ENROL_TOKEN",
} as const satisfies Record<string, keyof typeof WEB>

export interface DeskSettingsOptions {
  mode: ArgvMode
  /** the data directory without --data-dir or VETSYNC_DATA_DIR (Electron: under the app's user data); none: required */
  defaultDataDir?: string
}

/**
 * The variables of `schema` from the command line and the environment: each flag of `flagNames`
 * stands for its variable and wins over it (an empty flag is none, even with the variable set).
 * Throws the flag reader's error, or a ConfigError naming each bad value's variable and flag.
 */
export const readDeskSettings = <S extends EnvSchema>(
  schema: S,
  flagNames: Readonly<Record<string, string>>,
  argv: readonly string[],
  env: Env,
  options: DeskSettingsOptions,
): z.output<S> => {
  const flags = readFlags(argv, new Set(Object.keys(flagNames)), options.mode)
  const flagOf = new Map(Object.entries(flagNames).map(([flag, name]) => [name, flag]))
  const input: Env = {}
  for (const name of Object.keys(schema.shape)) {
    const flag = flagOf.get(name)
    input[name] = flag !== undefined && flags.has(flag) ? flags.get(flag) : env[name]
  }
  input.VETSYNC_DATA_DIR ??= options.defaultDataDir
  const label = (name: string): string => {
    const flag = flagOf.get(name)
    return flag === undefined ? name : `${name} (--${flag})`
  }
  return readEnv("desk", schema, input, label)
}

/** `vetsync desk`'s variables (DESK_WEB_ENV) from its command line and the environment. */
export const readWebDeskSettings = (argv: readonly string[], env: Env): z.output<typeof DESK_WEB_ENV> =>
  readDeskSettings(DESK_WEB_ENV, { ...DESK_FLAGS, ...WEB_FLAGS }, argv, env, { mode: "strict" })
