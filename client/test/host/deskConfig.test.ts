import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { hostOptionsOf, parseDeskConfig, parseShellConfig, type Env } from "../../src/host/config/deskConfig.js"
import { DESK_FLAGS, WEB_FLAGS } from "../../src/host/config/deskEnv.js"
import { parseDeskArgs } from "../../src/web/deskArgs.js"

type Flag = keyof typeof DESK_FLAGS
const FLAGS = Object.keys(DESK_FLAGS) as Flag[]
const DEFAULT = "/home/reception/.config/VetSync/desk"

/** a flag's value: anything but what reads as the next flag */
const value = fc.string({ maxLength: 12 }).filter(v => !v.startsWith("--"))
const relay = fc.oneof(
  value,
  fc.constantFrom("http://r:1", "https://relay.example/", "ws://127.0.0.1:9/sync", "relay.example", "HTTP://x"),
)

/** how one flag is given: not at all, `--name value`, `--name=value`; and its variable, or none */
const setting = (v: fc.Arbitrary<string>) =>
  fc.record({ form: fc.constantFrom("none", "space", "eq"), value: v, env: fc.option(v, { nil: undefined }) })

const combination = fc.record({
  "data-dir": setting(value),
  server: setting(relay),
  clinic: setting(value),
  "desk-id": setting(value),
  "desk-code": setting(value),
  fiscal: setting(fc.oneof(value, fc.constantFrom("none", "emulator", "atol:http://127.0.0.1:16732", "atol:ftp://x"))),
  "lan-port": setting(fc.oneof(value, fc.constantFrom("4810", "0", "65536"))),
  "lan-peers": setting(fc.oneof(value, fc.constantFrom("127.0.0.1:4811", "desk-2.local:4810,10.0.0.3:4810", "x"))),
  "lan-mdns": setting(fc.oneof(value, fc.constantFrom("on", "off"))),
  "lan-bootstrap-after": setting(fc.oneof(value, fc.constantFrom("15", "0", "3601"))),
})

/** honest LAN settings: a port from 1 to 65535 and host:port peers */
const lanPort = fc.integer({ min: 1, max: 65535 })
const host = fc.oneof(fc.ipV4(), fc.domain(), fc.ipV6().map(h => `[${h}]`))
const lanPeers = fc.array(fc.tuple(host, lanPort).map(([h, p]) => `${h}:${p}`), { maxLength: 4 })

/** the web shell's own flags: `vetsync desk` takes them, Electron passes them by */
const webOnly = fc.subarray([["--port", "0"], ["--host=127.0.0.2"], ["--port=65535"]])
/** what Electron and Chromium put on the command line */
const electronOwn = fc.subarray([
  ["--no-sandbox"],
  ["--enable-logging=file"],
  ["--inspect=9229"],
  ["."],
  ["--lang", "ru"],
  ["--trace-warnings"],
])

const pieces = (c: Record<Flag, { form: string; value: string }>): string[][] =>
  FLAGS.flatMap(f => {
    const { form, value: v } = c[f]
    return form === "space" ? [[`--${f}`, v]] : form === "eq" ? [[`--${f}=${v}`]] : []
  })

const envOf = (c: Record<Flag, { env: string | undefined }>): Env =>
  Object.fromEntries(FLAGS.flatMap(f => (c[f].env === undefined ? [] : [[DESK_FLAGS[f], c[f].env]])))

/** pieces in the order given by `keys` */
const ordered = (parts: string[][], keys: number[]): string[] =>
  parts
    .map((p, i) => [keys[i] ?? i, p] as const)
    .sort((a, b) => a[0] - b[0])
    .flatMap(([, p]) => p)

const outcome = <T>(f: () => T): { value: T } | { error: string } => {
  try {
    return { value: f() }
  } catch (e) {
    return { error: (e as Error).message.split("\nusage:")[0] ?? "" }
  }
}

