import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { APPOINTMENT_STATUSES, SLOT_MINUTES, timeOfMinute, zonedIso, type WorkingHours } from "@vetsync/shared/schema"
import type { AppointmentView } from "../../src/core/api.js"
import { openingRows } from "../../src/ui/appointments/openingRows.js"
import type { GridColumn } from "../../src/ui/state/schedule.svelte.js"

const ZONE = "Europe/Moscow"
const DATE = "2026-12-07" // a Monday
const rows = (from: number, to: number): number[] => {
  const out: number[] = []
  for (let m = from; m < to; m += SLOT_MINUTES) out.push(m)
  return out
}

/** a booking of the day at `minute` for `length` minutes, with a status */
const booking = fc.record({
  minute: fc.integer({ min: 0, max: 95 }).map(n => n * SLOT_MINUTES),
  length: fc.constantFrom(15, 30, 45, 60),
  status: fc.constantFrom(...APPOINTMENT_STATUSES),
})
/** a vet working one span of the grid's 15 minutes on Monday, or not that day */
const hours = fc.option(
  fc.tuple(fc.integer({ min: 0, max: 90 }), fc.integer({ min: 1, max: 30 })).map(([from, len]): WorkingHours => ({
    "1": [{ from: timeOfMinute(from * 15), to: timeOfMinute(Math.min(95, from + len) * 15) }],
  })),
  { nil: {} },
)
const columnSpec = fc.record({ hours, bookings: fc.array(booking, { maxLength: 6 }) })
const columns = fc.array(columnSpec, { minLength: 1, maxLength: 5 }).map(specs =>
  specs.map(({ hours, bookings }, i): GridColumn => ({
    key: `vet-${i}`,
    date: DATE,
    vet: { id: `vet-${i}`, name: `Vet ${i}`, workingHours: hours },
    items: bookings.map((b, k) => ({
      id: `a-${k}`,
      start: zonedIso(DATE, timeOfMinute(b.minute), ZONE),
      end: new Date(Date.parse(zonedIso(DATE, timeOfMinute(b.minute), ZONE)) + b.length * 60_000).toISOString(),
      status: b.status,
    }) as AppointmentView),
  })),
)

describe("where the booking grid opens", () => {
  it("has the keyboard on the first column's first working slot, and every live booking of the day in view", () => {
    fc.assert(
      fc.property(columns, fc.integer({ min: 0, max: 8 }), (cols, fromHour) => {
        const grid = rows(fromHour * 60, 24 * 60)
        const { cursor, top } = openingRows(cols, grid, ZONE)
        const worked = grid.findIndex(m => (cols[0]!.vet.workingHours["1"] ?? []).some(s => {
          const [fh, fm] = s.from.split(":").map(Number)
          const [th, tm] = s.to.split(":").map(Number)
          return fh! * 60 + fm! <= m && m + SLOT_MINUTES <= th! * 60 + tm!
        }))
        expect(cursor).toBe(Math.max(0, worked))
        // the row before the keyboard's is in view, and so is every booking not cancelled
        const starts = cols.flatMap(c => c.items.filter(a => a.status !== "cancelled").map(a => grid.findIndex(m => Date.parse(zonedIso(DATE, timeOfMinute(m), ZONE)) + SLOT_MINUTES * 60_000 > Date.parse(a.start))))
        const inGrid = starts.filter(r => r !== -1)
        expect(top).toBe(Math.min(Math.max(0, cursor - 1), ...inGrid))
      }),
      { numRuns: 200 },
    )
  })

  it("opens on the row before the working day when no booking is earlier (as before bookings counted)", () => {
    const c: GridColumn = { key: "v", date: DATE, vet: { id: "v", name: "V", workingHours: { "1": [{ from: "09:00", to: "18:00" }] } }, items: [] }
    expect(openingRows([c], rows(8 * 60, 20 * 60), ZONE)).toEqual({ cursor: 4, top: 3 })
    const early = { ...c, items: [{ id: "a", start: zonedIso(DATE, "08:00", ZONE), end: zonedIso(DATE, "08:30", ZONE), status: "scheduled" } as AppointmentView] }
    expect(openingRows([early], rows(8 * 60, 20 * 60), ZONE)).toEqual({ cursor: 4, top: 0 })
    const cancelled = { ...early, items: [{ ...early.items[0]!, status: "cancelled" } as AppointmentView] }
    expect(openingRows([cancelled], rows(8 * 60, 20 * 60), ZONE)).toEqual({ cursor: 4, top: 3 })
  })
})
