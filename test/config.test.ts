import { isIP } from "node:net"
import { BRIDGE_ENV, bridgeConfigFromEnv } from "@vetsync/bridge/config"
import { DESK_WEB_ENV, readWebDeskSettings } from "@vetsync/client/config"
import { ConfigError, ENV_DOCS, type EnvSchema } from "@vetsync/shared/config"
import { LOG_FORMATS, LOG_LEVELS } from "@vetsync/shared/log"
import { RELAY_ENV, relayConfigFromEnv } from "@vetsync/sync-server/config"
import fc from "fast-check"
import { describe, expect, it } from "vitest"

const SEED =
  process.env.VETSYNC_FC_SEED !== undefined ? Number(process.env.VETSYNC_FC_SEED) : Math.floor(Math.random() * 2 ** 31)
const RUNS = Number(process.env.VETSYNC_FC_RUNS ?? 300)

/** Valid and invalid texts of one kind of value (an invalid one is never blank: blank is unset). */
interface Kind {
  valid: fc.Arbitrary<string>
  invalid: fc.Arbitrary<string>
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/
const blankAround = (a: fc.Arbitrary<string>) =>
  fc.tuple(fc.constantFrom("", " ", "\t"), a, fc.constantFrom("", " ")).map(([x, v, y]) => `${x}${v}${y}`)
const notBlank = (a: fc.Arbitrary<string>) => a.filter(s => s.trim() !== "")
const notDigits = notBlank(fc.string()).filter(s => !/^\d+$/.test(s.trim()))

const wholeNumber = (min: number, max: number): Kind => ({
  valid: blankAround(fc.integer({ min, max }).map(String)),
  invalid: fc.oneof(
    notDigits,
    fc.integer({ min: max + 1, max: Number.MAX_SAFE_INTEGER }).map(String),
    ...(min > 0 ? [fc.integer({ min: 0, max: min - 1 }).map(String)] : []),
    fc.constantFrom("-1", "1e3", "0x10", "8787.5", "12 34"),
  ),
})

const name: Kind = {
  valid: blankAround(fc.stringMatching(NAME)),
  invalid: fc.oneof(
    notBlank(fc.string()).filter(s => !NAME.test(s.trim())),
    fc.stringMatching(/^[a-z]{65,80}$/),
  ),
}

const url = (schemes: string[], others: string[]): Kind => ({
  valid: fc.webUrl({ validSchemes: schemes }),
  invalid: fc.oneof(
    fc.webUrl({ validSchemes: others }),
    fc.constantFrom("relay.example", "://nohost", "localhost:8787"),
  ),
})

const KINDS = {
  port: wholeNumber(0, 65535),
  host: {
    valid: fc.oneof(fc.ipV4(), fc.ipV6(), fc.domain(), fc.constantFrom("localhost", "0.0.0.0", "::")),
    invalid: notBlank(fc.string()).filter(s => isIP(s.trim()) === 0 && !/^[A-Za-z0-9.-]+$/.test(s.trim())),
  },
  name,
  names: {
    valid: fc
      .array(fc.oneof(fc.stringMatching(NAME), fc.constant("")), { maxLength: 6 })
      .chain(names => fc.constantFrom(", ", ",").map(sep => names.join(sep))),
    invalid: fc
      .tuple(
        fc.array(fc.stringMatching(NAME), { maxLength: 3 }),
        name.invalid.filter(s => !s.includes(",")),
      )
      .map(([good, bad]) => [...good, bad].join(",")),
  },
  path: {
    valid: notBlank(fc.string({ unit: "grapheme" })).filter(s => !s.includes("\0")),
    invalid: fc.tuple(fc.string(), fc.string()).map(([a, b]) => `x${a}\0${b}`),
  },
  secret: {
    valid: fc.stringMatching(/^[!-~]{1,80}$/),
    invalid: fc
      .tuple(
        fc.stringMatching(/^[!-~]{1,20}$/),
        fc.constantFrom(" ", "\t", "\n", "\u0001", "\u007f"),
        fc.stringMatching(/^[!-~]{1,20}$/),
      )
      .map(([a, gap, b]) => `${a}${gap}${b}`),
  },
  strongSecret: {
    valid: fc.stringMatching(/^[!-~]{20,80}$/),
    invalid: fc.oneof(
      fc.stringMatching(/^[!-~]{1,19}$/),
      fc
        .tuple(
          fc.stringMatching(/^[!-~]{10,20}$/),
          fc.constantFrom(" ", "\t", "\n", "\u0001", "\u007f"),
          fc.stringMatching(/^[!-~]{10,20}$/),
        )
        .map(([a, gap, b]) => `${a}${gap}${b}`),
    ),
  },
  wsUrl: url(["ws", "wss"], ["http", "https", "ftp"]),
  postgresUrl: url(["postgres", "postgresql"], ["mysql", "http", "ws"]),
} satisfies Record<string, Kind>

/** A number above 0 and at most `max`, decimals allowed (t.positiveNumber). */
const positiveNumber = (max: number): Kind => ({
  valid: fc.oneof(
    fc.integer({ min: 1, max }).map(String),
    fc.tuple(fc.integer({ min: 0, max: max - 1 }), fc.integer({ min: 1, max: 999 })).map(([i, d]) => `${i}.${d}`),
  ),
  invalid: fc.oneof(
    notBlank(fc.string()).filter(s => !/^\d+(\.\d+)?$/.test(s.trim())),
    fc.constantFrom("0", "0.0", String(max + 1), "-5"),
  ),
})

const oneOf = (values: readonly string[]): Kind => ({
  valid: blankAround(fc.constantFrom(...values)),
  invalid: notBlank(fc.string()).filter(s => !values.includes(s.trim())),
})
const LOG = {
  VETSYNC_LOG_LEVEL: oneOf(LOG_LEVELS),
  VETSYNC_LOG_FORMAT: oneOf(LOG_FORMATS),
}

/** The kind of each variable of the relay, the bridge (and the desk, below): a variable missing here fails the test. */
const RELAY_KINDS: Record<string, Kind> = {
  PORT: KINDS.port,
  HOST: KINDS.host,
  VETSYNC_DATA_DIR: KINDS.path,
  DATABASE_URL: KINDS.postgresUrl,
  VETSYNC_TLS_KEY: KINDS.path,
  VETSYNC_TLS_CERT: KINDS.path,
  VETSYNC_METRICS_TOKEN: KINDS.secret,
  VETSYNC_ADMIN_TOKEN: KINDS.strongSecret,
  VETSYNC_CLINICS: KINDS.names,
  VETSYNC_RELAY_NAME: KINDS.name,
  VETSYNC_RELAY_ID: KINDS.name,
  VETSYNC_RELAY_URL: KINDS.wsUrl,
  VETSYNC_KEEPALIVE_MS: wholeNumber(100, 3_600_000),
  VETSYNC_LEASE_MS: wholeNumber(2_000, 120_000),
  VETSYNC_MAX_MESSAGE_BYTES: wholeNumber(1024, 1024 ** 3),
  VETSYNC_RATE_BURST: wholeNumber(1, 10_000_000),
  VETSYNC_RELAY_STORAGE: {
    valid: fc.constantFrom("files", "postgres"),
    invalid: notBlank(fc.string()).filter(s => !["files", "postgres"].includes(s.trim())),
  },
  ...LOG,
  VETSYNC_RATE_PER_SEC: positiveNumber(1_000_000),
  VETSYNC_IDLE_UNLOAD_MINUTES: positiveNumber(1440),
  VETSYNC_MAX_LOADED_DOCS: wholeNumber(1, 1_000_000),
  VETSYNC_SNAPSHOT_BUILDS: wholeNumber(1, 64),
  VETSYNC_SNAPSHOT_CACHE_MB: positiveNumber(4096),
}

const BRIDGE_KINDS: Record<string, Kind> = {
  VETSYNC_DATA_DIR: KINDS.path,
  DATABASE_URL: KINDS.postgresUrl,
  VETSYNC_RELAY_URL: KINDS.wsUrl,
  VETSYNC_RELAY_CREDENTIAL: KINDS.secret,
  VETSYNC_BRIDGE_NAME: KINDS.name,
  VETSYNC_BRIDGE_ID: KINDS.name,
  VETSYNC_BRIDGE_WORKERS: wholeNumber(1, 64),
  VETSYNC_CLINICS: KINDS.names,
  VETSYNC_BRIDGE_HOST: KINDS.host,
  VETSYNC_BRIDGE_PORT: KINDS.port,
  VETSYNC_METRICS_TOKEN: KINDS.secret,
  ...LOG,
}

/** A desk's LAN peer: host:port, the host a name, an IPv4 address or an IPv6 one in brackets. */
const peer = fc
  .tuple(fc.oneof(fc.ipV4(), fc.domain(), fc.ipV6().map(h => `[${h}]`)), fc.integer({ min: 1, max: 65535 }))
  .map(([h, p]) => `${h}:${p}`)
const DESK_CODE = /^[A-Z][A-Z0-9]{0,5}$/

/** `vetsync desk`'s variables (the Electron app reads the same but the last three). */
const DESK_KINDS: Record<string, Kind> = {
  VETSYNC_DATA_DIR: KINDS.path,
  VETSYNC_SERVER: url(["ws", "wss", "http", "https"], ["ftp", "postgres", "file"]),
  VETSYNC_CLINIC: KINDS.name,
  VETSYNC_DESK_ID: KINDS.name,
  VETSYNC_DESK_CODE: {
    valid: blankAround(fc.stringMatching(DESK_CODE)),
    invalid: fc.oneof(
      notBlank(fc.string()).filter(s => !DESK_CODE.test(s.trim())),
      fc.constantFrom("d1", "1D", "D1234567", "D-1"),
    ),
  },
  VETSYNC_FISCAL: {
    valid: fc.oneof(
      fc.constantFrom("none", "emulator"),
      fc.webUrl({ validSchemes: ["http", "https"] }).map(u => `atol:${u}`),
    ),
    invalid: fc.oneof(
      notBlank(fc.string()).filter(s => !/^(none|emulator|atol:https?:\/\/\S+)$/.test(s.trim())),
      fc.constantFrom("atol", "atol:ftp://kkt:1", "atol:", "emulator2", "NONE"),
    ),
  },
  VETSYNC_LAN_PORT: wholeNumber(1, 65535),
  VETSYNC_LAN_MDNS: oneOf(["on", "off"]),
  VETSYNC_LAN_BOOTSTRAP_AFTER: wholeNumber(0, 3600),
  VETSYNC_LAN_PEERS: {
    valid: fc
      .array(peer, { maxLength: 4 })
      .chain(peers => fc.constantFrom(", ", ",").map(sep => peers.join(sep))),
    invalid: fc
      .tuple(
        fc.array(peer, { maxLength: 2 }),
        fc.oneof(
          fc.ipV4(),
          fc.domain().map(h => `${h}:0`),
          fc.integer({ min: 65536, max: 999_999 }).map(p => `desk-2.local:${p}`),
          fc.constantFrom("a b:1", "http://desk-2:4810", "desk-2:", ":4810", "[::1]"),
        ),
      )
      .map(([good, bad]) => [...good, bad].join(",")),
  },
  VETSYNC_DESK_PORT: KINDS.port,
  VETSYNC_DESK_HOST: KINDS.host,
  VETSYNC_ENROL_TOKEN: KINDS.secret,
}

type Env = Record<string, string | undefined>

/** A valid environment: each variable unset, blank, or a valid value; pairs the schema ties together kept whole. */
const validEnv = (kinds: Record<string, Kind>, fix: (env: Env) => Env): fc.Arbitrary<Env> =>
  fc
    .record(
      Object.fromEntries(
        Object.entries(kinds).map(([k, kind]) => [
          k,
          fc.oneof(
            { weight: 4, arbitrary: kind.valid },
            { weight: 1, arbitrary: fc.constantFrom(undefined, "", "  ") },
          ),
        ]),
      ),
    )
    .map(fix)

const set = (v: string | undefined): v is string => v !== undefined && v.trim() !== ""

/** What the parser must make of a valid value: the default when unset, else the trimmed text read as its kind. */
const expectParsed = (schema: EnvSchema, env: Env, parsed: Record<string, unknown>): void => {
  for (const [k, field] of Object.entries(schema.shape)) {
    const v = env[k]
    const out = parsed[k]
    if (!set(v)) expect(out, k).toEqual(field.parse(undefined))
    else if (typeof out === "number") expect(out, k).toBe(Number(v.trim()))
    else if (Array.isArray(out))
      expect(out, k).toEqual([
        ...new Set(
          v
            .split(",")
            .map(s => s.trim())
            .filter(Boolean),
        ),
      ])
    else expect(out, k).toBe(v.trim())
  }
}

const services = [
  {
    service: "relay",
    schema: RELAY_ENV as EnvSchema,
    kinds: RELAY_KINDS,
    parse: relayConfigFromEnv,
    // the key and the certificate go together; documents in PostgreSQL and the admin page need DATABASE_URL
    fix: (env: Env): Env => {
      const tls =
        set(env.VETSYNC_TLS_KEY) && set(env.VETSYNC_TLS_CERT)
          ? env
          : { ...env, VETSYNC_TLS_KEY: undefined, VETSYNC_TLS_CERT: undefined }
      return set(tls.DATABASE_URL) ? tls : { ...tls, VETSYNC_RELAY_STORAGE: "files", VETSYNC_ADMIN_TOKEN: undefined }
    },
  },
  {
    service: "bridge",
    schema: BRIDGE_ENV as EnvSchema,
    kinds: BRIDGE_KINDS,
    parse: bridgeConfigFromEnv,
    // a credential is for a relay
    fix: (env: Env): Env => (set(env.VETSYNC_RELAY_URL) ? env : { ...env, VETSYNC_RELAY_CREDENTIAL: undefined }),
  },
  {
    service: "desk",
    schema: DESK_WEB_ENV as EnvSchema,
    kinds: DESK_KINDS,
    parse: (env: Env) => readWebDeskSettings([], env),
    // a data directory is required; LAN peers and mDNS need LAN sync's port; an enrolment token needs the relay
    fix: (env: Env): Env => ({
      ...env,
      ...(set(env.VETSYNC_DATA_DIR) ? {} : { VETSYNC_DATA_DIR: "/var/lib/vetsync/desk" }),
      ...(set(env.VETSYNC_LAN_PORT) ? {} : { VETSYNC_LAN_PEERS: undefined, VETSYNC_LAN_MDNS: undefined, VETSYNC_LAN_BOOTSTRAP_AFTER: undefined }),
      ...(set(env.VETSYNC_SERVER) ? {} : { VETSYNC_ENROL_TOKEN: undefined }),
    }),
  },
]

describe.each(services)("configuration of the $service", ({ service, schema, kinds, parse, fix }) => {
  it("knows the kind of every variable of its schema, each with a description and a default", () => {
    expect(Object.keys(kinds).sort()).toEqual(Object.keys(schema.shape).sort())
    for (const field of Object.values(schema.shape)) {
      const doc = ENV_DOCS.get(field)
      expect(doc?.description).toBeTruthy()
      expect(doc?.default).toBeTruthy()
      expect(doc?.expected).toBeTruthy()
    }
  })

  it(`reads every valid environment (seed ${SEED})`, () => {
    fc.assert(
      fc.property(validEnv(kinds, fix), env => {
        expectParsed(schema, env, parse({ ...env, UNRELATED: "anything" }))
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })

  it(`refuses any single bad value, naming the variable, its value (never a secret's) and what it must be (seed ${SEED})`, () => {
    const bad = fc.constantFrom(...Object.keys(kinds)).chain(k => fc.tuple(fc.constant(k), kinds[k]!.invalid))
    fc.assert(
      fc.property(validEnv(kinds, fix), bad, (env, [k, value]) => {
        let error: unknown
        try {
          parse({ ...env, [k]: value })
        } catch (e) {
          error = e
        }
        expect(error, `${k}=${JSON.stringify(value)}`).toBeInstanceOf(ConfigError)
        const e = error as ConfigError
        expect(e.message).toContain(`the ${service} cannot start`)
        const doc = ENV_DOCS.get(schema.shape[k]!)!
        // (the desk's name the flag beside the variable: `VETSYNC_LAN_PORT (--lan-port) is "0"`)
        const line = e.problems.find(p => p.startsWith(`${k} is `) || p.startsWith(`${k} (--`))
        expect(line, e.message).toBeDefined()
        expect(line).toContain(`expected ${doc.expected}`)
        if (doc.secret) {
          expect(line).toContain("not shown")
          // (long enough not to be a piece of the message by chance)
          if (value.trim().length >= 12) expect(e.message).not.toContain(value.trim())
        } else expect(line).toContain(JSON.stringify(value.trim()))
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })
})

describe("what goes together", () => {
  it("refuses a TLS key without its certificate and the reverse, and a relay credential without a relay", () => {
    expect(() => relayConfigFromEnv({ VETSYNC_TLS_KEY: "key.pem" })).toThrow(
      /VETSYNC_TLS_CERT is not set: VETSYNC_TLS_KEY is set, and the two go together/,
    )
    expect(() => relayConfigFromEnv({ VETSYNC_TLS_CERT: "cert.pem" })).toThrow(
      /VETSYNC_TLS_KEY is not set: VETSYNC_TLS_CERT is set, and the two go together/,
    )
    expect(() => bridgeConfigFromEnv({ VETSYNC_RELAY_CREDENTIAL: "svc.secret" })).toThrow(
      /VETSYNC_RELAY_URL is not set: VETSYNC_RELAY_CREDENTIAL is set for a relay/,
    )
  })

  it("refuses the admin page without DATABASE_URL (it reads the registry)", () => {
    const token = "a".repeat(12) + "-admin-token"
    expect(() => relayConfigFromEnv({ VETSYNC_ADMIN_TOKEN: token })).toThrow(
      /DATABASE_URL is not set: VETSYNC_ADMIN_TOKEN is set, and the admin page reads the registry/,
    )
    expect(relayConfigFromEnv({ VETSYNC_ADMIN_TOKEN: token, DATABASE_URL: "postgres://u@db.example/v" }).VETSYNC_ADMIN_TOKEN).toBe(
      token,
    )
  })

  it("refuses documents in PostgreSQL without DATABASE_URL, and keeps them on disk by default", () => {
    expect(() => relayConfigFromEnv({ VETSYNC_RELAY_STORAGE: "postgres" })).toThrow(
      /DATABASE_URL is not set: VETSYNC_RELAY_STORAGE is postgres, which needs it/,
    )
    const url = "postgres://u@db.example/vetsync"
    expect(relayConfigFromEnv({ DATABASE_URL: url }).VETSYNC_RELAY_STORAGE).toBe("files")
    expect(relayConfigFromEnv({ DATABASE_URL: url, VETSYNC_RELAY_STORAGE: "postgres" }).VETSYNC_RELAY_STORAGE).toBe(
      "postgres",
    )
  })

  it("lists every bad value at once", () => {
    expect(() => bridgeConfigFromEnv({ VETSYNC_BRIDGE_PORT: "http", VETSYNC_CLINICS: "A,B C" })).toThrow(
      /VETSYNC_CLINICS is "A,B C": "B C" is not a name;[^\n]*\n\s+VETSYNC_BRIDGE_PORT is "http": not a whole number/,
    )
  })
})