describe("one configuration parser for both shells", () => {
  it("any combination of the desk's flags and variables parses identically for `vetsync desk` and for Electron", () => {
    fc.assert(
      fc.property(
        combination,
        webOnly,
        electronOwn,
        fc.array(fc.nat(), { minLength: 16, maxLength: 16 }),
        (c, web, own, keys) => {
          const env = envOf(c)
          const desk = pieces(c)
          const webArgv = ordered([...desk, ...web], keys)
          const electronArgv = ["/opt/VetSync/vetsync", ...ordered([...desk, ...web, ...own], keys)]
          // Electron's default data directory stands where `vetsync desk` would want VETSYNC_DATA_DIR
          const dataDirGiven = c["data-dir"].form !== "none" || c["data-dir"].env !== undefined
          const webEnv = dataDirGiven ? env : { ...env, [DESK_FLAGS["data-dir"]]: DEFAULT }
          const fromWeb = outcome(() => {
            const { port: _port, host: _host, enrol: _enrol, ...config } = parseDeskArgs(webArgv, webEnv)
            return config
          })
          expect(
            outcome(() => parseDeskConfig(electronArgv, env, { mode: "lenient", defaultDataDir: DEFAULT })),
          ).toEqual(fromWeb)
          expect(outcome(() => parseShellConfig(electronArgv, env, DEFAULT))).toEqual(
            "value" in fromWeb ? { value: hostOptionsOf(fromWeb.value) } : fromWeb,
          )
        },
      ),
      { numRuns: 400 },
    )
  })

  it("a flag wins over its variable, the last of a repeated flag wins, an empty value is none", () => {
    const name = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/).filter(v => !v.startsWith("--"))
    const code = fc.stringMatching(/^[A-Z][A-Z0-9]{0,5}$/)
    const honest = { clinic: name, "desk-id": name, "desk-code": code } as const
    fc.assert(
      fc.property(
        fc.constantFrom<"clinic" | "desk-id" | "desk-code">("clinic", "desk-id", "desk-code").chain(flag =>
          fc.tuple(fc.constant(flag), honest[flag], fc.oneof(honest[flag], fc.constant("")), honest[flag]),
        ),
        ([flag, a, b, fromEnv]) => {
          const argv = ["--data-dir", "/d", `--${flag}=${a}`, `--${flag}`, b]
          const env = { [DESK_FLAGS[flag]]: fromEnv }
          const key = flag === "clinic" ? "clinicId" : flag === "desk-id" ? "deskId" : "deskCode"
          for (const config of [
            parseDeskConfig(argv, env, { mode: "strict" }),
            parseDeskConfig(argv, env, { mode: "lenient" }),
          ])
            expect(config[key]).toBe(b === "" ? undefined : b)
          // without the flag, the variable
          expect(parseDeskConfig(["--data-dir", "/d"], env, { mode: "strict" })[key]).toBe(fromEnv)
        },
      ),
    )
  })

  it("Electron: flags or the environment, the app's data directory by default, an identity only when one is given", () => {
    // no identity: the stored credential, else the first-run screen; an http:// relay address
    // means its sync endpoint, in Electron as in `vetsync desk` (DeskHost opened the same socket
    // from either; the first-run screen now starts with the same address in both shells)
    expect(parseShellConfig(["electron", ".", "--data-dir", "/d", "--server=http://r:1"], {}, "/def")).toEqual({
      dataDir: "/d",
      server: "ws://r:1/sync",
    })
    expect(parseShellConfig([], {}, "/def")).toEqual({ dataDir: "/def" })
    expect(
      parseShellConfig([], { VETSYNC_CLINIC: "c1", VETSYNC_DESK_ID: "d9", VETSYNC_DESK_CODE: "K" }, "/def"),
    ).toEqual({
      dataDir: "/def",
      identity: { clinicId: "c1", deskId: "d9", deskCode: "K" },
      deskCode: "K",
    })
    expect(parseShellConfig(["--desk-id", "front-2"], {}, "/def")).toEqual({
      dataDir: "/def",
      identity: { clinicId: "demo", deskId: "front-2", deskCode: "D1" },
    })
  })

  it("Electron passes by what is not the desk's (the app path, Chromium switches), and a desk flag without a value; `vetsync desk` refuses both", () => {
    const argv = [
      "/opt/VetSync/vetsync",
      "--no-sandbox",
      "--clinic",
      "--data-dir",
      "/d",
      "--js-flags",
      "--max-old-space-size=4096",
    ]
    expect(parseShellConfig(argv, {}, "/def")).toEqual({ dataDir: "/d" })
    expect(() => parseDeskArgs(argv)).toThrow(/unexpected argument \/opt\/VetSync\/vetsync/)
    expect(() => parseDeskArgs(argv.slice(1))).toThrow(/--no-sandbox needs a value/)
    expect(() => parseDeskArgs(["--data-dir", "/d", "--clinic"])).toThrow(/--clinic needs a value/)
    // an explicitly empty data directory is no data directory, in either shell
    expect(() => parseShellConfig(["--data-dir="], {}, "/def")).toThrow(/--data-dir is required/)
    expect(() => parseDeskArgs(["--data-dir="])).toThrow(/--data-dir is required/)
  })

  it("LAN sync is off unless --lan-port is set; honest ports and peers pass, by flag or variable; others are refused naming both", () => {
    const lan = (argv: string[], env: Env = {}) => parseDeskConfig(["--data-dir", "/d", ...argv], env, { mode: "strict" }).lan
    fc.assert(
      fc.property(lanPort, lanPeers, fc.boolean(), (port, peers, byFlag) => {
        const expected = { port, peers: [...new Set(peers)], mdns: true }
        if (byFlag) expect(lan(["--lan-port", String(port), `--lan-peers=${peers.join(",")}`])).toEqual(expected)
        else expect(lan([], { VETSYNC_LAN_PORT: String(port), VETSYNC_LAN_PEERS: peers.join(", ") })).toEqual(expected)
      }),
    )
    expect(lan([])).toBeUndefined()
    expect(() => lan(["--lan-peers", "127.0.0.1:4811"])).toThrow(
      /VETSYNC_LAN_PORT \(--lan-port\) is not set: --lan-peers needs --lan-port/,
    )
    for (const bad of ["0", "65536", "48 10", "x", "-1"]) {
      expect(() => lan(["--lan-port", bad])).toThrow(/VETSYNC_LAN_PORT \(--lan-port\) is .*expected a TCP port, a whole number from 1 to 65535/)
      expect(() => lan([], { VETSYNC_LAN_PORT: bad })).toThrow(/VETSYNC_LAN_PORT \(--lan-port\)/)
    }
    for (const [value, mdns] of [["on", true], ["off", false], ["", true]] as const)
      expect(lan(["--lan-port", "4810", `--lan-mdns=${value}`])).toEqual({ port: 4810, peers: [], mdns })
    expect(lan([], { VETSYNC_LAN_PORT: "4810", VETSYNC_LAN_MDNS: "off" })).toEqual({ port: 4810, peers: [], mdns: false })
    expect(() => lan(["--lan-mdns", "on"])).toThrow(/--lan-mdns needs --lan-port/)
    for (const bad of ["yes", "ON", "1"]) expect(() => lan(["--lan-port", "4810", "--lan-mdns", bad])).toThrow(/VETSYNC_LAN_MDNS \(--lan-mdns\)/)
    // a new desk's wait for the relay's snapshot before it asks a LAN peer (issue 15)
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3600 }), secs => {
        expect(lan(["--lan-port", "4810", "--lan-bootstrap-after", String(secs)])).toEqual({
          port: 4810,
          peers: [],
          mdns: true,
          bootstrapAfterMs: secs * 1000,
        })
      }),
    )
    expect(() => lan(["--lan-bootstrap-after", "5"])).toThrow(/--lan-bootstrap-after needs --lan-port/)
    for (const bad of ["-1", "3601", "1.5", "x"])
      expect(() => lan(["--lan-port", "4810", "--lan-bootstrap-after", bad])).toThrow(/VETSYNC_LAN_BOOTSTRAP_AFTER \(--lan-bootstrap-after\)/)
    for (const bad of ["127.0.0.1", "host:0", "host:70000", "a b:1", "http://x:1"])
      expect(() => lan(["--lan-port", "4810", "--lan-peers", bad])).toThrow(
        /VETSYNC_LAN_PEERS \(--lan-peers\) is .*expected host:port separated by commas/,
      )
  })

  it("every flag stands for its variable: an honest setting reads the same given either way", () => {
    const all = { ...DESK_FLAGS, ...WEB_FLAGS }
    const honest: Record<string, fc.Arbitrary<string>> = {
      "data-dir": fc.constantFrom("/d", "./desk", "C:\\VetSync\\desk", "/var/lib/vetsync/desk 2"),
      server: fc.constantFrom("wss://relay.example/sync", "http://127.0.0.1:8787", "https://relay.example/"),
      clinic: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
      "desk-id": fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
      "desk-code": fc.stringMatching(/^[A-Z][A-Z0-9]{0,5}$/),
      fiscal: fc.constantFrom("none", "emulator", "atol:http://127.0.0.1:16732"),
      "lan-port": lanPort.map(String),
      "lan-peers": lanPeers.map(p => p.join(",")),
      "lan-mdns": fc.constantFrom("on", "off"),
      port: fc.integer({ min: 0, max: 65535 }).map(String),
      host: fc.oneof(fc.ipV4(), fc.constantFrom("localhost", "::1")),
      enrol: fc.stringMatching(/^[!-~]{1,60}$/).filter(t => !t.startsWith("--")),
    }
    fc.assert(
      fc.property(
        fc.record(honest, { requiredKeys: ["data-dir"] }),
        fc.func(fc.boolean()),
        (settings, asFlag) => {
          // what goes together, kept whole: the enrolment's relay, LAN peers' port
          const full = {
            ...settings,
            ...(settings.enrol !== undefined ? { server: settings.server ?? "ws://r:1/sync" } : {}),
            ...(settings["lan-peers"] !== undefined || settings["lan-mdns"] !== undefined
              ? { "lan-port": settings["lan-port"] ?? "4810" }
              : {}),
          }
          const entries = Object.entries(full) as [keyof typeof all, string][]
          const byEnv = Object.fromEntries(entries.map(([f, v]) => [all[f], v]))
          const mixed = entries.filter(([f]) => asFlag(f))
          const argv = mixed.map(([f, v]) => `--${f}=${v}`)
          const env = Object.fromEntries(entries.filter(([f]) => !asFlag(f)).map(([f, v]) => [all[f], v]))
          expect(parseDeskArgs(argv, env)).toEqual(parseDeskArgs([], byEnv))
        },
      ),
    )
  })

  it("refuses what goes together given alone, naming the flag", () => {
    expect(() => parseDeskArgs(["--data-dir", "/d", "--enrol", "tok"])).toThrow(/VETSYNC_SERVER \(--server\) is not set: --enrol needs --server/)
    expect(() => parseDeskArgs([], { VETSYNC_ENROL_TOKEN: "tok" })).toThrow(/--data-dir is required/)
    expect(() => parseDeskArgs(["--data-dir", "/d", "--fiscal", "atol"])).toThrow(/VETSYNC_FISCAL \(--fiscal\) is "atol"/)
    expect(() => parseDeskArgs(["--data-dir", "/d", "--port", "65536"])).toThrow(/VETSYNC_DESK_PORT \(--port\) is "65536"/)
  })
})
