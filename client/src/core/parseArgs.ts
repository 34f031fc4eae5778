import type { FieldError } from "@vetsync/shared"
import type { z } from "zod"
import { DeskError, type DeskArgs, type DeskCommand } from "./api.js"
import { COMMAND_ARGS } from "./commandArgs.js"

/**
 * The desk API's boundary: a command's arguments are parsed with its schema (commandArgs.ts)
 * before any handler runs. Anything that is not an object is `bad_request`; an object of the
 * wrong shape is `validation` with one FieldError per problem, in the codes the shared
 * validators use (stable: UIs translate them), plus `unknown_field` and `too_many`.
 */

/** "patients[0].name", "patch.phone", "lines[2].qtyMilli" */
const fieldPath = (path: readonly PropertyKey[]): string =>
  path.reduce<string>(
    (out, key) => (typeof key === "number" ? `${out}[${key}]` : out === "" ? String(key) : `${out}.${String(key)}`),
    "",
  )

const TYPE_NAMES: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "an object",
  array: "a list",
}

/** the value at `path` of the arguments (zod's issues do not carry it) */
const valueAt = (args: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (o, key) =>
      o !== null && typeof o === "object" && Object.hasOwn(o, key)
        ? (o as Record<PropertyKey, unknown>)[key]
        : undefined,
    args,
  )

const fieldErrors = (args: unknown, issue: z.core.$ZodIssue): FieldError[] => {
  const field = fieldPath(issue.path)
  switch (issue.code) {
    case "unrecognized_keys":
      return issue.keys.map(key => ({
        field: fieldPath([...issue.path, key]),
        code: "unknown_field",
        message: "is not a field of this command",
      }))
    case "invalid_type":
      return [
        valueAt(args, issue.path) === undefined
          ? { field, code: "required", message: "is required" }
          : { field, code: "type", message: `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}` },
      ]
    case "too_big":
      return [
        issue.origin === "string"
          ? { field, code: "too_long", message: `is longer than ${String(issue.maximum)} characters` }
          : issue.origin === "array"
            ? { field, code: "too_many", message: `has more than ${String(issue.maximum)} items` }
            : { field, code: "too_big", message: `must be at most ${String(issue.maximum)}` },
      ]
    case "too_small":
      return [
        issue.origin === "string" || issue.origin === "array"
          ? { field, code: "required", message: "is required" }
          : { field, code: "negative", message: `must be at least ${String(issue.minimum)}` },
      ]
    case "invalid_value":
      return [{ field, code: "invalid", message: `must be one of ${issue.values.map(String).join(", ")}` }]
    case "invalid_format":
      return [{ field, code: "invalid", message: "has the wrong format" }]
    case "custom": {
      const code: unknown = issue.params?.code
      return [{ field, code: typeof code === "string" ? code : "invalid", message: issue.message }]
    }
    default:
      return [{ field, code: "invalid", message: issue.message }]
  }
}

/** The first problem of each field (an integer too big also says "not a safe integer"). */
const firstPerField = (errors: FieldError[]): FieldError[] => {
  const seen = new Set<string>()
  return errors.filter(e => !seen.has(e.field) && seen.add(e.field))
}

/** Parses one call's arguments (undefined and null mean none); throws DeskError on anything else. */
export const parseArgs = <C extends DeskCommand>(command: C, args: unknown): DeskArgs<C> => {
  const value: unknown = args ?? {}
  if (typeof value !== "object" || Array.isArray(value))
    throw new DeskError("bad_request", `the arguments of ${command} must be a JSON object`)
  const result = COMMAND_ARGS[command].safeParse(value)
  if (result.success) return result.data as DeskArgs<C>
  const fields = firstPerField(result.error.issues.flatMap(issue => fieldErrors(value, issue)))
  throw new DeskError(
    "validation",
    `the arguments of ${command} are invalid: ${fields.map(f => `${f.field || "(arguments)"} ${f.message}`).join("; ")}`,
    fields,
  )
}
