import { describe, expect, it } from "vitest"
import type { DeskStatus } from "@vetsync/client"
import { Ledger } from "../Ledger.js"
import { candidatesOf, compare } from "../oracle/Oracle.js"
import type { DeskState, PgState, Values } from "../oracle/snapshot.js"

const status = (over: Partial<DeskStatus> = {}): DeskStatus =>
  ({ state: "online", online: true, waitingRecords: 0, error: null, ...over }) as DeskStatus

const client = (over: Partial<Values> = {}): Values => ({
  name: "Иванов g1", phone: "+7 91000000001", email: "g1@chaos.test", address: "ул. Хаоса, д. g1", notes: "", deleted: false,
  createdAt: "2026-01-01T00:00:00.000Z", updatedAt: "2026-01-01T00:00:00.000Z", createdBy: "desk-1", updatedBy: "desk-1", ...over,
})

const desk = (name: string, records: [string, Values][], over: Partial<DeskState> = {}): DeskState => ({
  name, records: new Map(records), errors: [], status: status(), conflicts: [], ...over,
})
const pg = (records: [string, Values][]): PgState => ({ name: "postgres", records: new Map(records), errors: [], rejections: new Map() })

const ID = "11111111-1111-4111-8111-111111111111"
const KEY = `clients/${ID}`

const ledgerWithClient = (): Ledger => {
  const l = new Ledger()
  l.created("clients", ID, "desk-1", { name: "Иванов g1", phone: "+7 91000000001", email: "g1@chaos.test", address: "ул. Хаоса, д. g1", notes: "", deleted: false }, "create#1")
  return l
}

describe("the chaos oracle", () => {
  it("passes an end state that matches the ledger everywhere", () => {
    const l = ledgerWithClient()
    expect(compare(l, [desk("desk-1", [[KEY, client()]]), desk("desk-2", [[KEY, client()]])], pg([[KEY, client()]]))).toEqual([])
  })

  it("finds an acknowledged record missing on a desk and in PostgreSQL, naming the bridge's rejection", () => {
    const l = ledgerWithClient()
    const p = pg([])
    p.rejections.set(KEY, "constraint: violates foreign key constraint")
    const problems = compare(l, [desk("desk-1", [[KEY, client()]]), desk("desk-2", [])], p)
    expect(problems.map(x => x.kind)).toEqual(["missing", "missing"])
    expect(problems[1]?.detail).toMatch(/not on postgres \(bridge rejected it: constraint/)
  })

  it("finds values that differ between desks, field by field", () => {
    const l = ledgerWithClient()
    const problems = compare(l, [desk("desk-1", [[KEY, client()]]), desk("desk-2", [[KEY, client({ phone: "+7 91000000009" })]])], pg([[KEY, client()]]))
    expect(problems.some(p => p.kind === "divergent" && /\.phone: desk-1=\+7 91000000001 \| desk-2=\+7 91000000009/.test(p.detail))).toBe(true)
  })

  it("finds a value no acknowledged write left last (a lost update), the same everywhere", () => {
    const l = ledgerWithClient()
    l.wrote("clients", ID, "desk-1", { phone: "+7 91000000002" }, "update#2")
    const problems = compare(l, [desk("desk-1", [[KEY, client()]])], pg([[KEY, client()]]))
    expect(problems.filter(p => p.kind === "unwritten").map(p => p.detail)).toEqual([
      expect.stringMatching(/phone on desk-1 is \+7 91000000001/),
      expect.stringMatching(/phone on postgres is \+7 91000000001/),
    ])
  })

  it("takes each desk's last acknowledged write and any unanswered write after it as possible final values", () => {
    const w = (desk: string, seq: number, value: string, certain = true, create = false) =>
      ({ field: "name", value, desk, seq, certain, create, op: "" })
    expect([...candidatesOf([w("d1", 1, "a", true, true), w("d1", 2, "b"), w("d2", 3, "c"), w("d1", 4, "d", false)])].sort()).toEqual(["b", "c", "d"])
    expect([...candidatesOf([w("d1", 1, "a", true, true), w("d2", 2, "x", false)])].sort()).toEqual(["a", "x"])
  })

  it("finds a designated concurrent edit that a desk does not show as a conflict, and a desk not quiet", () => {
    const l = ledgerWithClient()
    l.designate({ collection: "clients", id: ID, field: "name", values: [{ desk: "desk-1", value: "A" }, { desk: "desk-2", value: "B" }] })
    const shown = [{ collection: "clients" as const, id: ID, field: "name", kept: "B", others: ["A"], label: "" }]
    const problems = compare(
      l,
      [desk("desk-1", [[KEY, client()]], { conflicts: shown }), desk("desk-2", [[KEY, client()]], { status: status({ state: "syncing", waitingRecords: 3 }) })],
      pg([[KEY, client()]]),
    )
    expect(problems.map(p => p.kind).sort()).toEqual(["conflict-missing", "not-quiet"])
    expect(problems.find(p => p.kind === "conflict-missing")?.detail).toMatch(/^desk-2 does not show/)
  })
})
