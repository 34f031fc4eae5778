import { localDate, localTime, monthRange, type Collection } from "@vetsync/shared"
import {
  DESK_COMMANDS,
  type ClinicProfileView,
  type ConflictView,
  type DeskApi,
  type DeskCommand,
  type RejectionView,
  type DeskStatus,
  type SyncNowResult,
} from "./api.js"
import { book, dayView, setAppointmentStatus } from "./commands/appointments.js"
import {
  clientCard,
  createClient,
  createPatient,
  deleteClient,
  deletePatient,
  updateClient,
  updatePatient,
} from "./commands/clients.js"
import type { CommandContext } from "./commands/context.js"
import { resolveConflict } from "./commands/conflicts.js"
import { createInvoice, invoiceView, setInvoiceStatus } from "./commands/invoices.js"
import { parseArgs } from "./parseArgs.js"

export interface HandlerDeps {
  ctx: CommandContext
  status: () => DeskStatus
  syncNow: () => SyncNowResult
  profile: () => ClinicProfileView
}

const limitOf = (n: number | undefined, max = 200): number => Math.max(1, Math.min(max, Math.floor(n ?? 30)))

/**
 * Every handler behind the boundary: its arguments are parsed with the command's schema first, so
 * a handler only ever sees arguments of its declared type (and an unknown key never reaches a patch).
 */
const checked = (api: DeskApi): DeskApi => {
  const out: Partial<Record<DeskCommand, (args: unknown) => Promise<unknown>>> = {}
  for (const command of DESK_COMMANDS) {
    const handler = api[command] as (args: unknown) => Promise<unknown>
    out[command] = async args => handler(parseArgs(command, args))
  }
  return out as DeskApi
}

/** The typed command map: one handler per command of DeskHandlers, each behind its argument schema. */
export const createHandlers = (deps: HandlerDeps): DeskApi => checked(uncheckedHandlers(deps))

const uncheckedHandlers = ({ ctx, status, syncNow, profile }: HandlerDeps): DeskApi => {
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
  /** rejections that a later edit of the record has not superseded */
  const rejections = (): RejectionView[] =>
    rm.rejections().flatMap(r => {
      const slash = r.key.indexOf("/")
      const collection = r.key.slice(0, slash) as Collection
      const id = r.key.slice(slash + 1)
      const updatedAt = updatedAtOf(collection, id)
      if (updatedAt !== undefined && updatedAt > r.recordUpdatedAt) return []
      return [{ collection, id, reason: r.reason, at: r.at, label: labelOf(collection, id) }]
    })
  const rejectionOf = (key: string, updatedAt: string): string | null => {
    const r = rm.rejections().find(x => x.key === key)
    return r && !(updatedAt > r.recordUpdatedAt) ? r.reason : null
  }
  const conflicts = (): ConflictView[] => rm.conflicts().map(c => ({ ...c, label: labelOf(c.collection, c.id) }))

  return {
    status: async () => status(),
    "sync.now": async () => syncNow(),
    "clients.search": async ({ query, limit }) => rm.findClients(String(query ?? ""), limitOf(limit)),
    "clients.duplicates": async ({ name, phone, petNames }) => rm.likelyDuplicates({ name, phone, petNames }),
    "clients.get": async ({ id }) => {
      const related = new Set([id, ...rm.patientsOf(id).map(p => p.id)])
      return clientCard(ctx, id, {
        conflicts: conflicts().filter(c => related.has(c.id)),
        rejection: rejections().find(r => related.has(r.id)) ?? null,
      })
    },
    "clients.create": async args => createClient(ctx, args),
    "clients.update": async ({ id, patch }) => updateClient(ctx, id, patch),
    "clients.delete": async ({ id }) => deleteClient(ctx, id),
    "patients.create": async args => createPatient(ctx, args),
    "patients.update": async ({ id, patch }) => updatePatient(ctx, id, patch),
    "patients.delete": async ({ id }) => deletePatient(ctx, id),
    "appointments.book": async args => book(ctx, args),
    "appointments.setStatus": async ({ id, status: s }) => setAppointmentStatus(ctx, id, s),
    "appointments.day": async ({ date, vet }) => dayView(ctx, date, vet, rejectionOf),
    "appointments.vets": async () => rm.vets(),
    "invoices.create": async args => createInvoice(ctx, args),
    "invoices.markPaid": async ({ id }) => setInvoiceStatus(ctx, id, "paid"),
    "invoices.void": async ({ id }) => setInvoiceStatus(ctx, id, "void"),
    "invoices.get": async ({ id }) => {
      const i = rm.getInvoice(id)
      return i ? invoiceView(ctx, i, rejectionOf) : null
    },
    "invoices.list": async ({ month, clientId, limit }) =>
      rm
        // a month of the clinic: from its local midnight on the 1st
        .invoices({ ...(month ? monthRange(month, ctx.timeZone()) : {}), clientId, limit: limitOf(limit, 500) })
        .map(i => invoiceView(ctx, i, rejectionOf)),
    "pricelist.search": async ({ query, limit }) => rm.searchPriceItems(String(query ?? ""), limitOf(limit)),
    "conflicts.list": async () => conflicts(),
    "conflicts.resolve": async args => resolveConflict(ctx, args),
    "rejections.list": async () => rejections(),
    "clinic.profile": async () => profile(),
  }
}
