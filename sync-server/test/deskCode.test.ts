import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { DESK_CODE, checkDeskCode } from "../src/registry/commands.js"

/** Desk codes end up in every invoice number: honest ones pass, anything else is refused. */
const SEED =
  process.env.VETSYNC_FC_SEED !== undefined ? Number(process.env.VETSYNC_FC_SEED) : Math.floor(Math.random() * 2 ** 31)
const params = { seed: SEED, numRuns: Math.max(1, Math.round(500 * Number(process.env.VETSYNC_FC_RUNS ?? 1))) }

const honest = fc.stringMatching(/^[A-Z][A-Z0-9]{0,5}$/)

describe("desk codes", () => {
  it(`take a capital Latin letter and up to 5 capitals or digits (seed ${SEED})`, () => {
    fc.assert(
      fc.property(honest, code => {
        expect(() => checkDeskCode(code)).not.toThrow()
      }),
      params,
    )
  })

  it(`refuse lower case, a leading digit, more than 6 characters and anything but A-Z 0-9 (seed ${SEED})`, () => {
    const bad = fc.oneof(
      honest.map(c => c.toLowerCase()).filter(c => c !== c.toUpperCase()),
      honest.map(c => `${c.length % 10}${c}`),
      honest.chain(c => fc.stringMatching(/^[A-Z0-9]{6}$/).map(more => `${c}${more}`)),
      fc.tuple(honest, fc.constantFrom("-", " ", ".", "/", "Д", "é", "\u0000", "_")).map(([c, x]) => `${c}${x}`),
      fc.constant(""),
    )
    fc.assert(
      fc.property(bad, code => {
        expect(DESK_CODE.test(code)).toBe(false)
        expect(() => checkDeskCode(code)).toThrow(/invalid desk code/)
      }),
      params,
    )
  })
})
