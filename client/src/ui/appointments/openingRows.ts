import { SLOT_MINUTES, worksAt } from "@vetsync/shared/schema"
import type { GridColumn } from "../state/schedule.svelte.js"
import { minuteIn } from "./time.js"

/**
 * Where the booking grid opens, as indexes into `rows` (its minutes of the day): `cursor`, the
 * keyboard's slot, is the first working slot of the first column (the first row when it has none);
 * `top`, the first row in view, is the row before the cursor, or the row of the day's earliest
 * booking that is not cancelled, whichever is earlier, so that a booking before working hours is
 * in view, not above the grid's heads.
 */
export const openingRows = (columns: readonly GridColumn[], rows: readonly number[], zone: string): { cursor: number; top: number } => {
  const c = columns[0]
  const cursor = Math.max(0, c ? rows.findIndex(m => worksAt(c.vet.workingHours, c.date, m)) : 0)
  let top = Math.max(0, cursor - 1)
  for (const col of columns)
    for (const a of col.items) {
      if (a.status === "cancelled") continue
      const start = minuteIn(a.start, col.date, zone)
      const row = rows.findIndex(m => m + SLOT_MINUTES > start)
      if (row !== -1) top = Math.min(top, row)
    }
  return { cursor, top }
}
