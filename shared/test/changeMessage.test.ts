import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { decodeChangeMessage, encodeChangeMessage } from "../src/docs/changeMessage.js"

describe("a change's author in its message", () => {
  it("reads back every author a desk writes", () => {
    fc.assert(
      fc.property(fc.record({ desk: fc.string(), staff: fc.string(), cmd: fc.string() }), a => {
        expect(decodeChangeMessage(encodeChangeMessage(a))).toEqual(a)
      }),
    )
  })

  it("names no author for the bridge's, import's and genesis's plain messages, or none", () => {
    for (const m of [undefined, null, "", "genesis clients/3", "import 12 records", "{not json", '{"v":2,"desk":"x"}', "[1]"])
      expect(decodeChangeMessage(m)).toBeNull()
  })
})
