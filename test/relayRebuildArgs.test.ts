import { resolve } from "node:path"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseRebuildArgs } from "../cli/relay/rebuildRelay.js"

const segment = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/).filter(s => s !== ".." && s !== "." && !s.startsWith("-"))
const dir = fc.array(segment, { minLength: 1, maxLength: 4 }).map(p => p.join("/"))
const clinic = fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/).filter(s => !s.startsWith("-"))

/** What an administrator honestly types: the new directory, one source, any clinics, in any order. */
const honest = fc
  .record({
    relayData: dir,
    from: fc.oneof(fc.constant<{ kind: "postgres" }>({ kind: "postgres" }), dir.map(d => ({ kind: "bridge-replica" as const, dir: d }))),
    clinics: fc.array(clinic, { maxLength: 3 }),
    flip: fc.boolean(),
  })
  .map(a => {
    const parts = [
      ["--relay-data", a.relayData],
      a.from.kind === "postgres" ? ["--from", "postgres"] : ["--from", "bridge-replica", a.from.dir],
      ...a.clinics.map(c => ["--clinic", c]),
    ]
    return { a, argv: ["rebuild", ...(a.flip ? parts.reverse() : parts).flat()] }
  })

describe("vetsync relay rebuild's arguments", () => {
  it("takes every honest command line, with absolute directories", () => {
    fc.assert(
      fc.property(honest, ({ a, argv }) => {
        const parsed = parseRebuildArgs(argv)
        expect(parsed.relayData).toBe(resolve(a.relayData))
        expect(parsed.from).toEqual(a.from.kind === "postgres" ? a.from : { kind: "bridge-replica", dir: resolve(a.from.dir) })
        expect([...parsed.clinics].sort()).toEqual([...a.clinics].sort())
      }),
    )
  })

  it("refuses what is missing or unknown, naming it", () => {
    const refused: [string[], RegExp][] = [
      [[], /say what to do: rebuild/],
      [["restore", "--relay-data", "r", "--from", "postgres"], /unknown action restore/],
      [["rebuild", "--from", "postgres"], /--relay-data DIR/],
      [["rebuild", "--relay-data", "r"], /--from bridge-replica BRIDGE_DIR or --from postgres/],
      [["rebuild", "--relay-data", "r", "--from", "backup"], /--from bridge-replica BRIDGE_DIR or --from postgres/],
      [["rebuild", "--relay-data", "r", "--from", "bridge-replica"], /takes the bridge's data directory/],
      [["rebuild", "--relay-data", "r", "--from", "bridge-replica", "a", "b"], /takes the bridge's data directory/],
      [["rebuild", "--relay-data", "r", "--from", "postgres", "x"], /unexpected argument x/],
      [["rebuild", "--relay-data", "r", "--from", "postgres", "--colour", "red"], /Unknown option/],
    ]
    for (const [argv, why] of refused) expect(() => parseRebuildArgs(argv), argv.join(" ")).toThrow(why)
  })
})
