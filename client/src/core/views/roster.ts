import { DEFAULT_WORKING_HOURS } from "@vetsync/shared"
import type { RosterVet } from "../api.js"
import type { CommandContext } from "../commands/context.js"

/**
 * THE ONE SEAM between booking and the clinic's staff list: the vets the grid shows and the
 * booking form offers, with their working hours, in the order shown.
 *
 * For now: the vets the clinic's appointments name, each working Mon–Sat 09:00–18:00, their id
 * their name (the staff list is another branch's: PostgreSQL → server-owned `staff` document →
 * `staff.list`). When it lands, this function answers from the staff document instead: the
 * active members with role "vet", their ids and workingHours; nothing else needs to change.
 */
export const roster = (ctx: Pick<CommandContext, "rm">): RosterVet[] =>
  ctx.rm.appointments.vets().map(name => ({ id: name, name, workingHours: DEFAULT_WORKING_HOURS }))
