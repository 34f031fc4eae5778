import { lineTotal, noPaymentsYet } from "@vetsync/shared/schema"
import type { Appointment, AppointmentStatus, Client, Invoice, InvoiceLine, Patient } from "@vetsync/shared/schema"
import { DAY_MS, DESKS, iso, stamps } from "./people.js"
import { quantityFor, type CatalogItem, type Category } from "./pricelist.js"
import type { Rng } from "./prng.js"

/** Appointments of a range of days and the invoices of the visits that took place. */

export const VETS = [
  "Смирнова Анна Сергеевна",
  "Кузнецов Дмитрий Игоревич",
  "Волкова Елена Андреевна",
  "Орлов Максим Викторович",
  "Лебедева Ольга Николаевна",
  "Новиков Павел Алексеевич",
  "Морозова Татьяна Юрьевна",
  "Егоров Илья Константинович",
] as const

const REASONS: readonly (readonly [string, Category, number])[] = [
  ["Первичный приём", "consult", 14],
  ["Повторный приём", "consult", 12],
  ["Вакцинация", "vaccine", 12],
  ["Ревакцинация", "vaccine", 4],
  ["Кастрация / стерилизация", "surgery", 5],
  ["Снятие швов", "surgery", 3],
  ["УЗИ", "diagnostics", 6],
  ["Сдать анализы", "diagnostics", 6],
  ["Чистка зубов", "dental", 3],
  ["Рвота, отказ от еды", "consult", 5],
  ["Хромает на заднюю лапу", "consult", 3],
  ["Зуд, расчёсы", "consult", 4],
  ["Обработка от паразитов", "procedure", 4],
  ["Капельница", "procedure", 3],
  ["Стрижка когтей", "procedure", 2],
  ["Кашель, чихание", "consult", 3],
  ["Чипирование", "vaccine", 2],
]
const REASON_WEIGHTS = REASONS.map(r => [r, r[2]] as const)

/** Working hours 09:00–21:00 Moscow time (UTC+3): 24 half-hour slots from 06:00 UTC. */
const FIRST_SLOT_MS = 6 * 3_600_000
const SLOT_MS = 30 * 60_000
const SLOTS_PER_VET = 24

export interface ScheduleOptions {
  /** UTC midnight of the first day, ms */
  firstDayMs: number
  days: number
  perDay: number
  vets: readonly string[]
  nowMs: number
}

const statusAt = (rng: Rng, startMs: number, endMs: number, nowMs: number): AppointmentStatus => {
  if (endMs <= nowMs)
    return rng.weighted([
      ["done", 85],
      ["no_show", 5],
      ["cancelled", 10],
    ] as const)
  if (startMs <= nowMs) return rng.chance(0.9) ? "arrived" : "cancelled"
  return rng.chance(0.92) ? "scheduled" : "cancelled"
}

export const generateAppointments = (
  rng: Rng,
  ids: Rng,
  patients: readonly Patient[],
  o: ScheduleOptions,
): { appointments: Appointment[]; categories: Category[] } => {
  const appointments: Appointment[] = []
  const categories: Category[] = []
  if (patients.length === 0 || o.vets.length === 0) return { appointments, categories }
  const slots = Array.from({ length: o.vets.length * SLOTS_PER_VET }, (_, i) => i)
  const perDay = Math.min(o.perDay, slots.length)
  for (let d = 0; d < o.days; d++) {
    const dayMs = o.firstDayMs + d * DAY_MS
    // partial Fisher-Yates: the first `perDay` entries become distinct random slots
    for (let i = 0; i < perDay; i++) {
      const j = rng.int(i, slots.length - 1)
      const t = slots[i] as number
      slots[i] = slots[j] as number
      slots[j] = t
    }
    const chosen = slots.slice(0, perDay).sort((a, b) => a - b)
    for (const slot of chosen) {
      const vet = o.vets[slot % o.vets.length] as string
      const startMs = dayMs + FIRST_SLOT_MS + Math.floor(slot / o.vets.length) * SLOT_MS
      const endMs = startMs + (rng.chance(0.2) ? SLOT_MS / 2 : SLOT_MS)
      const patient = patients[rng.int(0, patients.length - 1)] as Patient
      const [reason, category] = rng.weighted(REASON_WEIGHTS)
      const status = statusAt(rng, startMs, endMs, o.nowMs)
      const createdMs = Math.min(o.nowMs, startMs - rng.int(1, 30 * 24) * 3_600_000)
      const touchedMs = status === "scheduled" ? o.nowMs : Math.min(o.nowMs, endMs + rng.int(0, 15) * 60_000)
      const meta = stamps(rng, createdMs, Math.max(createdMs, touchedMs), status === "scheduled" ? 0.2 : 1)
      appointments.push({
        id: ids.uuid(),
        ...meta,
        createdBy: meta.createdBy === "import" ? "desk-1" : meta.createdBy,
        clientId: patient.clientId,
        patientId: patient.id,
        vet,
        start: iso(startMs),
        end: iso(endMs),
        reason,
        status,
      })
      categories.push(category)
    }
  }
  return { appointments, categories }
}

