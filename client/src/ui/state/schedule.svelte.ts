import {
  SLOT_MINUTES,
  addDays,
  isoWeekday,
  minuteOf,
  spansOn,
  zonedIso,
  type WorkingHours,
} from "@vetsync/shared/schema"
import type { AppointmentView, OverlapView, RosterVet } from "../../core/api.js"
import { ApiCallError } from "../api/client.js"
import { minuteIn } from "../appointments/time.js"
import type { DeskState } from "./desk.svelte.js"

/** One column of the booking grid: a vet on a day (the day view: every vet; the week view: one vet, 7 days). */
export interface GridColumn {
  key: string
  date: string
  vet: RosterVet
  items: AppointmentView[]
}

/** A slot staff picked on the grid: which vet, which day, which time on the clinic's clock. */
export interface PickedSlot {
  vet: RosterVet
  date: string
  time: string
}


/** Monday … Sunday of the clinic's week holding `date` */
export const weekOf = (date: string): string[] => {
  const monday = addDays(date, 1 - Number(isoWeekday(date)))
  return [0, 1, 2, 3, 4, 5, 6].map(d => addDays(monday, d))
}

const hourDown = (m: number): number => Math.max(0, Math.floor(m / 60) * 60)
const hourUp = (m: number): number => Math.min(1440, Math.ceil(m / 60) * 60)

/**
 * The booking grid's state: the roster, the day or the week shown, its columns with their
 * appointments, the rows (15-minute slots) from the earliest working hour or booking to the
 * latest, and the appointment being moved (staff pick its new slot on the grid).
 */
export class ScheduleState {
  roster = $state<RosterVet[]>([])
  mode = $state<"day" | "week">("day")
  /** the vet of the week view (a roster id) */
  weekVet = $state("")
  columns = $state<GridColumn[]>([])
  loaded = $state(false)
  /** the appointment whose new slot staff are choosing, and what is in the way of the last try */
  moving = $state<AppointmentView | null>(null)
  moveOverlaps = $state<OverlapView[]>([])
  moveTarget = $state<PickedSlot | null>(null)
  moveFailure = $state("")

  constructor(private readonly desk: DeskState) {}

  /** grid rows: minutes since midnight, every 15, from 08:00 (or earlier work or bookings) to 20:00 (or later) */
  readonly rows = $derived.by(() => {
    let from = 8 * 60
    let to = 20 * 60
    const zone = this.desk.zone
    for (const c of this.columns) {
      for (const s of spansOn(c.vet.workingHours, c.date)) {
        from = Math.min(from, minuteOf(s.from))
        to = Math.max(to, minuteOf(s.to))
      }
      for (const a of c.items) {
        from = Math.min(from, minuteIn(a.start, c.date, zone))
        to = Math.max(to, minuteIn(a.end, c.date, zone))
      }
    }
    const out: number[] = []
    for (let m = hourDown(from); m < hourUp(to); m += SLOT_MINUTES) out.push(m)
    return out
  })

  async loadRoster(): Promise<void> {
    this.roster = await this.desk.api.call("appointments.roster")
    if (!this.roster.some(v => v.id === this.weekVet)) this.weekVet = this.roster[0]?.id ?? ""
  }

  /** the day's (or its week's) appointments, into columns */
  async load(date: string): Promise<void> {
    const mode = this.mode
    if (mode === "day") {
      const items = await this.desk.api.call("appointments.day", { date })
      // vets of the day's bookings that the roster does not name (yet) still get their column
      const noHours: WorkingHours = {}
      const extra = items
        .map(a => a.vet)
        .filter((name, i, all) => all.indexOf(name) === i && !this.roster.some(v => v.name === name))
        .map(name => ({ id: name, name, workingHours: noHours }))
      if (mode !== this.mode) return
      this.columns = [...this.roster, ...extra].map(vet => ({ key: vet.id, date, vet, items: items.filter(a => a.vet === vet.name) }))
    } else {
      const vet = this.roster.find(v => v.id === this.weekVet)
      if (!vet) {
        this.columns = []
        this.loaded = true
        return
      }
      const days = weekOf(date)
      const lists = await Promise.all(days.map(d => this.desk.api.call("appointments.day", { date: d, vet: vet.name })))
      if (mode !== this.mode) return
      this.columns = days.map((d, i) => ({ key: d, date: d, vet, items: lists[i] ?? [] }))
    }
    this.loaded = true
  }

  startMove(a: AppointmentView): void {
    this.moving = a
    this.moveOverlaps = []
    this.moveTarget = null
    this.moveFailure = ""
  }

  cancelMove(): void {
    this.moving = null
    this.moveOverlaps = []
    this.moveTarget = null
    this.moveFailure = ""
  }

  /** moves the appointment being moved to `to`; false when refused (overlaps or another failure are kept to show) */
  async moveTo(to: PickedSlot, override = false): Promise<boolean> {
    const a = this.moving
    if (!a) return false
    this.moveTarget = to
    this.moveFailure = ""
    try {
      const start = zonedIso(to.date, to.time, this.desk.zone)
      await this.desk.api.call("appointments.move", { id: a.id, start, vet: to.vet.name, vetId: to.vet.id, override })
      this.cancelMove()
      return true
    } catch (e) {
      if (e instanceof ApiCallError && e.code === "overlap") this.moveOverlaps = e.overlaps
      else this.moveFailure = e instanceof Error ? e.message : String(e)
      return false
    }
  }
}
