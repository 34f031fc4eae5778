import { dayRange, monthRange } from "@vetsync/shared"
import { DeskError, type DeskApi, type DeskArgs, type DeskCommand, type DeskResult } from "./api.js"
import { book, moveAppointment, setAppointmentStatus } from "./commands/appointments.js"
import {
  createClient,
  createPatient,
  deleteClient,
  deletePatient,
  updateClient,
  updatePatient,
} from "./commands/clients.js"
import { resolveConflict } from "./commands/conflicts.js"
import { docKeyOf } from "./commands/context.js"
import { withAuthors } from "./history/conflictAuthors.js"
import { createInvoice } from "./commands/invoices.js"
import { payDue, payInvoice, refundInvoice, voidInvoice } from "./commands/payments.js"
import { receiptProblems } from "./fiscal/receipt.js"
import { handlerEnv, type HandlerDeps, type HandlerEnv } from "./handlerEnv.js"
import { parseArgs } from "./parseArgs.js"
import { appointmentViews } from "./views/appointments.js"
import { clientCard } from "./views/clientCard.js"
import { endOfDay } from "./views/endOfDay.js"
import { invoiceView } from "./views/invoices.js"
import { roster } from "./views/roster.js"

export type { HandlerDeps } from "./handlerEnv.js"

/** One command's handler: its arguments are already parsed with the command's schema. */
type Handler<C extends DeskCommand> = (env: HandlerEnv, args: DeskArgs<C>) => Promise<DeskResult<C>>

const limitOf = (n: number | undefined, max = 200): number => Math.max(1, Math.min(max, Math.floor(n ?? 30)))

/**
 * The typed command map: one handler per command of DeskHandlers (api.ts), and no other key (both
 * checked at compile time). The desk API's list of commands is this map's keys (DESK_COMMANDS).
 */
