import { hashPin, isPin, isStaffRole, parseWorkingHours, type StaffRole, type WorkingHours } from "@vetsync/shared"
import type { Queryable } from "./commands.js"
import { parseSubcommand } from "./parseSubcommand.js"
import { staffAdd, staffLine, staffList, staffSet, type StaffPatch } from "./staff.js"

export const STAFF_USAGE = `  vetsync staff add  --clinic ID --name NAME --role vet|reception|admin [--pin 1234] [--hours "1-5 09:00-18:00; 6 10:00-14:00"] [--id ID]
  vetsync staff list --clinic ID
  vetsync staff set  --clinic ID STAFF_ID [--name NAME] [--role ROLE] [--pin 1234] [--no-pin] [--hours TEXT] [--inactive | --active]`

/** The fields of one member the arguments give, checked; the PIN not hashed yet. */
interface StaffFields {
  name?: string
  role?: StaffRole
  pin?: string
  workingHours?: WorkingHours
  active?: boolean
}

/** One staff command, parsed: nothing is opened before the arguments are known to be right. */
export type StaffAction =
  | { op: "staff-list"; clinicId: string }
  | { op: "staff-add"; clinicId: string; id?: string; fields: StaffFields & { name: string; role: StaffRole } }
  | { op: "staff-set"; clinicId: string; staffId: string; fields: StaffFields; clearPin: boolean }

const OPTIONS = {
  clinic: { type: "string" },
  id: { type: "string" },
  name: { type: "string" },
  role: { type: "string" },
  pin: { type: "string" },
  "no-pin": { type: "boolean" },
  hours: { type: "string" },
  active: { type: "boolean" },
  inactive: { type: "boolean" },
} as const

/** Parses `vetsync staff ...`; throws naming the argument that is wrong, with the usage. */
export const parseStaffCommand = (argv: string[]): StaffAction => {
  const { values, sub, arg, usage, only } = parseSubcommand("staff", argv, OPTIONS, STAFF_USAGE)
  if (sub !== "add" && sub !== "list" && sub !== "set")
    throw usage(sub ? `vetsync staff ${sub}: not a subcommand (add, list, set)` : "vetsync staff: which subcommand?")
  const clinicId = values.clinic
  if (!clinicId) throw usage(`vetsync staff ${sub ?? ""}: --clinic is required`)
  const fields: StaffFields = {}
  if (values.name !== undefined) {
    if (values.name.trim() === "" || values.name.length > 200) throw usage("--name must be 1 to 200 characters")
    fields.name = values.name.trim()
  }
  if (values.role !== undefined) {
    if (!isStaffRole(values.role))
      throw usage(`--role must be vet, reception or admin, not ${JSON.stringify(values.role)}`)
    fields.role = values.role
  }
  if (values.pin !== undefined) {
    if (!isPin(values.pin)) throw usage("--pin must be 4 to 8 digits")
    fields.pin = values.pin
  }
  if (values.hours !== undefined) {
    const h = parseWorkingHours(values.hours)
    if (!h.ok) throw usage(`--hours: ${h.error}`)
    fields.workingHours = h.value
  }
  if (values.active && values.inactive) throw usage("--active and --inactive: one or the other")
  if (values.active) fields.active = true
  if (values.inactive) fields.active = false
  if (values.pin !== undefined && values["no-pin"]) throw usage("--pin and --no-pin: one or the other")
  if (values.id !== undefined && !/^[A-Za-z0-9_-]{1,64}$/.test(values.id))
    throw usage("--id must be 1-64 of A-Z a-z 0-9 _ -")

  if (sub === "list" && !arg) {
    only("clinic")
    return { op: "staff-list", clinicId }
  }
  if (sub === "add" && !arg) {
    only("clinic", "id", "name", "role", "pin", "hours")
    const { name, role } = fields
    if (name === undefined) throw usage("vetsync staff add: --name is required")
    if (role === undefined) throw usage("vetsync staff add: --role is required (vet, reception or admin)")
    return { op: "staff-add", clinicId, id: values.id, fields: { ...fields, name, role } }
  }
  if (sub === "set" && arg) {
    only("clinic", "name", "role", "pin", "no-pin", "hours", "active", "inactive")
    if (Object.keys(fields).length === 0 && !values["no-pin"])
      throw usage("vetsync staff set: what to change? (--name, --role, --pin, --no-pin, --hours, --active, --inactive)")
    return { op: "staff-set", clinicId, staffId: arg, fields, clearPin: values["no-pin"] === true }
  }
  throw usage(
    `vetsync staff ${sub}: ${arg ? `unexpected argument ${arg}` : "which staff member? (its id, from vetsync staff list)"}`,
  )
}

/** Carries out a parsed staff command against a migrated database; returns the lines to print. */
export const runStaffAction = async (a: StaffAction, db: Queryable): Promise<string[]> => {
  switch (a.op) {
    case "staff-list":
      return (await staffList(db, a.clinicId)).map(staffLine)
    case "staff-add": {
      const { name, role, pin, workingHours } = a.fields
      const m = await staffAdd(db, a.clinicId, {
        id: a.id,
        name,
        role,
        pinHash: pin === undefined ? "" : await hashPin(pin),
        workingHours: workingHours ?? {},
      })
      return [`staff member ${m.id} added to clinic ${a.clinicId} (desks receive it through the bridge)`, staffLine(m)]
    }
    case "staff-set": {
      const { pin, ...rest } = a.fields
      const patch: StaffPatch = { ...rest }
      if (pin !== undefined) patch.pinHash = await hashPin(pin)
      if (a.clearPin) patch.pinHash = ""
      const m = await staffSet(db, a.clinicId, a.staffId, patch)
      return [`staff member ${m.id} of clinic ${a.clinicId} saved`, staffLine(m)]
    }
  }
}

/** Parses and runs one staff command (tests, and callers that hold a database already). */
export const staffCommand = async (argv: string[], db: Queryable): Promise<string[]> =>
  runStaffAction(parseStaffCommand(argv), db)
