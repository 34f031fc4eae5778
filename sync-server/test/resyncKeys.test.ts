import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { resyncKeys } from "../src/clinicRoute.js"

/** Every kind of document key a desk may name: the fixed ones, a shard, a month partition. */
const docKey = fc.oneof(
  fc.constantFrom("root", "pricelist", "rejections", "profile"),
  fc.integer({ min: 0, max: 63 }).map(n => `clients/${n}`),
  fc
    .tuple(fc.constantFrom("appointments", "invoices"), fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 1, max: 12 }))
    .map(([kind, y, m]) => `${kind}/${y}-${String(m).padStart(2, "0")}`),
)

describe("the body of POST /clinics/:id/resync", () => {
  it("accepts every list of up to 500 document keys a desk may send", () => {
    fc.assert(
      fc.property(fc.array(docKey, { maxLength: 500 }), keys => {
        expect(resyncKeys(JSON.stringify({ keys }))).toEqual(keys)
      }),
    )
  })

  it("refuses a body with any key that is not a document key, too many keys, or another shape", () => {
    const notAKey = fc.oneof(
      fc.string().filter(s => !/^(root|pricelist|rejections|profile|clients\/\d+|(appointments|invoices)\/\d{4}-\d{2})$/.test(s)),
      fc.integer({ min: 64, max: 10_000 }).map(n => `clients/${n}`),
      fc.constant("invoices/2026-13"),
    )
    fc.assert(
      fc.property(fc.array(docKey, { maxLength: 20 }), notAKey, fc.nat(), (keys, bad, at) => {
        const mixed = [...keys]
        mixed.splice(at % (keys.length + 1), 0, bad)
        expect(resyncKeys(JSON.stringify({ keys: mixed }))).toBeUndefined()
      }),
    )
    expect(resyncKeys(JSON.stringify({ keys: Array.from({ length: 501 }, () => "root") }))).toBeUndefined()
    for (const body of [undefined, "", "not json", "null", "[]", '{"keys":"root"}', '{"keys":[1]}', '{"docs":["root"]}'])
      expect(resyncKeys(body), String(body)).toBeUndefined()
  })
})
