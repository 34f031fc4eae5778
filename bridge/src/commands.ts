import { parseArgs } from "node:util"
import { commandDatabase, PgListener } from "@vetsync/db"
import { isVatRate, VAT_RATES } from "@vetsync/shared"
import { ensureClinic } from "./queries/clinics.js"
import { importRequest, requestImport } from "./queries/importRequests.js"
import { listPriceItems, setPrice } from "./queries/nomenclature.js"
import { END_OF_DAY_COLUMNS, endOfDayClinic, endOfDayDesks, type EndOfDayRow } from "./queries/endOfDay.js"
import { revenue } from "./queries/revenue.js"

const openDb = (env: NodeJS.ProcessEnv) => commandDatabase(env)

const rubles = (kopecks: number) => (kopecks / 100).toFixed(2)

/**
 * `vetsync price list --clinic ID` and
 * `vetsync price set --clinic ID --code VAC --price 1500.00 [--name ..] [--kind service|product] [--unit ..] [--inactive]`.
 * Writes the nomenclature table (the master); a running bridge publishes it to the desks.
 * Returns the lines to print.
 */
export const priceCommand = async (argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string[]> => {
  const [sub, ...rest] = argv
  if (sub !== "list" && sub !== "set")
    throw new Error("usage: vetsync price list|set --clinic ID ... (vetsync price --help)")
  const { values } = parseArgs({
    args: rest,
    options: {
      clinic: { type: "string" },
      code: { type: "string" },
      price: { type: "string" },
      name: { type: "string" },
      kind: { type: "string" },
      unit: { type: "string" },
      inactive: { type: "boolean" },
      vat: { type: "string" },
    },
  })
  if (!values.clinic) throw new Error("--clinic is required")
  if (sub === "set" && (!values.code || values.price === undefined)) throw new Error("--code and --price are required")
  if (values.kind !== undefined && values.kind !== "service" && values.kind !== "product")
    throw new Error("--kind is service or product")
  if (values.vat !== undefined && !isVatRate(values.vat))
    throw new Error(`--vat is one of ${VAT_RATES.join(", ")} (default none: veterinary services are commonly VAT-exempt)`)
  const vat = values.vat !== undefined && isVatRate(values.vat) ? values.vat : undefined
  const price = values.price === undefined ? undefined : Math.round(Number(values.price.replace(",", ".")) * 100)
  if (price !== undefined && !Number.isFinite(price)) throw new Error(`not a price: ${values.price}`)
  const db = await openDb(env)
  try {
    if (sub === "list") {
      return (await listPriceItems(db.pool, values.clinic)).map(
        i => `${i.code}\t${rubles(i.price)}\t${i.kind}\t${i.vat ?? "none"}\t${i.active ? "" : "inactive\t"}${i.name}`,
      )
    }
    if (sub === "set" && values.code !== undefined && price !== undefined) {
      await ensureClinic(db.pool, values.clinic)
      const item = await setPrice(db.pool, values.clinic, {
        code: values.code,
        price,
        name: values.name,
        kind: values.kind,
        unit: values.unit,
        active: values.inactive ? false : undefined,
        vat,
      })
      return [`${item.code}\t${rubles(item.price)}\t${item.name}`]
    }
    throw new Error("usage: vetsync price list|set --clinic ID ...")
  } finally {
    await db.close()
  }
}

/**
 * `vetsync import --clinic ID`: asks the running bridge to load the clinic's client and
 * patient rows into its documents, and waits for the outcome.
 */
export const importCommand = async (argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string[]> => {
  const { values } = parseArgs({ args: argv, options: { clinic: { type: "string" } } })
  if (!values.clinic) throw new Error("--clinic is required")
  const db = await openDb(env)
  const listener = new PgListener(db.url)
  try {
    await ensureClinic(db.pool, values.clinic)
    let wake: () => void = () => {}
    listener.on("vetsync_import_done", () => wake())
    await listener.start()
    const id = await requestImport(db.pool, values.clinic)
    for (;;) {
      const r = await importRequest(db.pool, id)
      if (r?.finished_at) {
        if (r.error) throw new Error(r.error)
        return [`imported ${values.clinic}: ${JSON.stringify(r.result)}`]
      }
      await new Promise<void>(res => {
        wake = res
        setTimeout(res, 1000)
      })
    }
  } finally {
    await listener.stop()
    await db.close()
  }
}

const DATE = /^\d{4}-\d{2}-\d{2}$/
const csvCell = (s: string): string => (/[",\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s)

/**
 * `vetsync report revenue --clinic ID --from YYYY-MM-DD --to YYYY-MM-DD [--by day|service|vet]
 * [--basis accrual|cash] [--csv]`: the clinic's revenue for its days from..to (inclusive, its time
 * zone), one line per day, service or vet, then the total. Returns the lines to print.
 */
export const reportCommand = async (argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<string[]> => {
  const [sub, ...rest] = argv
  if (sub === "day") return reportDay(rest, env)
  if (sub !== "revenue")
    throw new Error("usage: vetsync report revenue|day --clinic ID ... (vetsync report --help)")
  const { values } = parseArgs({
    args: rest,
    options: {
      clinic: { type: "string" },
      from: { type: "string" },
      to: { type: "string" },
      by: { type: "string", default: "day" },
      basis: { type: "string", default: "accrual" },
      csv: { type: "boolean" },
    },
  })
  const { clinic, from, to, by, basis } = values
  if (!clinic) throw new Error("--clinic is required")
  if (!from || !DATE.test(from) || !to || !DATE.test(to)) throw new Error("--from and --to are dates YYYY-MM-DD")
  if (by !== "day" && by !== "service" && by !== "vet") throw new Error("--by is day, service or vet")
  if (basis !== "accrual" && basis !== "cash") throw new Error("--basis is accrual or cash")
  const db = await openDb(env)
  try {
    const rows = await revenue(db.pool, { clinicId: clinic, from, to, by, basis })
    const total = rows.reduce((s, r) => s + r.revenue_kopecks, 0)
    if (values.csv)
      return [
        `${by},name,count,quantity,revenue`,
        ...rows.map(r =>
          [r.key, r.name, String(r.count), String(r.quantity), rubles(r.revenue_kopecks)].map(csvCell).join(","),
        ),
      ]
    return [
      ...rows.map(r =>
        [r.key, r.name, r.count, by === "service" ? r.quantity : "", rubles(r.revenue_kopecks)].join("\t"),
      ),
      `total\t${rubles(total)}`,
    ]
  } finally {
    await db.close()
  }
}

/**
 * `vetsync report day --clinic ID --date YYYY-MM-DD [--desk ID] [--csv]`: the end-of-day cash
 * report of a day of the clinic (its time zone) from PostgreSQL: a row per desk and the clinic's
 * total (or the one desk's row), money in roubles.
 */
const reportDay = async (argv: string[], env: NodeJS.ProcessEnv): Promise<string[]> => {
  const { values } = parseArgs({
    args: argv,
    options: { clinic: { type: "string" }, date: { type: "string" }, desk: { type: "string" }, csv: { type: "boolean" } },
  })
  const { clinic, date, desk } = values
  if (!clinic) throw new Error("--clinic is required")
  if (!date || !DATE.test(date)) throw new Error("--date is a date YYYY-MM-DD")
  const db = await openDb(env)
  try {
    const rows: EndOfDayRow[] = await endOfDayDesks(db.pool, { clinicId: clinic, date, ...(desk ? { deskId: desk } : {}) })
    if (!desk) rows.push(await endOfDayClinic(db.pool, { clinicId: clinic, date }))
    const cell = (r: EndOfDayRow, c: (typeof END_OF_DAY_COLUMNS)[number]): string =>
      c.endsWith("_kopecks") ? rubles(r[c]) : String(r[c])
    const head = END_OF_DAY_COLUMNS.map(c => c.replace(/_kopecks$/, "_rub"))
    const lines = rows.map(r => [r.desk === "" && !desk ? "total" : r.desk, ...END_OF_DAY_COLUMNS.map(c => cell(r, c))])
    if (values.csv) return [["desk", ...head].join(","), ...lines.map(l => l.map(csvCell).join(","))]
    return [["desk", ...head].join("\t"), ...lines.map(l => l.join("\t"))]
  } finally {
    await db.close()
  }
}
