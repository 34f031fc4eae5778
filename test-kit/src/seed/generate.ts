import type { Appointment, Client, Invoice, Patient, PriceItem } from "@vetsync/shared/schema"
import { DAY_MS, generateClients, generatePatients, iso } from "./people.js"
import { generatePriceList } from "./pricelist.js"
import { Rng } from "./prng.js"
import { VETS, generateAppointments, generateInvoices } from "./schedule.js"

/**
 * A whole clinic of plausible data, fully determined by `seed`: the same options give
 * identical records (ids included) on every machine. Each kind of record draws from its
 * own random streams, so e.g. the first 100 clients of `clients: 100` equal the first
 * 100 clients of the full-scale clinic with the same seed.
 */
export interface ClinicOptions {
  seed: number | string
  /** default 61 974 */
  clients?: number
  /** default 82 371; the first `clients` patients go one to each client */
  patients?: number
  /** default 1 092 */
  priceItems?: number
  /** number of vets, at most 8; default 6 */
  vets?: number
  /** default 60 */
  appointmentsPerDay?: number
  /** default 30 */
  days?: number
  /** first day of appointments, YYYY-MM-DD; default 21 days before `now` */
  startDate?: string
  /** default: one invoice per "done" appointment; more than that adds over-the-counter sales */
  invoices?: number
  /** "the present": appointments before it have happened. Default 2026-11-20T12:00:00.000Z */
  now?: string | Date
}

export const SEED_SCALE = { clients: 61_974, patients: 82_371, priceItems: 1_092 } as const
export const DEFAULT_SEED_NOW = "2026-11-20T12:00:00.000Z"

export interface GeneratedClinic {
  seed: string
  clinicId: string
  now: string
  vets: string[]
  priceItems: PriceItem[]
  clients: Client[]
  patients: Patient[]
  appointments: Appointment[]
  invoices: Invoice[]
}

const count = (value: number | undefined, fallback: number, what: string): number => {
  const n = value ?? fallback
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${what} must be a whole number >= 0, got ${n}`)
  return n
}

export const generateClinic = (options: ClinicOptions): GeneratedClinic => {
  const seed = String(options.seed)
  const nowMs = options.now === undefined ? Date.parse(DEFAULT_SEED_NOW) : new Date(options.now).getTime()
  if (!Number.isFinite(nowMs)) throw new Error(`now is not a date: ${String(options.now)}`)
  const clientCount = count(options.clients, SEED_SCALE.clients, "clients")
  const patientCount = count(options.patients, SEED_SCALE.patients, "patients")
  const itemCount = count(options.priceItems, SEED_SCALE.priceItems, "priceItems")
  const vetCount = Math.min(count(options.vets, 6, "vets"), VETS.length)
  const days = count(options.days, 30, "days")
  const perDay = count(options.appointmentsPerDay, 60, "appointmentsPerDay")
  const todayMs = Math.floor(nowMs / DAY_MS) * DAY_MS
  const firstDayMs =
    options.startDate === undefined ? todayMs - 21 * DAY_MS : Date.parse(`${options.startDate}T00:00:00Z`)
  if (!Number.isFinite(firstDayMs)) throw new Error(`startDate is not a date: ${String(options.startDate)}`)

  const stream = (label: string): Rng => new Rng(seed, label)
  const vets = VETS.slice(0, vetCount)
  const catalog = generatePriceList(stream("priceItems"), stream("priceItems:id"), itemCount, rng =>
    iso(nowMs - rng.int(1, 400) * DAY_MS),
  )
  const clients = generateClients(stream("clients"), stream("clients:id"), clientCount, nowMs)
  const patients = generatePatients(stream("patients"), stream("patients:id"), patientCount, clients, nowMs)
  const { appointments, categories } = generateAppointments(
    stream("appointments"),
    stream("appointments:id"),
    patients,
    {
      firstDayMs,
      days,
      perDay,
      vets,
      nowMs,
    },
  )
  const invoices = generateInvoices(
    stream("invoices"),
    stream("invoices:id"),
    catalog,
    appointments,
    categories,
    clients,
    { count: options.invoices === undefined ? undefined : count(options.invoices, 0, "invoices"), firstDayMs, nowMs },
  )
  return {
    seed,
    clinicId: stream("clinic").uuid(),
    now: iso(nowMs),
    vets,
    priceItems: catalog.map(c => c.item),
    clients,
    patients,
    appointments,
    invoices,
  }
}
