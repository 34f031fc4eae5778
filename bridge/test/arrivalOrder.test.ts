import * as A from "@automerge/automerge"
import { Repo, type DocHandle } from "@automerge/automerge-repo"
import fc from "fast-check"
import { afterAll, describe, expect, it } from "vitest"
import { eventually } from "@vetsync/test-kit"
import { docIdFor, rejectionsOfDoc, type AnyClinicDoc, type DocKey, type RejectionsDoc } from "@vetsync/shared"
import { Bridge } from "../src/Bridge.js"
import { projectDocument } from "../src/projection/projectDocument.js"
import { listRejections } from "../src/queries/rejections.js"
import { listWaiting, waitingReport } from "../src/queries/waitingRecords.js"
import { openDoc } from "../src/sync/openDoc.js"
import { expectedState, rowDifferences, validOnItsOwn, type Expected } from "./helpers/expectedState.js"
import { buildRecords, clinicPlanArb, editOf, type Built, type ClinicPlan } from "./helpers/randomClinic.js"
import { useTestDatabase } from "@vetsync/db/testing"
import { dropClinic } from "./helpers/dropClinic.js"
import { TwoDesks } from "./helpers/TwoDesks.js"

/**
 * The bridge never rejects a valid record because of the order in which documents arrive.
 * A random clinic is written on two desks (records invalid on their own among them, some
 * fixed later, references that never arrive, edits, soft deletes), and every change of every
 * document reaches the bridge in a random order, in random bursts, with projection running in
 * between. Then: every record that is valid, and whose references are, is a row with its final
 * values; exactly the records invalid on their own are rejected (in PostgreSQL and in the
 * desks' rejections document); every other valid record waits, visible to the back office;
 * projecting everything again from scratch writes nothing.
 *
 * The seed is printed; replay with VETSYNC_FC_SEED=<seed> (VETSYNC_FC_RUNS for more runs).
 */
const RUNS = Number(process.env.VETSYNC_FC_RUNS ?? 25)
const SEED = process.env.VETSYNC_FC_SEED !== undefined ? Number(process.env.VETSYNC_FC_SEED) : Date.now() % 2 ** 31

const db = useTestDatabase()

/** Run first: every outcome at least once (a fixed, a never-fixed and a waiting record of each kind). */
const EVERY_OUTCOME: ClinicPlan = {
  clients: [
    { desk: 0, flaw: "none", fixed: false },
    { desk: 1, flaw: "validator", fixed: false },
    { desk: 1, flaw: "validator", fixed: true },
  ],
  patients: [
    { desk: 1, client: 0, flaw: "none", fixed: false },
    { desk: 0, client: 1, flaw: "none", fixed: false },
    { desk: 0, client: 0, flaw: "date", fixed: false },
    { desk: 1, client: 2, flaw: "date", fixed: true },
  ],
  appointments: [
    { desk: 0, patient: 0, ghost: false, month: 0, day: 3, flaw: "none", fixed: false },
    { desk: 1, patient: 1, ghost: false, month: 1, day: 4, flaw: "none", fixed: false },
    { desk: 1, patient: 0, ghost: true, month: 2, day: 5, flaw: "none", fixed: false },
    { desk: 0, patient: 3, ghost: false, month: 1, day: 6, flaw: "date", fixed: true },
    { desk: 0, patient: 0, ghost: false, month: 3, day: 7, flaw: "validator", fixed: false },
  ],
  invoices: [
    { desk: 1, patient: 0, withPatient: true, month: 0, flaw: "none", fixed: false },
    { desk: 0, patient: 1, withPatient: false, month: 3, flaw: "validator", fixed: true },
    { desk: 0, patient: 3, withPatient: true, month: 2, flaw: "validator", fixed: false },
  ],
  edits: [
    { t: "edit", desk: 1, collection: "clients", index: 0, n: 2 },
    { t: "edit", desk: 0, collection: "clients", index: 0, n: 4 },
    { t: "delete", desk: 1, collection: "clients", index: 0 },
    { t: "edit", desk: 0, collection: "appointments", index: 0, n: 1 },
    { t: "sync", doc: 3 },
    { t: "edit", desk: 1, collection: "invoices", index: 0, n: 0 },
  ],
  deliverySeed: 7,
}

