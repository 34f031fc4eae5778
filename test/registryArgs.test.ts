import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseRegistryCommand } from "@vetsync/sync-server"

const id = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/)
const name = fc.stringMatching(/^[A-Za-zА-Яа-я][A-Za-zА-Яа-я0-9 ]{0,30}$/)

describe("vetsync clinics|desks|services arguments", () => {
  it("takes what an admin types: each subcommand with its own options", () => {
    fc.assert(
      fc.property(id, id, name, fc.boolean(), fc.integer({ min: 1, max: 240 }), (clinic, desk, n, json, ttl) => {
        expect(parseRegistryCommand("clinics", ["add", clinic, "--name", n])).toEqual({ op: "clinic-add", id: clinic, name: n })
        expect(parseRegistryCommand("clinics", ["list"])).toEqual({ op: "clinic-list" })
        expect(parseRegistryCommand("clinics", ["show", clinic])).toEqual({ op: "clinic-show", id: clinic })
        expect(parseRegistryCommand("desks", ["add", "--clinic", clinic, "--desk-id", desk, "--ttl-hours", String(ttl)])).toEqual({
          op: "desk-add",
          clinicId: clinic,
          deskId: desk,
          code: undefined,
          name: undefined,
          ttlHours: ttl,
        })
        expect(parseRegistryCommand("desks", ["list", "--clinic", clinic, ...(json ? ["--json"] : [])])).toEqual({
          op: "desk-list",
          clinicId: clinic,
          json,
        })
        expect(parseRegistryCommand("desks", ["revoke", desk])).toEqual({ op: "desk-revoke", deskId: desk })
        expect(parseRegistryCommand("services", ["add", n])).toEqual({ op: "service-add", name: n })
      }),
    )
  })

  it("refuses, with the usage, an option of another subcommand, a third positional, an unknown option and a bad number", () => {
    fc.assert(
      fc.property(id, id, (clinic, desk) => {
        const bad: [string[], "clinics" | "desks" | "services", RegExp][] = [
          [["list", "--clinic", clinic], "clinics", /--clinic is not one of its options/],
          [["revoke", desk, "--json"], "desks", /--json is not one of its options/],
          [["revoke", desk, "extra"], "desks", /unexpected argument extra/],
          [["list", "--colour", "red"], "desks", /Unknown option '--colour'/],
          [["add", "--clinic", clinic, "--ttl-hours", "0"], "desks", /--ttl-hours must be a positive number/],
          [[], "services", /which subcommand\?/],
        ]
        for (const [argv, group, why] of bad) {
          expect(() => parseRegistryCommand(group, argv), argv.join(" ")).toThrow(why)
          expect(() => parseRegistryCommand(group, argv)).toThrow(/usage:\n {2}vetsync clinics/)
        }
      }),
      { numRuns: 30 },
    )
  })
})