export const DESK_HANDLERS = {
  status: async env => env.status(),
  "sync.now": async env => env.syncNow(),
  "clients.search": async ({ ctx }, { query, limit }) => ctx.rm.clients.find(String(query ?? ""), limitOf(limit)),
  "clients.duplicates": async ({ ctx }, { name, phone, petNames }) =>
    ctx.rm.clients.likelyDuplicates({ name, phone, petNames }),
  "clients.get": async (env, { id }) => {
    const { rm } = env.ctx
    const client = rm.clients.get(id)
    if (!client) return null
    const card = clientCard(client, rm.patients.ofClient(id), env.conflicts(), env.rejections())
    return { ...card, conflicts: await withAuthors(env.ctx, env.histories, card.conflicts) }
  },
  "clients.create": async ({ ctx }, args) => createClient(ctx, args),
  "clients.update": async ({ ctx }, { id, patch }) => updateClient(ctx, id, patch),
  "clients.delete": async ({ ctx }, { id }) => deleteClient(ctx, id),
  "patients.create": async ({ ctx }, args) => createPatient(ctx, args),
  "patients.update": async ({ ctx }, { id, patch }) => updatePatient(ctx, id, patch),
  "patients.delete": async ({ ctx }, { id }) => deletePatient(ctx, id),
  "appointments.book": async ({ ctx }, args) => book(ctx, args),
  "appointments.move": async ({ ctx }, args) => moveAppointment(ctx, args),
  "appointments.setStatus": async ({ ctx }, { id, status }) => setAppointmentStatus(ctx, id, status),
  "appointments.day": async ({ ctx, reasons }, { date, vet }) => {
    // the clinic's calendar date, from its local midnight to the next (its zone, not UTC nor the machine's)
    const { from, to } = dayRange(date, ctx.timeZone())
    return appointmentViews(ctx.rm.appointments.between(from, to), vet, ctx.rm.records, reasons())
  },
  "appointments.vets": async ({ ctx }) => ctx.rm.appointments.vets(),
  "appointments.roster": async ({ ctx }) => roster(ctx),
  "invoices.create": async ({ ctx }, args) => createInvoice(ctx, args),
  // the old one-button payment: what is due, in cash, handed over exactly
  "invoices.markPaid": async ({ ctx, reasons }, { id }) => {
    return invoiceView((await payDue(ctx, id)).invoice, ctx.rm.records, reasons())
  },
  "invoices.void": async ({ ctx, reasons }, { id, reason }) =>
    invoiceView(await voidInvoice(ctx, id, reason), ctx.rm.records, reasons()),
  "invoices.pay": async ({ ctx, reasons }, { id, payments }) => {
    const r = await payInvoice(ctx, id, payments)
    return { invoice: invoiceView(r.invoice, ctx.rm.records, reasons()), payments: r.payments }
  },
  "invoices.refund": async ({ ctx, reasons }, { id, ...input }) => {
    const r = await refundInvoice(ctx, id, input)
    return { invoice: invoiceView(r.invoice, ctx.rm.records, reasons()), refund: r.refund }
  },
  "invoices.search": async ({ ctx, reasons }, { number, clientId, from, to, states, limit, offset }) => {
    const zone = ctx.timeZone()
    // the clinic's days: from its local midnight of `from` to the one after `to`
    const filter = {
      number,
      clientId,
      states,
      ...(from ? { from: dayRange(from, zone).from } : {}),
      ...(to ? { to: dayRange(to, zone).to } : {}),
    }
    const reasonOf = reasons()
    return {
      items: ctx.rm.invoices
        .search(filter, limitOf(limit, 50), offset ?? 0)
        .map(i => invoiceView(i, ctx.rm.records, reasonOf)),
      total: ctx.rm.invoices.count(filter),
    }
  },
  "invoices.ofClient": async ({ ctx, reasons }, { clientId, limit, offset }) => {
    const reasonOf = reasons()
    return {
      items: ctx.rm.invoices
        .search({ clientId }, limitOf(limit, 50), offset ?? 0)
        .map(i => invoiceView(i, ctx.rm.records, reasonOf)),
      total: ctx.rm.invoices.count({ clientId }),
    }
  },
  "invoices.get": async ({ ctx, reasons }, { id }) => {
    const i = ctx.rm.invoices.get(id)
    return i ? invoiceView(i, ctx.rm.records, reasons()) : null
  },
  "invoices.list": async ({ ctx, reasons }, { month, clientId, limit }) => {
    const reasonOf = reasons()
    return (
      ctx.rm.invoices
        // a month of the clinic: from its local midnight on the 1st
        .list({ ...(month ? monthRange(month, ctx.timeZone()) : {}), clientId, limit: limitOf(limit, 500) })
        .map(i => invoiceView(i, ctx.rm.records, reasonOf))
    )
  },
  "pricelist.search": async ({ ctx }, { query, limit }) => ctx.rm.priceList.search(String(query ?? ""), limitOf(limit)),
  "records.related": async ({ ctx, reasons }, { clientId, patientId, limit }) => {
    const owner = patientId ? { patientId } : { clientId }
    const n = limitOf(limit, 500)
    const appointments = ctx.rm.appointments.ofOwner(owner, n)
    const invoices = ctx.rm.invoices.ofOwner(owner, n)
    const reasonOf = reasons()
    return {
      // an appointment's overlaps belong to the day view: the card lists them as they are
      appointments: appointmentViews(appointments.items, undefined, ctx.rm.records, reasonOf).map(a => ({ ...a, overlapsWith: [] })),
      appointmentsTotal: appointments.total,
      invoices: invoices.items.map(i => invoiceView(i, ctx.rm.records, reasonOf)),
      invoicesTotal: invoices.total,
    }
  },
  "records.history": async ({ ctx, histories }, { collection, id }) =>
    histories.history(docKeyOf(ctx, collection, id), collection, id),
  "conflicts.list": async env => withAuthors(env.ctx, env.histories, env.conflicts()),
  "conflicts.resolve": async ({ ctx }, args) => resolveConflict(ctx, args),
  "rejections.list": async env => env.rejections(),
  "clinic.profile": async env => env.profile(),
  "fiscal.status": async env => env.fiscal().status(),
  "fiscal.openShift": async (env, { cashier }) => env.fiscal().openShift(cashier),
  "fiscal.closeShift": async (env, { cashier }) => env.fiscal().closeShift(cashier),
  "fiscal.reportX": async (env, { cashier }) => env.fiscal().reportX(cashier),
  "fiscal.receipt": async (env, request) => {
    const problems = receiptProblems(request)
    if (problems.length)
      throw new DeskError("validation", problems.join("; "), problems.map(p => ({ field: p.split(":")[0] ?? "", code: "invalid", message: p })))
    return env.fiscal().receipt(request)
  },
  "fiscal.receipts": async (env, { states, limit }) => env.fiscal().receipts(states, limitOf(limit, 1000)),
  "fiscal.retry": async (env, { key }) => env.fiscal().retry(key),
  "fiscal.day": async (env, { date }) => env.fiscal().day(date),
  "money.day": async ({ ctx }, { date, allDesks }) => {
    const timeZone = ctx.timeZone()
    const { from, to } = dayRange(date, timeZone)
    return endOfDay(ctx.rm.invoices.moneyBetween(from, to), { date, timeZone, deskId: allDesks ? null : ctx.deskId })
  },
  "staff.list": async env => env.session.list(),
  "session.current": async env => env.session.current(),
  "session.signIn": async (env, { staffId, pin }) => env.session.signIn(staffId, pin),
  "session.signOut": async env => env.session.signOut(),
} satisfies { [C in DeskCommand]: Handler<C> }

/** Every command of the desk API: the handler map's keys, in its order. */
export const DESK_COMMANDS = Object.keys(DESK_HANDLERS) as readonly (keyof typeof DESK_HANDLERS)[]

/** `s` names a command of the desk API (its own key, never an inherited one such as "constructor"). */
export const isDeskCommand = (s: string): s is DeskCommand => (DESK_COMMANDS as readonly string[]).includes(s)

/**
 * One desk core's API: every handler behind the boundary, its arguments parsed with the command's
 * schema first, so a handler only ever sees arguments of its declared type (and an unknown key
 * never reaches a patch).
 */
export const createHandlers = (deps: HandlerDeps): DeskApi => {
  const env = handlerEnv(deps)
  const api: Partial<Record<DeskCommand, (args: unknown) => Promise<unknown>>> = {}
  for (const command of DESK_COMMANDS) {
    const handler = DESK_HANDLERS[command] as (env: HandlerEnv, args: unknown) => Promise<unknown>
    api[command] = async args => handler(env, parseArgs(command, args))
  }
  return api as DeskApi
}