/** mulberry32: the delivery order and bursts, from the plan's seed. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

const writeClinic = (clinicId: string, plan: ClinicPlan): { desks: TwoDesks; built: Built[] } => {
  let clock = Date.parse("2026-09-01T08:00:00.000Z")
  const at = () => new Date((clock += 1000)).toISOString()
  const desks = new TwoDesks(clinicId)
  const built = buildRecords(clinicId, plan, at)
  for (const b of built) desks.create(b.desk, b.collection, b.record)
  for (const e of plan.edits) {
    if (e.t === "sync") {
      const keys = desks.keys()
      desks.sync(keys[e.doc % keys.length]!)
      continue
    }
    const of = built.filter(b => b.collection === e.collection)
    const b = of[e.index % Math.max(1, of.length)]
    if (!b) continue
    const fields = e.t === "delete" ? { deleted: true } : editOf(e.collection, e.n)
    desks.update(e.desk, b.collection, b.record, { ...fields, updatedAt: at(), updatedBy: `desk-${e.desk + 1}` })
  }
  for (const b of built)
    if (b.fix)
      desks.update(b.desk, b.collection, b.record, { ...b.fix, updatedAt: at(), updatedBy: `desk-${b.desk + 1}` })
  return { desks, built }
}

describe("arrival order", () => {
  let bridge: Bridge
  let run = 0
  /**
   * A bridge and a repo per clinic: one repo following hundreds of clinics' documents grows
   * slower with each (a scaling matter of its own, not what this test is about).
   */
  const startBridge = async (clinicId: string) => {
    bridge = await Bridge.start({
      dataDir: db.dir,
      databaseUrl: db.url,
      repo: new Repo({ network: [] }),
    })
    await bridge.addClinic(clinicId)
  }
  afterAll(async () => {
    await bridge?.stop()
  })

  /**
   * Every change of the clinic's documents in a random order (Automerge holds a change until
   * the changes it depends on arrive), in bursts, with projection in between. Some plans send
   * the months first, then the client shards: every appointment and invoice arrives first.
   */
  const deliver = async (clinicId: string, desks: TwoDesks, built: Built[], seed: number) => {
    // a record valid from its creation is valid in every version: it may never be rejected, not even for a moment
    const alwaysValid = new Set(built.filter(b => validOnItsOwn(b.collection, b.record)).map(b => b.record.id))
    /** records seen waiting on the way */
    const sawWaiting = new Set<string>()
    const checkpoint = async () => {
      const wrong = (await listRejections(db.pool, clinicId)).filter(r => alwaysValid.has(r.record_id))
      expect(
        wrong.map(r => `${r.collection}/${r.record_id}: ${r.reason}`),
        "valid records rejected",
      ).toEqual([])
      for (const w of await listWaiting(db.pool, clinicId)) sawWaiting.add(w.record_id)
    }
    const random = prng(seed)
    const items = desks.changes()
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1))
      ;[items[i], items[j]] = [items[j]!, items[i]!]
    }
    const monthsFirst = random() < 0.4
    if (monthsFirst) items.sort((a, b) => Number(a.key.startsWith("clients/")) - Number(b.key.startsWith("clients/")))
    const handles = new Map<DocKey, DocHandle<AnyClinicDoc>>()
    for (let i = 0; i < items.length;) {
      const burst = items.slice(i, (i += 1 + Math.floor(random() * 4)))
      for (const { key, change } of burst) {
        const handle = handles.get(key) ?? (await openDoc(bridge.repo, clinicId, key))
        handles.set(key, handle)
        handle.update(d => A.applyChanges(d, [change])[0])
      }
      const r = random()
      if (r < (monthsFirst ? 0.5 : 0.25)) {
        await bridge.idle()
        await checkpoint()
      } else if (r < 0.6) await new Promise(resolve => setImmediate(resolve)) // the projector may start mid-delivery
    }
    await bridge.idle()
    await checkpoint()
    return { handles, sawWaiting }
  }

  const differences = async (clinicId: string, expected: Expected[]): Promise<string[]> => {
    const out: string[] = []
    for (const e of expected.filter(x => x.lands)) out.push(...(await rowDifferences(db.pool, clinicId, e)))
    const name = (e: { collection: string; record: { id: string } }) => `${e.collection}/${e.record.id}`
    const sorted = (xs: string[]) => [...xs].sort().join(", ")
    const rejected = sorted((await listRejections(db.pool, clinicId)).map(r => `${r.collection}/${r.record_id}`))
    const wantRejected = sorted(expected.filter(e => !e.valid).map(name))
    if (rejected !== wantRejected) out.push(`rejected [${rejected}] instead of [${wantRejected}]`)
    const waiting = await waitingReport(db.pool, clinicId)
    const wantWaiting = sorted(expected.filter(e => e.valid && !e.lands).map(name))
    if (sorted(waiting.map(w => `${w.collection}/${w.record_id}`)) !== wantWaiting)
      out.push(`waiting [${sorted(waiting.map(w => `${w.collection}/${w.record_id}`))}] instead of [${wantWaiting}]`)
    if (waiting.some(w => w.missing === null)) out.push("a record waits although everything it references is there")
    const rows = await db.pool.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM clients WHERE clinic_id = $1) + (SELECT count(*) FROM patients WHERE clinic_id = $1)
            + (SELECT count(*) FROM appointments WHERE clinic_id = $1) + (SELECT count(*) FROM invoices WHERE clinic_id = $1) AS n`,
      [clinicId],
    )
    if (rows.rows[0]!.n !== expected.filter(e => e.lands).length)
      out.push(`${rows.rows[0]!.n} rows instead of ${expected.filter(e => e.lands).length}`)
    const published = rejectionsOfDoc((await openDoc<RejectionsDoc>(bridge.repo, clinicId, "rejections")).doc())
    if (sorted(published.map(p => p.key)) !== wantRejected)
      out.push(`desks are shown [${sorted(published.map(p => p.key))}] instead of [${wantRejected}]`)
    return out
  }

  it(
    "every valid record lands whatever the order; only records invalid on their own are rejected",
    async () => {
      console.log(`arrival order: fast-check seed ${SEED}, ${RUNS} runs (replay: VETSYNC_FC_SEED=${SEED})`)
      let landed = 0
      let rejected = 0
      let waited = 0
      let landedAfterWaiting = 0
      await fc.assert(
        fc.asyncProperty(clinicPlanArb, async plan => {
          const clinicId = `order-${++run}`
          await startBridge(clinicId)
          const { desks, built } = writeClinic(clinicId, plan)
          const { handles, sawWaiting } = await deliver(clinicId, desks, built, plan.deliverySeed)
          const expected = expectedState(desks, built)
          await eventually(
            `${clinicId}: PostgreSQL to hold every valid record and reject exactly the invalid ones`,
            async () => {
              await bridge.idle()
              const diff = await differences(clinicId, expected)
              if (diff.length > 0) throw new Error(diff.slice(0, 8).join("; "))
              return true
            },
            30_000,
          )
          // exactly once: projecting every document again from scratch writes no row
          await db.pool.query("DELETE FROM projection_heads WHERE clinic_id = $1", [clinicId])
          for (const [key, handle] of handles) {
            if (key === "root") continue
            const again = await projectDocument(db.pool, {
              clinicId,
              docKey: key,
              docId: docIdFor(clinicId, key),
              doc: () => handle.doc(),
            })
            expect(again.rows, `${clinicId} ${key} projected again`).toBe(0)
          }
          landed += expected.filter(e => e.lands).length
          rejected += expected.filter(e => !e.valid).length
          waited += expected.filter(e => e.valid && !e.lands).length
          landedAfterWaiting += expected.filter(e => e.lands && sawWaiting.has(e.record.id)).length
          await bridge.stop()
          await dropClinic(db.pool, clinicId)
        }),
        { numRuns: RUNS, seed: SEED, endOnFailure: true, examples: [[EVERY_OUTCOME]] },
      )
      console.log(
        `arrival order: ${run} clinics; ${landed} records landed (${landedAfterWaiting} of them after waiting for ` +
          `what they reference), ${rejected} rejected, ${waited} still waiting for a reference that never came`,
      )
      expect(landed).toBeGreaterThan(0)
      expect(rejected).toBeGreaterThan(0)
      expect(waited).toBeGreaterThan(0)
      expect(landedAfterWaiting).toBeGreaterThan(0)
    },
    RUNS * 5_000 + 60_000,
  )
})