export interface InvoiceOptions {
  /** how many invoices; default one per "done" appointment */
  count?: number
  firstDayMs: number
  nowMs: number
}

const byCategory = (catalog: readonly CatalogItem[]): Map<Category, CatalogItem[]> => {
  const m = new Map<Category, CatalogItem[]>()
  for (const c of catalog) {
    if (!c.item.active) continue
    const list = m.get(c.category) ?? []
    list.push(c)
    m.set(c.category, list)
  }
  return m
}

const EXTRA: readonly (readonly [Category, number])[] = [
  ["procedure", 4],
  ["medicine", 5],
  ["food", 2],
  ["diagnostics", 2],
]

const makeLine = (rng: Rng, ids: Rng, c: CatalogItem): InvoiceLine => {
  const qtyMilli = quantityFor(rng, c.item.unit)
  const { id: itemId, code, name, kind, price } = c.item
  return { id: ids.uuid(), itemId, code, name, kind, price, qtyMilli, total: lineTotal(price, qtyMilli) }
}

export const generateInvoices = (
  rng: Rng,
  ids: Rng,
  catalog: readonly CatalogItem[],
  appointments: readonly Appointment[],
  categories: readonly Category[],
  clients: readonly Client[],
  o: InvoiceOptions,
): Invoice[] => {
  const active = byCategory(catalog)
  const all = catalog.filter(c => c.item.active)
  if (all.length === 0) return []
  const fromCategory = (cat: Category): CatalogItem => rng.pick(active.get(cat) ?? all)
  const visits = appointments.flatMap((a, i) =>
    a.status === "done" ? [{ a, category: categories[i] ?? "consult" }] : [],
  )
  const count = o.count ?? visits.length
  const sequences = new Map<string, number>()
  const out: Invoice[] = []
  for (let n = 0; n < count; n++) {
    const visit = visits[n]
    if (!visit && clients.length === 0) break
    const lines: InvoiceLine[] = []
    let issuedMs: number
    if (visit) {
      issuedMs = Math.min(o.nowMs, Date.parse(visit.a.end) + rng.int(0, 20) * 60_000)
      lines.push(makeLine(rng, ids, fromCategory(visit.category)))
      const extra = rng.weighted([
        [0, 4],
        [1, 3],
        [2, 2],
        [3, 1],
      ] as const)
      for (let k = 0; k < extra; k++) lines.push(makeLine(rng, ids, fromCategory(rng.weighted(EXTRA))))
    } else {
      // over-the-counter sale: food or medicine, no patient, no vet
      issuedMs = o.firstDayMs + Math.floor(rng.float() * Math.max(1, o.nowMs - o.firstDayMs))
      const k = rng.int(1, 3)
      for (let j = 0; j < k; j++) lines.push(makeLine(rng, ids, fromCategory(rng.chance(0.6) ? "food" : "medicine")))
    }
    const client = visit ? undefined : (clients[rng.int(0, clients.length - 1)] as Client)
    const desk = rng.pick(DESKS)
    const yymm = iso(issuedMs).slice(2, 7).replace("-", "")
    const seqKey = `${desk}-${yymm}`
    const seq = (sequences.get(seqKey) ?? 0) + 1
    sequences.set(seqKey, seq)
    const status = rng.weighted([
      ["paid", 90],
      ["issued", 8],
      ["void", 2],
    ] as const)
    const paidMs = Math.min(o.nowMs, issuedMs + rng.int(0, 10) * 60_000)
    const meta = stamps(rng, issuedMs, status === "issued" ? issuedMs : paidMs, 1)
    out.push({
      id: ids.uuid(),
      ...meta,
      createdBy: desk,
      updatedAt: status === "paid" ? iso(paidMs) : meta.updatedAt,
      number: `${desk.replace("desk-", "R")}-${yymm}-${String(seq).padStart(4, "0")}`,
      clientId: visit ? visit.a.clientId : (client as Client).id,
      patientId: visit ? visit.a.patientId : "",
      vet: visit ? visit.a.vet : "",
      issuedAt: iso(issuedMs),
      status,
      paidAt: status === "paid" ? iso(paidMs) : "",
      lines,
      total: lines.reduce((s, l) => s + l.total, 0),
      ...noPaymentsYet(),
    })
  }
  return out
}
