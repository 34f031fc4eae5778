import type { ConflictView } from "@vetsync/client"
import type { Collection } from "@vetsync/shared"
import type { DeskAnswer } from "../DeskClient.js"
import type { Ledger } from "../Ledger.js"
import type { Op, Ref } from "./ops.js"

/** What reads.ts needs of a Receptionist (kept apart to keep the import graph acyclic). */
export interface Caller {
  readonly deps: { ledger: Ledger }
  call(command: string, args: unknown, op: Op | string): Promise<DeskAnswer<unknown>>
}

/** Fields conflicts.resolve accepts (client/src/core/commands/conflicts.ts). */
const RESOLVABLE: Record<Collection, readonly string[]> = {
  clients: ["name", "phone", "email", "address", "notes"],
  patients: ["name", "species", "breed", "sex", "birthDate", "chip", "notes"],
  appointments: ["vet", "start", "end", "reason", "status"],
  invoices: ["vet", "status", "paidAt"],
}

/**
 * conflicts.resolve as staff would: list the desk's open conflicts, leave the designated ones
 * alone, choose one and one of its values.
 */
export const resolveConflict = async (
  r: Caller,
  op: Extract<Op, { kind: "conflicts.resolve" }>,
  wrote: (a: DeskAnswer<unknown>, collection: Collection, id: string, fields: Record<string, unknown>) => void,
): Promise<void> => {
  const list = await r.call("conflicts.list", {}, op)
  if (list.kind !== "ok") return
  const open = (list.value as ConflictView[]).filter(
    c => !r.deps.ledger.isDesignatedRecord(c.collection, c.id) && RESOLVABLE[c.collection]?.includes(c.field),
  )
  const c = open[op.pick % Math.max(1, open.length)]
  if (!c) return
  const values = [c.kept, ...c.others]
  const value = values[op.choice % values.length] ?? c.kept
  const a = await r.call("conflicts.resolve", { collection: c.collection, id: c.id, field: c.field, value }, op)
  wrote(a, c.collection, c.id, { [c.field]: value })
}

/** A read of the workload; a record this desk acknowledged must be found. */
export const runRead = async (
  r: Caller,
  op: Extract<Op, { kind: "read" }>,
  idOf: (ref: Ref | null) => string | undefined,
  checkLost: (a: DeskAnswer<unknown>, refs: Ref[]) => void,
): Promise<void> => {
  switch (op.command) {
    case "clients.get":
    case "invoices.get": {
      const id = idOf(op.target)
      if (!id || !op.target) return
      const a = await r.call(op.command, { id }, op)
      // the API answers null for a record it does not have: the same as not_found
      if (a.kind === "ok" && a.value === null) checkLost({ kind: "error", code: "not_found", message: `${id}: the desk answered null`, status: 200 }, [op.target])
      return
    }
    case "clients.search":
      await r.call(op.command, { query: op.query, limit: 10 }, op)
      return
    case "appointments.day":
      await r.call(op.command, { date: op.date }, op)
      return
    case "invoices.list":
      await r.call(op.command, { month: op.date.slice(0, 7), limit: 50 }, op)
      return
    case "pricelist.search":
      await r.call(op.command, { query: "" }, op)
      return
    case "status":
    case "appointments.vets":
    case "conflicts.list":
    case "rejections.list":
      await r.call(op.command, {}, op)
      return
  }
}
