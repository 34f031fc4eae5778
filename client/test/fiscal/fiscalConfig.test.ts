import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseDeskConfig, parseFiscal } from "../../src/host/config/deskConfig.js"

/** what staff honestly type for ATOL's web server: its address on this machine or the LAN */
const atolUrl = fc
  .tuple(fc.constantFrom("http", "https"), fc.constantFrom("127.0.0.1", "localhost", "192.168.1.20", "kkt.local"), fc.integer({ min: 1, max: 65535 }))
  .map(([scheme, host, port]) => `${scheme}://${host}:${port}`)

describe("--fiscal: the desk's cash register", () => {
  it("takes none, emulator and atol:<url>, by flag or VETSYNC_FISCAL", () => {
    fc.assert(
      fc.property(atolUrl, url => {
        expect(parseFiscal(`atol:${url}`)).toEqual({ kind: "atol", url })
        expect(parseDeskConfig(["--data-dir", "/d", "--fiscal", `atol:${url}`], {}, { mode: "strict" }).fiscal).toEqual({ kind: "atol", url })
      }),
    )
    expect(parseFiscal("none")).toEqual({ kind: "none" })
    expect(parseDeskConfig(["--data-dir", "/d"], { VETSYNC_FISCAL: "emulator" }, { mode: "strict" }).fiscal).toEqual({ kind: "emulator" })
    expect(parseDeskConfig(["--data-dir", "/d"], {}, { mode: "strict" }).fiscal).toBeUndefined()
  })

  it("refuses anything else, naming the flag", () => {
    fc.assert(
      fc.property(
        fc.string().filter(s => s !== "none" && s !== "emulator" && !/^atol:https?:\/\/\S+$/.test(s)),
        v => {
          expect(() => parseFiscal(v)).toThrow(/--fiscal/)
        },
      ),
    )
  })
})
