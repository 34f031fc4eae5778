import { dayRange, monthRange, type Collection } from "@vetsync/shared"
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
import { book, setAppointmentStatus } from "./commands/appointments.js"
import {
  createClient,
  createPatient,
  deleteClient,
  deletePatient,
  updateClient,
  updatePatient,
} from "./commands/clients.js"
import type { CommandContext } from "./commands/context.js"
import { resolveConflict } from "./commands/conflicts.js"
import { createInvoice, setInvoiceStatus } from "./commands/invoices.js"
import { parseArgs } from "./parseArgs.js"
import { appointmentViews } from "./views/appointments.js"
import { clientCard } from "./views/clientCard.js"
import { conflictViews } from "./views/conflicts.js"
import { invoiceView } from "./views/invoices.js"
import { recordLabel } from "./views/labels.js"
import { rejectionReasons, rejectionViews } from "./views/rejections.js"

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

/**
 * Each handler: its (parsed) arguments, a command (commands/) or a read of the read model, and
 * the view the UI gets (views/).
 */
const uncheckedHandlers = ({ ctx, status, syncNow, profile }: HandlerDeps): DeskApi => {
  const rm = ctx.rm
  const label = (collection: Collection, id: string): string => recordLabel(rm, ctx.timeZone(), collection, id)
  const rejections = (): RejectionView[] => rejectionViews(rm.rejections(), rm, label)
  const conflicts = (): ConflictView[] => conflictViews(rm.conflicts(), label)
  const reasons = () => rejectionReasons(rm.rejections())

  return {
    status: async () => status(),
    "sync.now": async () => syncNow(),
    "clients.search": async ({ query, limit }) => rm.findClients(String(query ?? ""), limitOf(limit)),
    "clients.duplicates": async ({ name, phone, petNames }) => rm.likelyDuplicates({ name, phone, petNames }),
    "clients.get": async ({ id }) => {
      const client = rm.getClient(id)
      return client ? clientCard(client, rm.patientsOf(id), conflicts(), rejections()) : null
    },
    "clients.create": async args => createClient(ctx, args),
    "clients.update": async ({ id, patch }) => updateClient(ctx, id, patch),
    "clients.delete": async ({ id }) => deleteClient(ctx, id),
    "patients.create": async args => createPatient(ctx, args),
    "patients.update": async ({ id, patch }) => updatePatient(ctx, id, patch),
    "patients.delete": async ({ id }) => deletePatient(ctx, id),
    "appointments.book": async args => book(ctx, args),
    "appointments.setStatus": async ({ id, status: s }) => setAppointmentStatus(ctx, id, s),
    "appointments.day": async ({ date, vet }) => {
      // the clinic's calendar date, from its local midnight to the next (its zone, not UTC nor the machine's)
      const { from, to } = dayRange(date, ctx.timeZone())
      return appointmentViews(rm.appointmentsBetween(from, to), vet, rm, reasons())
    },
    "appointments.vets": async () => rm.vets(),
    "invoices.create": async args => createInvoice(ctx, args),
    "invoices.markPaid": async ({ id }) => setInvoiceStatus(ctx, id, "paid"),
    "invoices.void": async ({ id }) => setInvoiceStatus(ctx, id, "void"),
    "invoices.get": async ({ id }) => {
      const i = rm.getInvoice(id)
      return i ? invoiceView(i, rm, reasons()) : null
    },
    "invoices.list": async ({ month, clientId, limit }) => {
      const reasonOf = reasons()
      return (
        rm
          // a month of the clinic: from its local midnight on the 1st
          .invoices({ ...(month ? monthRange(month, ctx.timeZone()) : {}), clientId, limit: limitOf(limit, 500) })
          .map(i => invoiceView(i, rm, reasonOf))
      )
    },
    "pricelist.search": async ({ query, limit }) => rm.searchPriceItems(String(query ?? ""), limitOf(limit)),
    "conflicts.list": async () => conflicts(),
    "conflicts.resolve": async args => resolveConflict(ctx, args),
    "rejections.list": async () => rejections(),
    "clinic.profile": async () => profile(),
  }
}
