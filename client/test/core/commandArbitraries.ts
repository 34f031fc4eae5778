import { INVOICE_STATES, PAYMENT_METHODS } from "@vetsync/shared"
import fc from "fast-check"
import type { DeskCommand } from "../../src/core/api.js"
import { ARG_CAPS } from "../../src/core/commandArgs.js"
import { receiptArb } from "../fiscal/arbitraries.js"
import { NO_PIN_MEMBER } from "./fixtures.js"
import {
  appointmentStatus,
  bookInput,
  calendarDate,
  clientInput,
  clientPatch,
  invoiceInput,
  limit,
  moveInput,
  patientInput,
  patientPatch,
  query,
  resolvable,
  resolvedValue,
  type Pool,
} from "./honestArgs.js"

type Args = Record<string, unknown>

/** a reason staff type: not blank, within the validators' 500 characters */
const reason = fc.string({ minLength: 1, maxLength: 500 }).filter(s => s.trim() !== "")

const ids = (pool: Pool) => ({
  client: fc.constantFrom(...pool.clients.map(c => c.id)),
  patient: fc.constantFrom(...pool.clients.flatMap(c => c.patients)),
  appointment: fc.constantFrom(...pool.appointments),
  invoice: fc.constantFrom(...pool.invoices),
})

const optional = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined })
/** drops the keys whose value is undefined (JSON has none) */
const defined = (o: Record<string, unknown>): Args =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined))

/** Honest arguments of every command of DESK_COMMANDS, about records of `pool` where they name one. */
export const honestArgs = (pool: Pool): Record<DeskCommand, fc.Arbitrary<Args>> => {
  const id = ids(pool)
  const none = fc.constant({})
  const idOf = { clients: id.client, patients: id.patient, appointments: id.appointment, invoices: id.invoice }
  return {
    status: none,
    "sync.now": none,
    "clients.search": fc.record({ query, limit }).map(defined),
    "clients.duplicates": fc
      .record({
        c: clientInput,
        petNames: optional(
          fc.array(
            patientInput.map(p => p.name),
            { maxLength: 3 },
          ),
        ),
      })
      .map(({ c, petNames }) => defined({ name: c.name, phone: c.phone, petNames })),
    "clients.get": fc.record({ id: fc.oneof(id.client, fc.string({ minLength: 1, maxLength: ARG_CAPS.id })) }),
    "clients.create": fc
      .record({ c: clientInput, patients: optional(fc.array(patientInput, { maxLength: 3 })) })
      .map(({ c, patients }) => defined({ ...c, patients })),
    "clients.update": fc.record({ id: id.client, patch: clientPatch }),
    "clients.delete": fc.record({ id: id.client }),
    "patients.create": fc
      .record({ p: patientInput, clientId: id.client })
      .map(({ p, clientId }) => ({ ...p, clientId })),
    "patients.update": fc.record({ id: id.patient, patch: patientPatch }),
    "patients.delete": fc.record({ id: id.patient }),
    "appointments.book": bookInput(pool).map(defined),
    "appointments.move": moveInput(pool).map(defined),
    "appointments.setStatus": fc.record({ id: id.appointment, status: appointmentStatus }),
    "appointments.day": fc.record({ date: calendarDate, vet: optional(fc.string({ maxLength: 100 })) }).map(defined),
    "appointments.vets": none,
    "appointments.roster": none,
    "invoices.create": invoiceInput(pool).map(defined),
    "invoices.markPaid": fc.record({ id: id.invoice }),
    "invoices.void": fc.record({ id: id.invoice, reason }),
    // amounts far below any invoice's total (fresh() gives each call a new invoice of the vaccine)
    "invoices.pay": fc.record({
      id: id.invoice,
      payments: fc.array(
        fc
          .record({
            method: fc.constantFrom(...PAYMENT_METHODS),
            amount: fc.integer({ min: 1, max: 100 }),
            extra: fc.integer({ min: 0, max: 500_000 }),
          })
          .map(({ method, amount, extra }) =>
            method === "cash" ? { method, amount, tendered: amount + extra } : { method, amount },
          ),
        { minLength: 1, maxLength: 3 },
      ),
    }),
    // fresh() pays the invoice in full first and names its first line for "first"
    "invoices.refund": fc.oneof(
      fc.record({
        id: id.invoice,
        method: fc.constantFrom(...PAYMENT_METHODS),
        reason,
        amount: fc.integer({ min: 1, max: 100 }),
      }),
      fc.record({
        id: id.invoice,
        method: fc.constantFrom(...PAYMENT_METHODS),
        reason,
        lines: fc.integer({ min: 1, max: 2000 }).map(qtyMilli => [{ lineId: "first", qtyMilli }]),
      }),
    ),
    "invoices.search": fc
      .record({
        number: optional(fc.constantFrom("R", "D1-", "d1-26", "")),
        clientId: optional(id.client),
        from: optional(calendarDate),
        to: optional(calendarDate),
        states: optional(fc.uniqueArray(fc.constantFrom(...INVOICE_STATES), { maxLength: 5 })),
        limit,
        offset: optional(fc.integer({ min: 0, max: 1000 })),
      })
      .map(defined),
    "invoices.ofClient": fc
      .record({ clientId: id.client, limit, offset: optional(fc.integer({ min: 0, max: 1000 })) })
      .map(defined),
    "invoices.get": fc.record({ id: fc.oneof(id.invoice, fc.string({ minLength: 1, maxLength: ARG_CAPS.id })) }),
    "invoices.list": fc
      .record({
        month: optional(calendarDate.map(d => d.slice(0, 7))),
        clientId: optional(id.client),
        limit,
      })
      .map(defined),
    "pricelist.search": fc.record({ query, limit }).map(defined),
    "records.related": fc
      .record({ clientId: id.client, patientId: optional(id.patient), limit })
      .map(defined),
    "records.history": resolvable.chain(([collection]) => fc.record({ collection: fc.constant(collection), id: idOf[collection] })),
    "conflicts.list": none,
    "conflicts.resolve": resolvable.chain(([collection, field]) =>
      fc.record({
        collection: fc.constant(collection),
        id: idOf[collection],
        field: fc.constant(field),
        value: resolvedValue(collection, field),
      }),
    ),
    "rejections.list": none,
    "clinic.profile": none,
    "fiscal.status": none,
    "fiscal.openShift": byCashier,
    "fiscal.closeShift": byCashier,
    "fiscal.reportX": byCashier,
    "fiscal.receipt": receiptArb().map(r => ({ ...r })),
    "fiscal.receipts": fc
      .record({ states: optional(fc.subarray(["pending", "sending", "done", "failed"])), limit })
      .map(defined),
    "fiscal.retry": fc.record({ key: optional(fc.uuid()) }).map(defined),
    "fiscal.day": fc.record({ date: calendarDate }),
    "money.day": fc.record({ date: calendarDate, allDesks: optional(fc.boolean()) }).map(defined),
    "staff.list": none,
    "session.current": none,
    // the boundary test's desk has NO_PIN_MEMBER (fixtures) and no PINs: signing in needs no PIN there
    "session.signIn": fc.record({ staffId: fc.constant(NO_PIN_MEMBER.id), pin: fc.stringMatching(/^\d{0,8}$/) }),
    "session.signOut": none,
  }
}

