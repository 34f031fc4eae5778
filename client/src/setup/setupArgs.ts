import type { FieldError } from "@vetsync/shared"
import { z } from "zod"
import { DeskError } from "../core/api.js"
import type { EnrolArgs, SetupCommand, SetupStatus } from "./setupApi.js"

/** Caps no honest caller comes near: an address, a token (92 characters), a clinic id. */
const SCHEMAS = {
  "setup.status": z.strictObject({}),
  "setup.enrol": z.strictObject({ relay: z.string().max(2_000), token: z.string().max(1_000) }),
  "setup.moveAside": z.strictObject({ dataClinicId: z.string().min(1).max(200) }),
  "setup.keepData": z.strictObject({}),
} as const satisfies { [C in SetupCommand]: z.ZodType }

/** Every command of the setup API: the keys of its map of schemas (one per command, no other: checked above). */
export const SETUP_COMMANDS = Object.keys(SCHEMAS) as readonly (keyof typeof SCHEMAS)[]

/** `s` names a command of the setup API (its own key, never an inherited one). */
export const isSetupCommand = (s: string): s is SetupCommand => (SETUP_COMMANDS as readonly string[]).includes(s)

type SetupArgs = {
  "setup.status": Record<string, never>
  "setup.enrol": EnrolArgs
  "setup.moveAside": { dataClinicId: string }
  "setup.keepData": Record<string, never>
}

const fieldError = (issue: z.core.$ZodIssue, value: Record<string, unknown>): FieldError[] => {
  const field = issue.path.map(String).join(".")
  if (issue.code === "unrecognized_keys")
    return issue.keys.map(key => ({ field: key, code: "unknown_field", message: "is not a field of this command" }))
  if (issue.code === "too_big") return [{ field, code: "too_long", message: `is longer than ${String(issue.maximum)} characters` }]
  if (issue.code === "invalid_type" && value[field] === undefined) return [{ field, code: "required", message: "is required" }]
  if (issue.code === "too_small") return [{ field, code: "required", message: "is required" }]
  return [{ field, code: "type", message: "must be text" }]
}

/** Parses a setup command's arguments like the desk API's (parseArgs.ts): bad_request or validation. */
export const parseSetupArgs = <C extends keyof SetupArgs>(command: C, args: unknown): SetupArgs[C] => {
  const value: unknown = args ?? {}
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new DeskError("bad_request", `the arguments of ${command} must be a JSON object`)
  const result = SCHEMAS[command].safeParse(value)
  if (result.success) return result.data as SetupArgs[C]
  const fields = result.error.issues.flatMap(issue => fieldError(issue, value as Record<string, unknown>))
  throw new DeskError("validation", `the arguments of ${command} are invalid: ${fields.map(f => `${f.field} ${f.message}`).join("; ")}`, fields)
}

/** One call of the setup API: its arguments parsed, then its handler. */
export const routeSetupCall = (
  command: SetupCommand,
  args: unknown,
  handlers: { [C in SetupCommand]: (args: SetupArgs[C]) => Promise<SetupStatus> },
): Promise<SetupStatus> => {
  switch (command) {
    case "setup.status":
      return handlers[command](parseSetupArgs(command, args))
    case "setup.enrol":
      return handlers[command](parseSetupArgs(command, args))
    case "setup.moveAside":
      return handlers[command](parseSetupArgs(command, args))
    case "setup.keepData":
      return handlers[command](parseSetupArgs(command, args))
  }
}
