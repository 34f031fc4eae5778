import type { ConflictView } from "../api.js"
import { docKeyOf, type CommandContext } from "../commands/context.js"
import type { RecordHistories } from "./RecordHistories.js"

/**
 * The conflicts with who wrote each value (desk, staff member, time), read from the op ids
 * A.getConflicts names and their changes' messages. A record the desk cannot open now (its
 * document is not here yet) keeps its conflicts without authors.
 */
export const withAuthors = async (
  ctx: Pick<CommandContext, "rm">,
  histories: RecordHistories,
  conflicts: readonly ConflictView[],
): Promise<ConflictView[]> => {
  const out: ConflictView[] = []
  for (const c of conflicts) {
    try {
      const { byValue } = await histories.valueAuthors(docKeyOf(ctx, c.collection, c.id), c.collection, c.id, c.field)
      out.push({ ...c, keptBy: byValue.get(c.kept) ?? null, othersBy: c.others.map(v => byValue.get(v) ?? null) })
    } catch {
      out.push(c)
    }
  }
  return out
}
