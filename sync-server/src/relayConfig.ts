import { envTypes as t, optional, readEnv, withDefault } from "@vetsync/shared/config"
import { LOG_FORMATS, LOG_LEVELS } from "@vetsync/shared/log"
import { z } from "zod"
import {
  DEFAULT_RATE_LIMIT,
  RELAY_LEASE_MAX_MS,
  RELAY_LEASE_MIN_MS,
  RELAY_LEASE_MS,
  RELAY_LEASE_RENEW_PARTS,
} from "@vetsync/shared/net"

/**
 * Every variable the relay (`vetsync server`) reads, with its default and meaning: the one place
 * they are read (relayConfigFromEnv), and the source of the README's table (`npm run config:docs`).
 */
export const RELAY_ENV = z
  .object({
    PORT: withDefault(
      t.port,
      "The port the relay listens on: HTTP(S), WebSocket `/sync`, `/health`, `/ready`, `/metrics`.",
      8787,
    ),
    HOST: withDefault(t.host, "The address the relay listens on; 0.0.0.0 for every interface.", "127.0.0.1"),
    VETSYNC_DATA_DIR: withDefault(
      t.path,
      "The relay's directory: documents, snapshots, which clinic owns which document.",
      "data/relay",
      "./data/relay",
    ),
    VETSYNC_RELAY_STORAGE: withDefault(
      t.oneOf(["files", "postgres"] as const),
      "Where the relay keeps its documents: `files` under VETSYNC_DATA_DIR/docs, or `postgres` in DATABASE_URL's automerge_chunks table, with which clinic owns which document (relay_doc_owners) and the clinics' leases (clinic_leases), so several relays can share it (snapshots stay in VETSYNC_DATA_DIR). Explicit, not implied by DATABASE_URL: a relay with a registry and documents on disk would otherwise start with none.",
      "files",
    ),
    VETSYNC_RELAY_ID: optional(
      t.name,
      "This relay's id among several on one PostgreSQL (VETSYNC_RELAY_STORAGE=postgres): the holder named in a clinic's lease. Each relay needs its own.",
      "the host's name and the port, `hostname:8787`",
    ),
    VETSYNC_RELAY_URL: optional(
      t.wsUrl,
      "The address desks use to reach this relay itself (not the shared one in front of several): with VETSYNC_RELAY_STORAGE=postgres, a desk of a clinic this relay holds the lease of that reaches another relay is redirected here.",
      "the relay's own `ws(s)://HOST:PORT/sync`",
    ),
    VETSYNC_LEASE_MS: withDefault(
      t.wholeNumber(RELAY_LEASE_MIN_MS, RELAY_LEASE_MAX_MS, "milliseconds"),
      `With VETSYNC_RELAY_STORAGE=postgres: how long this relay's lease of a clinic lasts, renewed every 1/${RELAY_LEASE_RENEW_PARTS} of it. A relay that dies keeps its clinics from their desks at most this long (then another relay takes them at the next desk's retry; a relay stopped cleanly gives them back at once); a live relay stalled (event loop, PostgreSQL) for longer than ${RELAY_LEASE_RENEW_PARTS - 1}/${RELAY_LEASE_RENEW_PARTS} of it loses them (its desks reconnect to the new holder). Shorter: faster failover; longer: more tolerance of stalls. Give every relay the same.`,
      RELAY_LEASE_MS,
    ),
    DATABASE_URL: optional(
      t.postgresUrl,
      "The registry's PostgreSQL (migrated at start): desks and services authenticate against it.",
      "development authentication, any client may claim any desk (never expose it)",
    ),
    VETSYNC_TLS_KEY: optional(
      t.path,
      "PEM file of the TLS private key; with VETSYNC_TLS_CERT the relay serves https and wss.",
      "plain http and ws (behind a TLS proxy)",
    ),
    VETSYNC_TLS_CERT: optional(
      t.path,
      "PEM file of the TLS certificate (chain); with VETSYNC_TLS_KEY the relay serves https and wss.",
      "plain http and ws (behind a TLS proxy)",
    ),
    VETSYNC_METRICS_TOKEN: optional(
      t.secret,
      "`GET /metrics` also answers clients that present `Authorization: Bearer <token>`.",
      "`/metrics` answers loopback clients only",
    ),
    VETSYNC_ADMIN_TOKEN: optional(
      t.strongSecret,
      "The read-only admin page (`GET /admin`: clinics, their desks' status and what needs attention; `GET /admin.json`) answers holders of this token, as `Authorization: Bearer <token>` or signed in through its form (an HttpOnly, SameSite=Strict session cookie for 8 h, signed with a key derived from this token: any relay with the same token accepts it; another token signs everyone out). Needs DATABASE_URL (the registry).",
      "the admin page is off (404)",
    ),
    VETSYNC_CLINICS: withDefault(
      t.names,
      "Clinics whose documents the relay registers at start (with a registry, every clinic of it is known anyway).",
      [],
      "none",
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
    VETSYNC_RELAY_NAME: withDefault(t.name, "The relay's peer id is `relay:<name>`.", "main"),
    VETSYNC_KEEPALIVE_MS: withDefault(
      t.wholeNumber(100, 3_600_000, "milliseconds"),
      "Ping interval; a peer silent for two intervals is dropped.",
      30_000,
    ),
    VETSYNC_MAX_MESSAGE_BYTES: withDefault(
      t.wholeNumber(1024, 1024 ** 3, "bytes"),
      "The largest WebSocket message accepted; larger ones close the socket (1009).",
      64 * 1024 * 1024,
      "67108864 (64 MiB)",
    ),
    VETSYNC_RATE_BURST: withDefault(
      t.wholeNumber(1, 10_000_000, "messages"),
      "Document messages a socket may send at once (a desk announces every document it has when it connects).",
      DEFAULT_RATE_LIMIT.burst,
    ),
    VETSYNC_RATE_PER_SEC: withDefault(
      t.positiveNumber(1_000_000, "messages per second"),
      "Document messages a socket may send per second, sustained.",
      DEFAULT_RATE_LIMIT.perSecond,
    ),
    VETSYNC_IDLE_UNLOAD_MINUTES: withDefault(
      t.positiveNumber(1440, "minutes"),
      "A document no desk or service has touched (no sync message, no change) for this long is written to storage and unloaded from the relay's memory; the next message about it loads it again.",
      10,
    ),
    VETSYNC_MAX_LOADED_DOCS: optional(
      t.wholeNumber(1, 1_000_000, "documents"),
      "At most this many documents stay loaded in the relay's memory: past it, the least recently used (untouched for 2 s) are written and unloaded, and loaded again from storage when next used (a seed-scale client shard: 0.1-0.2 s to load). It bounds the documents held, not the process's peak: the Automerge wasm memory they grew stays with the process (npm run bench -- relay, the built relay restarted and 20 shards edited: 475 MB with at most 6 loaded against 482-494 MB unbounded; bench/README.md has later figures).",
      "no bound (VETSYNC_IDLE_UNLOAD_MINUTES alone)",
    ),
    VETSYNC_SNAPSHOT_BUILDS: withDefault(
      t.wholeNumber(1, 64, "builds"),
      "Clinics' bootstrap snapshots built at the same time; the others wait in one queue (each build holds one document at a time).",
      1,
    ),
    VETSYNC_SNAPSHOT_CACHE_MB: withDefault(
      t.positiveNumber(4096, "MB"),
      "The documents desks edit stay loaded in the snapshot's entry worker between its updates, so an update applies only the new changes, while their saved sizes add up to at most this (a document kept is lean, its values read through a view for each update, and takes about 11 times its saved size in Automerge's wasm memory: 2 MB is some 8 of the seeds' client shards, about 21 MB); least recently used out first, then loaded again from the snapshot's save when next edited.",
      2,
    ),
  })
  .superRefine((env, ctx) => {
    // the key without the certificate (or the reverse) was once ignored in silence: plain ws
    for (const [set, unset] of [
      ["VETSYNC_TLS_KEY", "VETSYNC_TLS_CERT"],
      ["VETSYNC_TLS_CERT", "VETSYNC_TLS_KEY"],
    ] as const)
      if (env[set] !== undefined && env[unset] === undefined)
        ctx.addIssue({ code: "custom", path: [unset], message: `${set} is set, and the two go together` })
    if (env.VETSYNC_ADMIN_TOKEN !== undefined && env.DATABASE_URL === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["DATABASE_URL"],
        message: "VETSYNC_ADMIN_TOKEN is set, and the admin page reads the registry",
      })
    if (env.VETSYNC_RELAY_STORAGE === "postgres" && env.DATABASE_URL === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["DATABASE_URL"],
        message: "VETSYNC_RELAY_STORAGE is postgres, which needs it",
      })
  })

export type RelayConfig = z.output<typeof RELAY_ENV>

/** The relay's configuration from the environment; a bad value throws a ConfigError naming it. */
export const relayConfigFromEnv = (env: NodeJS.ProcessEnv): RelayConfig => readEnv("relay", RELAY_ENV, env)
