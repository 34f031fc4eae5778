import type { z } from "zod"
import { ConfigError } from "./ConfigError.js"
import { ENV_DOCS } from "./envVariable.js"

/** A service's variables: an object schema whose every field is made by withDefault or optional. */
export type EnvSchema = z.ZodObject<Record<string, z.ZodType<unknown, string | undefined>>>

/** A value as a refusal may show it: quoted, or only its length when it is a secret. */
const shown = (value: string, secret: boolean): string =>
  secret ? `set (${value.length} characters, not shown)` : JSON.stringify(value)

/**
 * The service's configuration from the environment: each variable of the schema, trimmed; a blank
 * one counts as unset (its default). Other variables are ignored. Throws a ConfigError listing every
 * bad value, each with its variable, its value and what it must be. `label` names a variable in a
 * refusal (the desk's: `VETSYNC_LAN_PORT (--lan-port)`, its flag beside it); by default its name.
 */
export const readEnv = <S extends EnvSchema>(
  service: string,
  schema: S,
  env: NodeJS.ProcessEnv,
  label: (name: string) => string = name => name,
): z.output<S> => {
  const input: Record<string, string | undefined> = {}
  for (const name of Object.keys(schema.shape)) {
    const value = env[name]?.trim()
    input[name] = value === "" ? undefined : value
  }
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map(issue => {
    const name = String(issue.path[0] ?? "")
    const field = schema.shape[name]
    const doc = field ? ENV_DOCS.get(field) : undefined
    if (!doc) return issue.message
    const value = input[name]
    const is = value === undefined ? "is not set" : `is ${shown(value, doc.secret)}`
    return `${label(name)} ${is}: ${issue.message}; expected ${doc.expected}`
  })
  throw new ConfigError(service, problems)
}
