import { eventually } from "@vetsync/test-kit"
import type { Cluster, DeskNode } from "../Cluster.js"
import type { DeskAnswer } from "../DeskClient.js"
import { differencesFromPostgres } from "../oracle/sameAsPostgres.js"

/** What the recovery tests (a lost desk, a lost relay) share; an administrator's commands: ../admin.ts. */

export const ok = <T>(what: string, a: DeskAnswer<T>): T => {
  if (a.kind !== "ok") throw new Error(`${what}: ${JSON.stringify(a)}`)
  return a.value
}

/** The desk holds exactly the clinic's records in PostgreSQL, with the same values. */
export const sameAsPostgres = (cluster: Cluster, d: DeskNode, what: string): Promise<unknown> => {
  let last: string[] = []
  return eventually(
    `${d.name} to hold what PostgreSQL holds ${what}`,
    async () => (last = await differencesFromPostgres(d, cluster.pool, cluster.clinicId)).length === 0,
    180_000,
    { pollMs: 500, describe: () => last.slice(0, 10).join("; ") },
  )
}

/** A record's row in PostgreSQL. */
export const row = async (cluster: Cluster, table: "clients" | "invoices" | "appointments", id: string): Promise<Record<string, unknown> | undefined> =>
  (await cluster.pool.query<Record<string, unknown>>(`SELECT * FROM ${table} WHERE id = $1`, [id])).rows[0]

export const inPostgres = (cluster: Cluster, what: string, table: "clients" | "invoices" | "appointments", id: string): Promise<unknown> =>
  eventually(`${what} in PostgreSQL`, async () => (await row(cluster, table, id)) !== undefined, 180_000, { pollMs: 250 })

/** Some work at a desk: a client with a pet, a booking, an invoice from the price list. */
export const someWork = async (d: DeskNode, name: string, hour: number): Promise<{ clientId: string; appointmentId: string; invoiceId: string; number: string }> => {
  const { client, patients } = ok(
    `${d.name} creates ${name}`,
    await d.client.call("clients.create", { name, phone: `+7 952 618-1${hour % 10}-3${hour % 10}`, patients: [{ name: "Мурка", species: "кошка" }] }),
  )
  const patientId = patients[0]?.id ?? ""
  const start = new Date()
  start.setUTCHours(hour, 0, 0, 0)
  const end = new Date(start.getTime() + 30 * 60_000)
  const { appointment } = ok(
    `${d.name} books`,
    await d.client.call("appointments.book", { clientId: client.id, patientId, vet: "Иванов И.И.", start: start.toISOString(), end: end.toISOString() }),
  )
  // the bridge publishes the price list while the desks start: it may not be on this desk yet
  const item = await eventually(
    `the price list on ${d.name}`,
    async () => ok("price list", await d.client.call("pricelist.search", { query: "", limit: 1 }))[0],
    180_000,
    { pollMs: 250 },
  )
  const invoice = ok(`${d.name} invoices`, await d.client.call("invoices.create", { clientId: client.id, patientId, lines: [{ itemId: item.id, qtyMilli: 1000 }] }))
  return { clientId: client.id, appointmentId: appointment.id, invoiceId: invoice.id, number: invoice.number }
}
