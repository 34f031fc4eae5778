import { expect } from "vitest"
import { invoiceState, lineTotal, type Appointment, type Client, type Invoice, type Patient } from "@vetsync/shared"
import type { DeskCommand, DeskCore } from "../../src/index.js"
import { dispatchCall } from "../../src/host/dispatch.js"
import { PRICE_ITEMS } from "./fixtures.js"
import { storedPhone } from "./honestArgs.js"

type Args = Record<string, unknown>

/** What the desk holds: record counts and the heads of every document. Equal before and after = nothing written. */
export const fingerprint = (desk: DeskCore): string =>
  JSON.stringify({
    counts: desk.rm.counts(),
    heads: desk.rm.ledger
      .allDocHeads()
      .map(h => `${h.key}:${[...h.heads].sort().join(",")}`)
      .sort(),
  })

const ok = async <T>(desk: DeskCore, command: DeskCommand, args: unknown): Promise<T> => {
  const r = await dispatchCall(desk, command, args)
  if (!r.ok)
    throw new Error(`${command} ${JSON.stringify(args).slice(0, 300)} was refused: ${r.error.code} ${r.error.message}`)
  return r.value as T
}

const trim = (v: unknown): unknown => (typeof v === "string" ? v.trim() : v)
const str = (v: unknown): string => (typeof v === "string" ? v : "")

/** the client the desk makes of a ClientInput (names, e-mail, address trimmed; the phone canonical; notes as typed) */
const expectedClient = (a: Args): Partial<Client> => ({
  name: str(a.name).trim(),
  phone: storedPhone(str(a.phone)),
  email: str(a.email).trim(),
  address: str(a.address).trim(),
  notes: str(a.notes),
  deleted: false,
})

/** the patient the desk makes of a PatientInput (spaces dropped from the chip) */
const expectedPatient = (a: Args): Partial<Patient> => ({
  name: str(a.name).trim(),
  species: str(a.species).trim(),
  breed: str(a.breed).trim(),
  sex: (a.sex as Patient["sex"] | undefined) ?? "unknown",
  birthDate: str(a.birthDate).trim(),
  chip: str(a.chip).replace(/\s/g, ""),
  notes: str(a.notes),
  deleted: false,
})

/** an update's patch as written: every text trimmed (the chip without spaces, the phone canonical) */
const expectedPatch = (patch: Args): Args =>
  Object.fromEntries(
    Object.entries(patch).map(([k, v]) => [
      k,
      k === "chip" ? str(v).replace(/\s/g, "") : k === "phone" ? storedPhone(str(v)) : trim(v),
    ]),
  )

const record = (
  desk: DeskCore,
  collection: string,
  id: string,
): Client | Patient | Appointment | Invoice | undefined =>
  collection === "clients"
    ? desk.rm.clients.get(id)
    : collection === "patients"
      ? desk.rm.patients.get(id)
      : collection === "appointments"
        ? desk.rm.appointments.get(id)
        : desk.rm.invoices.get(id)

/** a fresh record for a command that destroys or finishes one (so the pool stays usable) */
const fresh = async (desk: DeskCore, command: DeskCommand, args: Args): Promise<Args> => {
  const clientId = String(desk.rm.patients.get(String(args.id))?.clientId ?? "")
  switch (command) {
    case "clients.delete":
      return { id: (await ok<{ client: Client }>(desk, "clients.create", { name: "Удаляемый" })).client.id }
    case "patients.delete":
      return {
        id: (
          await ok<Patient>(desk, "patients.create", {
            clientId: clientId || undefined,
            name: "Временный",
            species: "хомяк",
          })
        ).id,
      }
    case "invoices.markPaid":
    case "invoices.void":
    case "invoices.pay":
    case "invoices.refund": {
      const invoice = desk.rm.invoices.get(String(args.id))
      const lines = [{ itemId: "item-vaccine", qtyMilli: 2000 }]
      const made = await ok<Invoice>(desk, "invoices.create", { clientId: invoice?.clientId, lines })
      if (command !== "invoices.refund") return { ...args, id: made.id }
      await ok(desk, "invoices.markPaid", { id: made.id })
      const refundLines = (args.lines as { lineId: string; qtyMilli: number }[] | undefined)?.map(l => ({
        ...l,
        lineId: made.lines[0]?.id,
      }))
      return { ...args, id: made.id, ...(refundLines ? { lines: refundLines } : {}) }
    }
    default:
      return args
  }
}

