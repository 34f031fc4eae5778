import * as A from "@automerge/automerge"
import { buildClinicDocs, clientShardKey, encodeChangeMessage, type AnyClinicDoc, type Collection, type DocKey } from "@vetsync/shared"
import { generateClinic } from "@vetsync/test-kit/seed"
import { ChangeIndex, recordHistory } from "@vetsync/client"
import { percentile, repeat, type Benchmark } from "./benchmark.js"
import { formatMs, type Row } from "./table.js"

const RUNS = 60
/** desk edits made on top of the import, as a busy day leaves them */
const EDITS = 300

type Records = Record<string, Record<string, Record<string, unknown>>>

/** EDITS one-field desk changes of random records of the document (a deterministic walk). */
const edit = (doc: A.Doc<AnyClinicDoc>, collection: Collection, field: string, ids: readonly string[]): A.Doc<AnyClinicDoc> => {
  let d = A.clone(doc, { actor: "d1d1d1d1" })
  for (let i = 0; i < EDITS; i++) {
    const id = ids[(i * 7919) % ids.length] as string
    d = A.change(d, { message: encodeChangeMessage({ desk: `front-${(i % 3) + 1}`, staff: "", cmd: `${collection}.update` }) }, x => {
      const rec = (x as unknown as Records)[collection]?.[id]
      if (rec) rec[field] = new A.ImmutableString(`${field}-${i}`)
    })
  }
  return d
}

/**
 * A record's history at the seeds' scale: a client shard (~1,000 clients and their patients) and
 * the busiest appointments month, each imported in one change, then EDITS desk changes. "first"
 * builds the document's change index (once per document per desk process, then kept); "warm" is
 * every later question; "after a change" takes one new change into the index first.
 */
export const benchmark: Benchmark = {
  name: "history",
  description: `time to show one record's history (records.history) at the seeds' scale, in-process: a client shard and an appointments month, each imported then edited ${EDITS} times; p50/p95 of ${RUNS} records`,
  run: async () => {
    const clinic = generateClinic({ seed: 1 })
    const shard: DocKey = clientShardKey(clinic.clients[0]!.id)
    const clients = clinic.clients.filter(c => clientShardKey(c.id) === shard)
    const ids = new Set(clients.map(c => c.id))
    const months = new Map<string, number>()
    for (const a of clinic.appointments) months.set(a.start.slice(0, 7), (months.get(a.start.slice(0, 7)) ?? 0) + 1)
    const month = [...months.entries()].sort((x, y) => y[1] - x[1])[0]![0]
    const appointments = clinic.appointments.filter(a => a.start.slice(0, 7) === month)
    const docs = buildClinicDocs(clinic.clinicId, {
      clients,
      patients: clinic.patients.filter(p => ids.has(p.clientId)),
      appointments,
    }, "be0c1a0f")
    const rows: Row[] = []
    const cases: [string, DocKey, Collection, string, string[]][] = [
      [`client shard (${clients.length} clients)`, shard, "clients", "phone", clients.map(c => c.id)],
    ]
    const monthKey = [...docs.keys()].find(k => k.startsWith("appointments/"))
    if (monthKey) cases.push([`appointments month ${month} (${appointments.length})`, monthKey, "appointments", "vet", appointments.map(a => a.id)])
    for (const [what, key, collection, field, recordIds] of cases) {
      const doc = edit(docs.get(key)!, collection, field, recordIds)
      const changes = A.getAllChanges(doc).length
      const sample = Array.from({ length: RUNS }, (_, i) => recordIds[(i * 104729) % recordIds.length] as string)
      let t0 = performance.now()
      const index = new ChangeIndex()
      const entries = recordHistory(doc, index, collection, sample[0]!, id => id).length
      const first = performance.now() - t0
      let i = 0
      const warm = await repeat(() => recordHistory(doc, index, collection, sample[i++ % RUNS]!, id => id), RUNS, 5)
      // one more desk change, then the next question takes it into the index
      const next = A.change(A.clone(doc, { actor: "d2d2d2d2" }), { message: encodeChangeMessage({ desk: "front-9", staff: "", cmd: "" }) }, x => {
        const rec = (x as unknown as Records)[collection]?.[sample[1]!]
        if (rec) rec[field] = new A.ImmutableString("changed")
      })
      t0 = performance.now()
      recordHistory(next, index, collection, sample[1]!, id => id)
      const afterChange = performance.now() - t0
      rows.push({
        document: what,
        changes,
        "first (builds the index)": formatMs(first),
        "warm p50": formatMs(percentile(warm, 50)),
        "warm p95": formatMs(percentile(warm, 95)),
        "after a new change": formatMs(afterChange),
        "entries (first record)": entries,
      })
    }
    return rows
  },
}
