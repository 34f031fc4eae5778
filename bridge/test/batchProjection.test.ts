import type * as A from "@automerge/automerge"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { docIdFor, kindOfKey, type AnyClinicDoc, type DocKey } from "@vetsync/shared"
import { useTestDatabase } from "@vetsync/db/testing"
import {
  projectDocument,
  projectDocuments,
  type DocToProject,
  type ProjectionResult,
} from "../src/projection/projectDocument.js"
import { ensureClinic } from "../src/queries/clinics.js"
import { dropClinic } from "./helpers/dropClinic.js"
import { buildRecords, clinicPlanArb, editOf, type ClinicPlan } from "./helpers/randomClinic.js"
import { TwoDesks } from "./helpers/TwoDesks.js"

const db = useTestDatabase()
const RUNS = Number(process.env.VETSYNC_FC_RUNS ?? 10)
const SEED = process.env.VETSYNC_FC_SEED !== undefined ? Number(process.env.VETSYNC_FC_SEED) : Date.now() % 2 ** 31
/** the order the bridge projects in: client shards (parents) first */
const RANK: Record<string, number> = { clients: 0, appointments: 1, invoices: 2 }

/**
 * The clinic's record documents at two versions: as the desks created the records, and after
 * their edits, deletes and fixes (so the second projection goes through the changed-records path).
 */
const twoVersions = (clinicId: string, plan: ClinicPlan): Map<DocKey, A.Doc<AnyClinicDoc>>[] => {
  let clock = Date.parse("2026-09-01T08:00:00.000Z")
  const at = () => new Date((clock += 1000)).toISOString()
  const desks = new TwoDesks(clinicId)
  const built = buildRecords(clinicId, plan, at)
  const snapshot = () =>
    new Map(
      desks
        .keys()
        .filter(k => RANK[kindOfKey(k) ?? ""] !== undefined)
        .sort((a, b) => (RANK[kindOfKey(a) ?? ""] ?? 9) - (RANK[kindOfKey(b) ?? ""] ?? 9) || a.localeCompare(b))
        .map(k => [k, desks.merged(k)] as const),
    )
  for (const b of built) desks.create(b.desk, b.collection, b.record)
  const first = snapshot()
  for (const e of plan.edits) {
    if (e.t === "sync") continue
    const of = built.filter(b => b.collection === e.collection)
    const b = of[e.index % Math.max(1, of.length)]
    if (!b) continue
    const fields = e.t === "delete" ? { deleted: true } : editOf(e.collection, e.n)
    desks.update(e.desk, b.collection, b.record, { ...fields, updatedAt: at(), updatedBy: `desk-${e.desk + 1}` })
  }
  for (const b of built)
    if (b.fix)
      desks.update(b.desk, b.collection, b.record, { ...b.fix, updatedAt: at(), updatedBy: `desk-${b.desk + 1}` })
  return [first, snapshot()]
}

const toProject = (clinicId: string, docs: Map<DocKey, A.Doc<AnyClinicDoc>>): DocToProject[] =>
  [...docs].map(([docKey, doc]) => ({ clinicId, docKey, docId: docIdFor(clinicId, docKey), doc: () => doc }))

/** What one document's projection reported, comparable across the two ways. */
const summary = (r: ProjectionResult) => ({
  docKey: r.docKey,
  records: r.records,
  rows: r.rows,
  rejected: r.rejected,
  cleared: r.cleared,
  waiting: r.waiting,
  byCollection: r.byCollection,
  deskChangedAt: [...r.deskChangedAt].sort(),
  upToDate: r.upToDate,
  full: r.full,
})

/** Everything projected for the clinic, without the moments the bridge wrote it. */
const state = async (clinicId: string): Promise<Record<string, unknown[]>> => {
  const rows = async (sql: string) =>
    (await db.pool.query<{ r: unknown }>(sql, [clinicId])).rows.map(x => JSON.stringify(x.r)).sort()
  const out: Record<string, unknown[]> = {}
  for (const table of ["clients", "patients", "appointments", "invoices"])
    out[table] = await rows(
      `SELECT to_jsonb(t) - 'deleted_at' || jsonb_build_object('deleted', t.deleted_at IS NOT NULL) AS r
       FROM ${table} t WHERE clinic_id = $1`,
    )
  out.invoice_payments = await rows("SELECT to_jsonb(p) AS r FROM invoice_payments p WHERE clinic_id = $1")
  out.invoice_items = await rows(
    "SELECT to_jsonb(it) AS r FROM invoice_items it JOIN invoices i ON i.id = it.invoice_id WHERE i.clinic_id = $1",
  )
  out.rejections = await rows("SELECT to_jsonb(r) - 'rejected_at' AS r FROM rejections r WHERE clinic_id = $1")
  out.waiting = await rows("SELECT to_jsonb(w) - 'waiting_since' AS r FROM waiting_records w WHERE clinic_id = $1")
  out.heads = await rows("SELECT to_jsonb(h) - 'projected_at' AS r FROM projection_heads h WHERE clinic_id = $1")
  return out
}

describe("projecting several documents in one transaction", () => {
  let run = 0
  it("writes what projecting them one at a time writes, and reports the same for each document", async () => {
    console.log(`batch projection: fast-check seed ${SEED}, ${RUNS} runs (replay: VETSYNC_FC_SEED=${SEED})`)
    let batches = 0
    let documents = 0
    await fc.assert(
      fc.asyncProperty(clinicPlanArb, fc.integer({ min: 1, max: 30 }), async (plan, maxRecords) => {
        const clinicId = `batch-${++run}`
        const versions = twoVersions(clinicId, plan)

        // together: every changed document of a version in as few transactions as maxRecords allows
        await ensureClinic(db.pool, clinicId, "")
        const together: ReturnType<typeof summary>[][] = []
        for (const docs of versions) {
          const reported: ReturnType<typeof summary>[] = []
          for (let pending = toProject(clinicId, docs); pending.length > 0;) {
            const { projected, left } = await projectDocuments(db.pool, pending, maxRecords)
            expect(projected.length, "a batch projects at least one document").toBeGreaterThan(0)
            expect(projected.length + left.length).toBe(pending.length)
            reported.push(...projected.map(p => summary(p.result)))
            pending = left
            batches++
          }
          documents += docs.size
          together.push(reported.sort((a, b) => a.docKey.localeCompare(b.docKey)))
        }
        const stateTogether = await state(clinicId)
        await dropClinic(db.pool, clinicId)

        // one at a time, in the same order, from scratch
        await ensureClinic(db.pool, clinicId, "")
        const alone: ReturnType<typeof summary>[][] = []
        for (const docs of versions) {
          const reported: ReturnType<typeof summary>[] = []
          for (const d of toProject(clinicId, docs)) reported.push(summary(await projectDocument(db.pool, d)))
          alone.push(reported.sort((a, b) => a.docKey.localeCompare(b.docKey)))
        }
        const stateAlone = await state(clinicId)
        await dropClinic(db.pool, clinicId)

        expect(stateTogether).toEqual(stateAlone)
        expect(together).toEqual(alone)
        // the first version wrote something: the comparison is not between two empty databases
        expect(stateAlone.heads?.length ?? 0).toBeGreaterThan(0)
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    )
    console.log(`batch projection: ${run} clinics, ${documents} document versions in ${batches} transactions`)
  }, 240_000)
})
