import type { Collection } from "@vetsync/shared"
import type { ClinicProfileView, ConflictView, DeskStatus, RejectionView, SyncNowResult } from "./api.js"
import type { CommandContext } from "./commands/context.js"
import type { RecordHistories } from "./history/RecordHistories.js"
import type { FiscalDesk } from "./fiscal/FiscalDesk.js"
import type { DeskSession } from "./DeskSession.js"
import { conflictViews } from "./views/conflicts.js"
import { recordLabel } from "./views/labels.js"
import type { ReasonOf } from "./views/lookup.js"
import { rejectionReasons, rejectionViews } from "./views/rejections.js"

/** What the desk core gives its command handlers. */
export interface HandlerDeps {
  ctx: CommandContext
  status: () => DeskStatus
  syncNow: () => SyncNowResult
  profile: () => ClinicProfileView
  /** records' histories and conflicting values' authors, from the documents' change history */
  histories: RecordHistories
  /** the desk's register and receipt queue (throws DeskError "unavailable" when it has none) */
  fiscal: () => FiscalDesk
  session: DeskSession
}

/** What every handler works with: the core's deps, and the views several handlers share (views/). */
export interface HandlerEnv extends HandlerDeps {
  /** fields two desks changed at once, each with the label staff find its record by */
  conflicts: () => ConflictView[]
  /** rejections that a later edit of the record has not superseded */
  rejections: () => RejectionView[]
  /** why the bridge refused each record as of its `updatedAt` (read once per list) */
  reasons: () => ReasonOf
}

/** The env of one desk core's handlers (its views read the read model at each call). */
export const handlerEnv = (deps: HandlerDeps): HandlerEnv => {
  const { ctx } = deps
  const rm = ctx.rm
  const label = (collection: Collection, id: string): string => recordLabel(rm.records, ctx.timeZone(), collection, id)
  return {
    ...deps,
    rejections: () => rejectionViews(rm.rejectionsAndConflicts.rejections(), rm.records, label),
    conflicts: () => conflictViews(rm.rejectionsAndConflicts.conflicts(), label),
    reasons: () => rejectionReasons(rm.rejectionsAndConflicts.rejections()),
  }
}
