import type { Appointment } from "@vetsync/shared"
import type { AppointmentView } from "../api.js"
import type { ReasonOf, RecordLookup } from "./lookup.js"

/** an appointment that still takes the vet's time */
export const isLive = (a: Appointment): boolean => a.status !== "cancelled" && a.status !== "no_show"

/** Two appointments of the same vet whose times intersect (touching ends do not). */
export const overlaps = (a: Appointment, b: Appointment): boolean =>
  a.vet === b.vet && a.id !== b.id && a.start < b.end && b.start < a.end

/**
 * A day's appointments as the day view shows them, in the order given (the read model's: by
 * start, then vet), of one vet or all: with the names of the client and the patient, the live
 * appointments of the same vet a live one overlaps (among all of `appointments`, whichever vet
 * is shown), and the server's reason if it refused the appointment.
 */
export const appointmentViews = (
  appointments: readonly Appointment[],
  vet: string | undefined,
  lookup: Pick<RecordLookup, "getClient" | "getPatient">,
  reasonOf: ReasonOf,
): AppointmentView[] => {
  const live = appointments.filter(isLive)
  return appointments
    .filter(a => !vet || a.vet === vet)
    .map(a => ({
      ...a,
      clientName: lookup.getClient(a.clientId)?.name ?? "",
      patientName: lookup.getPatient(a.patientId)?.name ?? "",
      overlapsWith: isLive(a) ? live.filter(b => overlaps(a, b)).map(b => b.id) : [],
      rejection: reasonOf(`appointments/${a.id}`, a.updatedAt),
    }))
}
