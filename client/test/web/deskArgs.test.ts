import { describe, expect, it } from "vitest"
import { parseDeskArgs } from "../../src/web/deskArgs.js"

describe("vetsync desk's arguments", () => {
  it("gives the desk an identity only when asked: without one (and without a credential) it shows the first-run screen", () => {
    expect(parseDeskArgs(["--data-dir", "/d"])).toEqual({ dataDir: "/d", port: 4800, host: "127.0.0.1" })
    expect(parseDeskArgs(["--data-dir", "/d", "--server", "https://relay.example"])).toMatchObject({ server: "wss://relay.example/sync" })
    expect(parseDeskArgs(["--data-dir", "/d", "--clinic", "c1", "--desk-id", "d1", "--desk-code", "K"])).toMatchObject({ clinicId: "c1", deskId: "d1", deskCode: "K" })
    expect(parseDeskArgs([], { VETSYNC_DATA_DIR: "/e", VETSYNC_CLINIC: "c2" })).toMatchObject({ dataDir: "/e", clinicId: "c2" })
  })

  it("takes --enrol (headless desks, the chaos harness) with --server only", () => {
    const token = `vse1.front-1.${"a".repeat(43)}`
    expect(parseDeskArgs(["--data-dir", "/d", "--server", "ws://127.0.0.1:9/sync", "--port", "0", "--desk-code", "D2", "--enrol", token])).toEqual({
      dataDir: "/d",
      server: "ws://127.0.0.1:9/sync",
      port: 0,
      host: "127.0.0.1",
      deskCode: "D2",
      enrol: token,
    })
    expect(() => parseDeskArgs(["--data-dir", "/d", "--enrol", token])).toThrow(/--enrol needs --server/)
    expect(() => parseDeskArgs(["--data-dir", "/d", "--enrol"])).toThrow(/--enrol needs a value/)
    expect(() => parseDeskArgs(["--data-dir", "/d", "--colour", "red"])).toThrow(/unknown option --colour/)
  })
})
