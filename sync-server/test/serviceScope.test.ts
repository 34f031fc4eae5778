import fc from "fast-check"
import { describe, expect, it } from "vitest"
import type { Identity } from "../src/Authenticator.js"
import { EVERY_CLINIC, scopeService, servesOneClinic } from "../src/serviceScope.js"

/** Honest clinic names (the registry's: 1-64 of A-Z a-z 0-9 _ -), besides "all". */
const clinic = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/).filter(c => c !== "all")
const service = (clinicId = EVERY_CLINIC): Identity => ({ role: "service", deskId: "bridge", clinicId })
const url = (query: string): string => `/sync?${query}`

describe("a service's clinic", () => {
  it("is the one it names: served for that clinic only", () => {
    fc.assert(
      fc.property(clinic, c => {
        const scoped = scopeService(service(), url(`role=service&clinic=${c}`))
        expect(scoped).toEqual(service(c))
        expect(servesOneClinic(scoped)).toBe(true)
      }),
    )
  })

  it("is every clinic when it names none, all, *, or no valid name", () => {
    fc.assert(
      fc.property(fc.constantFrom("", "clinic=all", "clinic=*", "clinic=a%20b", `clinic=${"x".repeat(65)}`, "clinic=a/b"), q => {
        const scoped = scopeService(service(), url(q))
        expect(scoped.clinicId).toBe(EVERY_CLINIC)
        expect(servesOneClinic(scoped)).toBe(false)
      }),
    )
    // the development authenticator's "all" (the old bridge's URL) means every clinic too
    expect(scopeService(service("all"), url("")).clinicId).toBe(EVERY_CLINIC)
  })

  it("leaves a desk's identity as its credential says, whatever its URL names", () => {
    fc.assert(
      fc.property(clinic, clinic, (own, named) => {
        const desk: Identity = { role: "desk", deskId: "d1", clinicId: own }
        expect(scopeService(desk, url(`clinic=${named}`))).toBe(desk)
        expect(servesOneClinic(desk)).toBe(true)
      }),
    )
  })
})
