import { overlapsOf, type Appointment } from "@vetsync/shared"
import { DeskError, type OverlapView } from "../api.js"
import { isLive } from "../views/appointments.js"
import type { CommandContext } from "./context.js"

/**
 * The live bookings of `vet` that [start, end) would overlap (other than `self`, an appointment
 * being moved), as staff are told about them: who is booked then.
 */
export const overlapsFor = (
  ctx: Pick<CommandContext, "rm">,
  vet: string,
  interval: { start: string; end: string },
  self = "",
): OverlapView[] => {
  const around = ctx.rm.appointments.ofVetAround(vet, interval.start, interval.end).filter(a => a.id !== self && isLive(a))
  return overlapsOf(interval, around).map((a: Appointment) => ({
    id: a.id,
    vet: a.vet,
    start: a.start,
    end: a.end,
    clientName: ctx.rm.records.getClient(a.clientId)?.name ?? "",
    patientName: ctx.rm.records.getPatient(a.patientId)?.name ?? "",
  }))
}

/**
 * Refuses a booking over another of the same vet (code "overlap", naming them) unless staff said
 * `override`: the warning comes before anything is saved. Bookings made apart on two desks can
 * still overlap after they merge: the day view flags those (views/appointments.ts).
 */
export const refuseOverlap = (
  ctx: Pick<CommandContext, "rm">,
  vet: string,
  interval: { start: string; end: string },
  override: boolean | undefined,
  self = "",
): void => {
  if (override) return
  const found = overlapsFor(ctx, vet, interval, self)
  if (found.length > 0)
    throw new DeskError(
      "overlap",
      `${vet} is booked then: ${found.map(o => `${o.start}–${o.end} ${o.clientName}`).join("; ")}`,
      undefined,
      found,
    )
}
