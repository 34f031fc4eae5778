import { envTypes as t, optional, readEnv, withDefault } from "@vetsync/shared/config"
import { LOG_FORMATS, LOG_LEVELS } from "@vetsync/shared/log"
import { z } from "zod"

/**
 * Every variable the bridge (`vetsync bridge`) reads, with its default and meaning: the one place
 * they are read (bridgeConfigFromEnv), and the source of the README's table (`npm run config:docs`).
 */
export const BRIDGE_ENV = z
  .object({
    VETSYNC_DATA_DIR: withDefault(
      t.path,
      "The bridge's directory: its copy of the documents, and the embedded PostgreSQL when DATABASE_URL is unset.",
      "data/bridge",
      "./data/bridge",
    ),
    DATABASE_URL: optional(
      t.postgresUrl,
      "The PostgreSQL the bridge projects the documents into (migrated at start).",
      "an embedded PostgreSQL in `<VETSYNC_DATA_DIR>/pg`",
    ),
    VETSYNC_RELAY_URL: optional(
      t.wsUrl,
      "The relay's sync URL (with several relays, their shared address): the bridge follows each clinic it works on through its own connection there, naming the clinic, and is sent on to the relay holding the clinic's lease (again after a failover).",
      "no relay (the documents on disk only)",
    ),
    VETSYNC_RELAY_CREDENTIAL: optional(
      t.secret,
      "The bridge's service credential (`vetsync services add bridge`), for a relay with a registry.",
      "no credential (a relay without a registry)",
    ),
    VETSYNC_LOG_LEVEL: withDefault(
      t.oneOf(LOG_LEVELS),
      "The least severe log lines written (JSON lines on stdout, `level`, `time`, `clinic`, `desk`, `peer`).",
      "info",
    ),
    VETSYNC_LOG_FORMAT: withDefault(
      t.oneOf(LOG_FORMATS),
      "How log lines are written: `json` lines, `pretty` (pino-pretty) for people, `auto`: pretty when stdout is a terminal.",
      "auto",
    ),
    VETSYNC_BRIDGE_NAME: withDefault(
      t.name,
      "The bridge's service name: its peer id is `service:<name>:<random>`.",
      "bridge",
    ),
    VETSYNC_BRIDGE_ID: optional(
      t.name,
      "This bridge's id among several on one PostgreSQL: the holder named in its clinics' bridge leases (`clinic_leases`, role `bridge`). Each bridge needs its own; a bridge restarted with the same id takes its clinics back at once.",
      "the host's name, VETSYNC_BRIDGE_NAME and a hash of VETSYNC_DATA_DIR's absolute path",
    ),
    VETSYNC_BRIDGE_WORKERS: withDefault(
      t.wholeNumber(1, 64, "clinics"),
      "Clinics the bridge works on at the same time (projections, publications, the web system's changes); each clinic's work stays one task at a time.",
      4,
    ),
    VETSYNC_CLINICS: withDefault(
      t.names,
      "Clinics the bridge registers (if new) and follows at start, besides every clinic in PostgreSQL (with several bridges: the share of them that falls to this one).",
      [],
      "none",
    ),
    VETSYNC_BRIDGE_HOST: withDefault(
      t.host,
      "The address of the bridge's operations server (`/health`, `/ready`, `/metrics`).",
      "127.0.0.1",
    ),
    VETSYNC_BRIDGE_PORT: withDefault(t.port, "The port of the bridge's operations server.", 8788),
    VETSYNC_METRICS_TOKEN: optional(
      t.secret,
      "`GET /metrics` also answers clients that present `Authorization: Bearer <token>`.",
      "`/metrics` answers loopback clients only",
    ),
  })
  .superRefine((env, ctx) => {
    if (env.VETSYNC_RELAY_CREDENTIAL !== undefined && env.VETSYNC_RELAY_URL === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["VETSYNC_RELAY_URL"],
        message: "VETSYNC_RELAY_CREDENTIAL is set for a relay, which it does not name",
      })
  })

export type BridgeConfig = z.output<typeof BRIDGE_ENV>

/** The bridge's configuration from the environment; a bad value throws a ConfigError naming it. */
export const bridgeConfigFromEnv = (env: NodeJS.ProcessEnv): BridgeConfig => readEnv("bridge", BRIDGE_ENV, env)
