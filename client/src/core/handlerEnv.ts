import { localDate, localTime, type Collection } from "@vetsync/shared"
import type { ClinicProfileView, ConflictView, DeskStatus, RejectionView, SyncNowResult } from "./api.js"
import type { CommandContext } from "./commands/context.js"

/** What the desk core gives its command handlers. */
export interface HandlerDeps {
  ctx: CommandContext
  status: () => DeskStatus
  syncNow: () => SyncNowResult
  profile: () => ClinicProfileView
}

/** What every handler works with: the core's deps, and the views several handlers share. */
export interface HandlerEnv extends HandlerDeps {
  /** fields two desks changed at once, each with the label staff find its record by */
  conflicts: () => ConflictView[]
  /** rejections that a later edit of the record has not superseded */
  rejections: () => RejectionView[]
  /** why the bridge refused the record `collection/id` as of its `updatedAt`, or null */
  rejectionOf: (key: string, updatedAt: string) => string | null
}

/** The env of one desk core's handlers (its views read the read model at each call). */
export const handlerEnv = (deps: HandlerDeps): HandlerEnv => {
  const { ctx } = deps
  const rm = ctx.rm
  const labelOf = (collection: Collection, id: string): string => {
    switch (collection) {
      case "clients":
        return rm.getClient(id)?.name ?? id
      case "patients": {
        const p = rm.getPatient(id)
        return p ? `${p.name} (${rm.getClient(p.clientId)?.name ?? ""})` : id
      }
      case "appointments": {
        const a = rm.getAppointment(id)
        return a ? `${localDate(a.start, ctx.timeZone())} ${localTime(a.start, ctx.timeZone())} ${a.vet}` : id
      }
      case "invoices":
        return rm.getInvoice(id)?.number ?? id
    }
  }
  const updatedAtOf = (collection: Collection, id: string): string | undefined =>
    collection === "clients"
      ? rm.getClient(id)?.updatedAt
      : collection === "patients"
        ? rm.getPatient(id)?.updatedAt
        : collection === "appointments"
          ? rm.getAppointment(id)?.updatedAt
          : rm.getInvoice(id)?.updatedAt
  return {
    ...deps,
    rejections: () =>
      rm.rejections().flatMap(r => {
        const slash = r.key.indexOf("/")
        const collection = r.key.slice(0, slash) as Collection
        const id = r.key.slice(slash + 1)
        const updatedAt = updatedAtOf(collection, id)
        if (updatedAt !== undefined && updatedAt > r.recordUpdatedAt) return []
        return [{ collection, id, reason: r.reason, at: r.at, label: labelOf(collection, id) }]
      }),
    rejectionOf: (key, updatedAt) => {
      const r = rm.rejections().find(x => x.key === key)
      return r && !(updatedAt > r.recordUpdatedAt) ? r.reason : null
    },
    conflicts: () => rm.conflicts().map(c => ({ ...c, label: labelOf(c.collection, c.id) })),
  }
}
