import type { Collection } from "@vetsync/shared"
import { DeskError } from "../api.js"
import { assertValid, docKeyOf, notFound, patchRecord, type CommandContext } from "./context.js"

const EDITABLE: Record<Collection, readonly string[]> = {
  clients: ["name", "phone", "email", "address", "notes"],
  patients: ["name", "species", "breed", "sex", "birthDate", "chip", "notes"],
  appointments: ["vet", "start", "end", "reason", "status"],
  invoices: ["vet", "status", "paidAt"],
}

/**
 * Staff chose one of the concurrent values of a field: it is written as a new change,
 * which supersedes both, so every desk converges on the choice and the conflict ends.
 */
export const resolveConflict = async (
  ctx: CommandContext,
  args: { collection: Collection; id: string; field: string; value: string },
): Promise<{ ok: true }> => {
  const { collection, id, field, value } = args
  if (!(EDITABLE[collection] ?? []).includes(field)) throw new DeskError("bad_request", `${collection}.${field} cannot be chosen`)
  const key = docKeyOf(ctx, collection, id)
  const current = await ctx.readFromDoc(key, collection, id)
  if (!current) throw notFound(collection, id)
  const changes = { [field]: value, updatedAt: ctx.now(), updatedBy: ctx.deskId }
  // the chosen value is input like any other: a status, a date or a name must still be one
  assertValid(ctx, collection, { ...current, ...changes }, collection.replace(/s$/, ""))
  // write even when the kept value is chosen: the new change is what ends the conflict
  await ctx.write(
    key,
    doc => patchRecord(doc, collection, id, { ...current, [field]: Symbol("force") }, changes),
    [{ collection, id }],
  )
  return { ok: true }
}
