import { z } from "zod"
import type { EnvType } from "./EnvType.js"

/** What the README's table and a refusal say about one variable. */
export interface EnvDoc {
  /** what it does */
  description: string
  /** what a value must be */
  expected: string
  /** the default as the table shows it; for a variable without one, what unset means */
  default: string
  /** the value is never echoed */
  secret: boolean
}

/** Each variable's schema (the outer one, as it sits in its service's z.object) and its EnvDoc. */
export const ENV_DOCS = z.registry<EnvDoc>()

/** A variable with a default, used when it is unset or blank. `shown`: the default as the table prints it. */
export const withDefault = <T>(type: EnvType<T>, description: string, value: NoInfer<T>, shown?: string) =>
  type.schema.default(value as z.util.NoUndefined<T>).register(ENV_DOCS, {
    description,
    expected: type.expected,
    default: shown ?? String(value),
    secret: type.secret ?? false,
  })

/** A variable without a default; `unset` says what its absence means ("development authentication"). */
export const optional = <T>(type: EnvType<T>, description: string, unset: string) =>
  type.schema.optional().register(ENV_DOCS, {
    description,
    expected: type.expected,
    default: `unset: ${unset}`,
    secret: type.secret ?? false,
  })
