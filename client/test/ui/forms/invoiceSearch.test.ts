import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { INVOICE_STATES } from "@vetsync/shared/schema"
import { COMMAND_ARGS } from "../../../src/core/commandArgs.js"
import { formatDate } from "../../../src/ui/forms/dates.js"
import { filtersSet, invoiceSearchPlan, NO_FILTERS, type InvoiceFilterText } from "../../../src/ui/invoices/searchArgs.js"

const day = fc.date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T00:00:00Z"), noInvalidDate: true }).map(d => d.toISOString().slice(0, 10))
const lang = fc.constantFrom("ru" as const, "en" as const)
/** a day as staff type it: ДД.ММ.ГГГГ, DD/MM/YYYY, or nothing */
const typedDay = fc.option(fc.tuple(day, lang), { nil: undefined })
const honest: fc.Arbitrary<{ filters: InvoiceFilterText; from?: string; to?: string }> = fc
  .record({
    number: fc.stringMatching(/^ ?[A-Z0-9-]{0,20} ?$/),
    clientId: fc.oneof(fc.constant(""), fc.uuid()),
    a: typedDay,
    b: typedDay,
    state: fc.constantFrom("" as const, ...INVOICE_STATES),
  })
  .map(({ number, clientId, a, b, state }) => {
    // staff pick the earlier day as "from"
    const [x, y] = a && b && b[0] < a[0] ? [b, a] : [a, b]
    return {
      filters: { number, clientId, state, from: x ? formatDate(x[0], x[1]) : "", to: y ? formatDate(y[0], y[1]) : "" },
      ...(x ? { from: x[0] } : {}),
      ...(y ? { to: y[0] } : {}),
    }
  })

describe("the invoice list's filters", () => {
  it("turns every honest set of filters into arguments invoices.search accepts, with each filter in it", () => {
    fc.assert(
      fc.property(honest, fc.nat(10_000), ({ filters, from, to }, offset) => {
        const { args, errors } = invoiceSearchPlan(filters, offset, 50)
        expect(errors).toEqual([])
        expect(COMMAND_ARGS["invoices.search"].safeParse(args).success).toBe(true)
        expect(args.from).toBe(from)
        expect(args.to).toBe(to)
        expect(args.number).toBe(filters.number.trim() || undefined)
        expect(args.clientId).toBe(filters.clientId || undefined)
        expect(args.states).toEqual(filters.state ? [filters.state] : undefined)
        expect(args.offset).toBe(offset)
        expect(filtersSet(filters)).toBe(!!(args.number ?? args.clientId ?? args.from ?? args.to ?? args.states))
      }),
    )
  })

  it("leaves out a range that ends before it starts, and says so", () => {
    fc.assert(
      fc.property(day, day, lang, (a, b, l) => {
        fc.pre(a !== b)
        const [early, late] = a < b ? [a, b] : [b, a]
        const { args, errors } = invoiceSearchPlan({ ...NO_FILTERS, from: formatDate(late, l), to: formatDate(early, l) }, 0, 50)
        expect(errors.map(e => `${e.field}:${e.code}`)).toEqual(["to:end_before_start"])
        expect(args.from).toBeUndefined()
        expect(args.to).toBeUndefined()
      }),
    )
  })

  it("leaves out a day that is not one, and names the field", () => {
    for (const bad of ["31.02.2026", "17.13.2026", "17.12.26", "вчера"]) {
      const { args, errors } = invoiceSearchPlan({ ...NO_FILTERS, from: bad, to: "01.01.2027" }, 0, 50)
      expect(errors.map(e => `${e.field}:${e.code}`)).toEqual(["from:invalid_date"])
      expect(args).toEqual({ limit: 50, offset: 0, to: "2027-01-01" })
    }
  })

  it("with nothing set, asks for a page of every invoice", () => {
    expect(filtersSet(NO_FILTERS)).toBe(false)
    expect(invoiceSearchPlan(NO_FILTERS, 100, 50)).toEqual({ args: { limit: 50, offset: 100 }, errors: [] })
  })
})