/** Calls `command` with honest `args`; it must answer ok, and a write must be in the desk's records as sent. */
export const actHonestly = async (desk: DeskCore, command: DeskCommand, honest: Args): Promise<void> => {
  const args = await fresh(desk, command, honest)
  const value = await ok<unknown>(desk, command, args)
  const id = str(args.id)
  switch (command) {
    case "clients.create": {
      const { client, patients } = value as { client: Client; patients: Patient[] }
      expect(desk.rm.clients.get(client.id)).toMatchObject(expectedClient(args))
      const sent = (args.patients ?? []) as Args[]
      expect(patients.map(p => desk.rm.patients.get(p.id))).toMatchObject(sent.map(expectedPatient))
      return
    }
    case "patients.create":
      expect(desk.rm.patients.get((value as Patient).id)).toMatchObject({
        ...expectedPatient(args),
        clientId: args.clientId,
      })
      return
    case "clients.update":
    case "patients.update":
      expect(record(desk, command.split(".")[0] ?? "", id)).toMatchObject(expectedPatch(args.patch as Args))
      return
    case "clients.delete":
    case "patients.delete":
      expect(record(desk, command.split(".")[0] ?? "", id)).toMatchObject({ deleted: true })
      return
    case "appointments.book": {
      const { appointment, client, patient } = value as { appointment: Appointment; client: Client; patient: Patient }
      expect(desk.rm.appointments.get(appointment.id)).toMatchObject({
        clientId: client.id,
        patientId: patient.id,
        vet: str(args.vet).trim(),
        start: args.start,
        end: args.end,
        reason: str(args.reason),
        status: "scheduled",
      })
      if (args.newClient) expect(desk.rm.clients.get(client.id)).toMatchObject(expectedClient(args.newClient as Args))
      if (args.newPatient)
        expect(desk.rm.patients.get(patient.id)).toMatchObject(expectedPatient(args.newPatient as Args))
      return
    }
    case "appointments.move": {
      const moved = value as Appointment
      expect(desk.rm.appointments.get(id)).toMatchObject({
        start: args.start,
        end: moved.end,
        ...(args.vet === undefined ? {} : { vet: str(args.vet).trim() }),
      })
      return
    }
    case "appointments.setStatus":
      expect(desk.rm.appointments.get(id)).toMatchObject({ status: args.status })
      return
    case "fiscal.receipt": {
      // stored under its key before it is sent, whatever the register answered
      expect(value).toMatchObject({ key: args.key, sign: args.sign })
      return
    }
    case "invoices.create": {
      const lines = args.lines as { itemId: string; qtyMilli: number }[]
      const price = (itemId: string): number => PRICE_ITEMS.find(i => i.id === itemId)?.price ?? NaN
      expect(desk.rm.invoices.get((value as Invoice).id)).toMatchObject({
        clientId: args.clientId,
        patientId: str(args.patientId),
        vet: str(args.vet).trim(),
        status: "issued",
        lines: lines.map(l => ({
          itemId: l.itemId,
          qtyMilli: l.qtyMilli,
          total: lineTotal(price(l.itemId), l.qtyMilli),
        })),
        total: lines.reduce((s, l) => s + lineTotal(price(l.itemId), l.qtyMilli), 0),
      })
      return
    }
    case "invoices.markPaid":
      expect(invoiceState(desk.rm.invoices.get(id) ?? ({} as Invoice))).toBe("paid")
      return
    case "invoices.void":
      expect(desk.rm.invoices.get(id)).toMatchObject({
        status: "void",
        voidReason: str(args.reason).trim(),
        voidedBy: desk.opts.deskId,
      })
      return
    case "invoices.pay": {
      const sent = args.payments as { method: string; amount: number; tendered?: number }[]
      const kept = desk.rm.invoices.get(id)?.payments ?? []
      expect(kept.map(p => ({ kind: p.kind, method: p.method, amount: p.amount, change: p.change }))).toEqual(
        expect.arrayContaining(
          sent.map(p => ({
            kind: "payment",
            method: p.method,
            amount: p.amount,
            change: p.method === "cash" ? (p.tendered ?? p.amount) - p.amount : 0,
          })),
        ),
      )
      expect(invoiceState(desk.rm.invoices.get(id) ?? ({} as Invoice))).toBe("partly_paid")
      return
    }
    case "invoices.refund": {
      const refunds = (desk.rm.invoices.get(id)?.payments ?? []).filter(p => p.kind === "refund")
      expect(refunds).toHaveLength(1)
      expect(refunds[0]).toMatchObject({ method: args.method, reason: str(args.reason).trim() })
      return
    }
    case "conflicts.resolve":
      expect(record(desk, String(args.collection), id)).toMatchObject({ [String(args.field)]: args.value })
      return
    default:
      return
  }
}