const byCashier: fc.Arbitrary<Args> = fc
  .record({ cashier: optional(fc.record({ name: fc.constantFrom("Иванова А. П.", "Petrov") })) })
  .map(defined)

/** Required arguments, by path ("*" is any element of a list): the contract the boundary keeps. */
export const REQUIRED: Partial<Record<DeskCommand, string[][]>> = {
  "clients.search": [["query"]],
  "clients.duplicates": [["name"]],
  "clients.get": [["id"]],
  "clients.create": [["name"], ["patients", "*", "name"], ["patients", "*", "species"]],
  "clients.update": [["id"], ["patch"]],
  "clients.delete": [["id"]],
  "patients.create": [["name"], ["species"], ["clientId"]],
  "patients.update": [["id"], ["patch"]],
  "patients.delete": [["id"]],
  "appointments.book": [["vet"], ["start"], ["end"], ["newClient", "name"], ["newPatient", "name"], ["newPatient", "species"]],
  "appointments.move": [["id"], ["start"]],
  "appointments.setStatus": [["id"], ["status"]],
  "appointments.day": [["date"]],
  "invoices.create": [["clientId"], ["lines"], ["lines", "*", "itemId"], ["lines", "*", "qtyMilli"]],
  "invoices.markPaid": [["id"]],
  "invoices.void": [["id"], ["reason"]],
  "invoices.pay": [["id"], ["payments"], ["payments", "*", "method"], ["payments", "*", "amount"]],
  "invoices.refund": [["id"], ["method"], ["reason"]],
  "invoices.ofClient": [["clientId"]],
  "invoices.get": [["id"]],
  "pricelist.search": [["query"]],
  "conflicts.resolve": [["collection"], ["id"], ["field"], ["value"]],
  "records.related": [["clientId"]],
  "records.history": [["collection"], ["id"]],
  "fiscal.receipt": [
    ["key"],
    ["sign"],
    ["items"],
    ["payments"],
    ["items", "*", "name"],
    ["items", "*", "price"],
    ["items", "*", "vat"],
    ["payments", "*", "amount"],
  ],
  "fiscal.day": [["date"]],
  "money.day": [["date"]],
}

/** keys that are never arguments of any command (record metadata, computed fields, prototype tricks) */
const FOREIGN_KEYS = [
  "deleted",
  "createdBy",
  "updatedBy",
  "createdAt",
  "updatedAt",
  "total",
  "price",
  "number",
  "__proto__",
  "constructor",
]

type Path = (string | number)[]

const pathsOf = (v: unknown, at: Path = []): Path[] =>
  Array.isArray(v)
    ? v.flatMap((x, i) => [[...at, i], ...pathsOf(x, [...at, i])])
    : v !== null && typeof v === "object"
      ? Object.entries(v).flatMap(([k, x]) => [[...at, k], ...pathsOf(x, [...at, k])])
      : []

