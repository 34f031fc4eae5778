import { DEFAULT_WORKING_HOURS } from "@vetsync/shared"
import type { RosterVet } from "../api.js"
import type { CommandContext } from "../commands/context.js"

const byName = (a: RosterVet, b: RosterVet): number => a.name.localeCompare(b.name, "ru") || a.id.localeCompare(b.id)

/**
 * The one seam between booking and the clinic's staff: the vets the grid shows and the booking
 * form offers, with their working hours, in the order shown. They are the active members with
 * role "vet" of the server-owned `staff` document (`vetsync staff add`). A clinic whose staff
 * document names no vet yet (one set up before staff existed) books with the vets its
 * appointments name, each working Mon–Sat 09:00–18:00, their id their name, until its staff are
 * entered.
 */
export const roster = (ctx: Pick<CommandContext, "rm">): RosterVet[] => {
  const vets = (ctx.rm.getStaff() ?? []).filter(m => m.active && m.role === "vet")
  if (vets.length > 0) return vets.map(m => ({ id: m.id, name: m.name, workingHours: m.workingHours })).sort(byName)
  return ctx.rm.appointments.vets().map(name => ({ id: name, name, workingHours: DEFAULT_WORKING_HOURS }))
}
