// A desk in a process of its own, for the time-zone test: its machine's zone is whatever TZ the
// parent gave it, its clock is fixed at argv[4]. It waits for its clinic's price list and profile,
// books an appointment at 08:30 of the clinic's today, issues an invoice, waits until the relay has
// both, and prints what it saw as one line "RESULT {json}".
import { startDesk } from "@vetsync/client"
import { addDays, zonedIso } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"

// the desk opens as `vetsync desk --data-dir DIR` does: identity, desk code and relay from the
// credential the parent enrolled (its relay must be `server`)
const [dataDir, server, now] = process.argv.slice(2) as [string, string, string]
const running = await startDesk({ dataDir, core: { now: () => new Date(now) }, log: () => undefined })
const desk = running.core
if (desk.opts.server !== server) throw new Error(`the desk went to ${desk.opts.server ?? "no relay"}, not ${server}`)
await eventually("the price list", async () => (await desk.call("pricelist.search", { query: "" })).length > 0, 60_000)
await eventually(
  "the clinic's profile",
  async () => (await desk.call("clinic.profile", undefined)).timeZoneSource === "clinic",
  60_000,
)
const clinic = await desk.call("clinic.profile", undefined)
const [item] = await desk.call("pricelist.search", { query: "" })
const { client, patients } = await desk.call("clients.create", {
  name: "Ким Анна",
  patients: [{ name: "Тигра", species: "кошка", birthDate: clinic.today }],
})
const start = zonedIso(clinic.today, "08:30", clinic.timeZone)
const { appointment } = await desk.call("appointments.book", {
  clientId: client.id,
  patientId: patients[0]!.id,
  vet: "Ли",
  start,
  end: new Date(Date.parse(start) + 30 * 60_000).toISOString(),
})
const invoice = await desk.call("invoices.create", {
  clientId: client.id,
  lines: [{ itemId: item!.id, qtyMilli: 1000 }],
})
const ids = async (date: string) => (await desk.call("appointments.day", { date })).map(a => a.id)
const result = {
  os: {
    zone: Intl.DateTimeFormat().resolvedOptions().timeZone,
    offsetMinutes: new Date(now).getTimezoneOffset(),
    date: new Date(now).toDateString(),
  },
  clinic,
  invoice: { number: invoice.number, docKey: desk.rm.invoices.docKeyOf(invoice.id) },
  appointment: { id: appointment.id, docKey: desk.rm.appointments.docKeyOf(appointment.id) },
  today: await ids(clinic.today),
  yesterday: await ids(addDays(clinic.today, -1)),
}
await eventually(
  "the relay to acknowledge everything",
  async () => (await desk.call("status", undefined)).waitingRecords === 0,
  60_000,
)
process.stdout.write(`RESULT ${JSON.stringify(result)}\n`)
await running.close()
process.exit(0)