const getAt = (v: unknown, path: Path): unknown =>
  path.reduce<unknown>(
    (o, k) => (o !== null && typeof o === "object" ? (o as Record<string | number, unknown>)[k] : undefined),
    v,
  )

/** a copy of `v` with `fn` applied to the value at `path` (JSON.parse keeps a "__proto__" key as an own key) */
const editAt = (
  v: Args,
  path: Path,
  fn: (parent: Record<string | number, unknown>, key: string | number) => void,
): Args => {
  const copy = JSON.parse(JSON.stringify(v)) as Args
  const parent = getAt(copy, path.slice(0, -1)) as Record<string | number, unknown>
  fn(parent, path[path.length - 1] as string | number)
  return copy
}

const typeOf = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v)

const ANY_JSON: fc.Arbitrary<unknown>[] = [
  fc.string({ maxLength: 5 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }).filter(d => !Number.isInteger(d)),
  fc.boolean(),
  fc.constant(null),
  fc.constant({}),
  fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }),
]

/** a JSON value of another type than `v` (for a whole number: also a fraction) */
const wrongTypeFor = (v: unknown): fc.Arbitrary<unknown> =>
  fc.oneof(...ANY_JSON).filter(x => typeOf(x) !== typeOf(v) || (typeof v === "number" && !Number.isInteger(x)))

const replaceAt = (args: Args, path: Path, value: unknown): Args =>
  editAt(args, path, (parent, key) => {
    parent[key] = value
  })

/** paths of `args` that match a REQUIRED pattern */
const requiredPaths = (command: DeskCommand, args: Args): Path[] =>
  (REQUIRED[command] ?? []).flatMap(pattern =>
    pathsOf(args).filter(
      p => p.length === pattern.length && pattern.every((k, i) => (k === "*" ? typeof p[i] === "number" : k === p[i])),
    ),
  )

/**
 * Bad arguments made from honest ones, each with what it breaks: a value of the wrong type
 * anywhere (nested too), a key no command has (at the top or in a nested object), a required
 * argument left out, a text far past every cap, too many patients or invoice lines.
 */
export const badArgs = (command: DeskCommand, honest: fc.Arbitrary<Args>): fc.Arbitrary<{ what: string; args: Args }> =>
  honest.chain(args => {
    const paths = pathsOf(args)
    const objects: Path[] = [[], ...paths.filter(p => typeOf(getAt(args, p)) === "object")]
    const strings = paths.filter(p => typeof getAt(args, p) === "string")
    const required = requiredPaths(command, args)
    const kinds: fc.Arbitrary<{ what: string; args: Args }>[] = [
      fc
        .tuple(fc.constantFrom(...objects), fc.oneof(fc.constantFrom(...FOREIGN_KEYS), fc.string({ minLength: 1, maxLength: 8 }).map(k => `x_${k}`)), fc.jsonValue())
        // a key the object has already (a receipt line's price) is not an unknown one
        .filter(([at, key]) => !Object.prototype.hasOwnProperty.call(getAt(args, at), key))
        .map(([at, key, value]) => ({
          what: `unknown key ${key} at ${at.join(".") || "(top)"}`,
          // defined, not assigned: an own "__proto__" key, as JSON.parse makes one
          args: editAt({ _: args }, ["_", ...at, key], (parent, k) => {
            Object.defineProperty(parent, k, { value, enumerable: true, writable: true, configurable: true })
          })._ as Args,
        })),
    ]
    if (paths.length > 0)
      kinds.push(
        fc
          .constantFrom(...paths)
          .chain(p =>
            wrongTypeFor(getAt(args, p)).map(v => ({
              what: `wrong type at ${p.join(".")}`,
              args: replaceAt(args, p, v),
            })),
          ),
      )
    if (required.length > 0)
      kinds.push(
        fc.constantFrom(...required).map(p => ({
          what: `missing ${p.join(".")}`,
          args: editAt(args, p, (parent, key) => {
            delete parent[key]
          }),
        })),
      )
    if (strings.length > 0)
      kinds.push(
        fc
          .tuple(fc.constantFrom(...strings), fc.integer({ min: ARG_CAPS.text + 1, max: ARG_CAPS.text + 5000 }))
          .map(([p, n]) => ({
            what: `${n} characters at ${p.join(".")}`,
            args: replaceAt(args, p, "x".repeat(n)),
          })),
      )
    const list = (key: "patients" | "lines", cap: number): void => {
      const items: unknown = args[key]
      if (Array.isArray(items) && items.length > 0) {
        const many = Array.from({ length: cap + 1 }, () => items[0] as unknown)
        kinds.push(fc.constant({ what: `too many ${key}`, args: { ...args, [key]: many } }))
      }
    }
    list("patients", ARG_CAPS.patients)
    list("lines", ARG_CAPS.lines)
    return fc.oneof(...kinds)
  })

/** Not an object at all: answered bad_request. */
export const notAnObject: fc.Arbitrary<unknown> = fc.oneof(
  fc.array(fc.jsonValue(), { maxLength: 3 }),
  fc.string(),
  fc.integer(),
  fc.boolean(),
)
