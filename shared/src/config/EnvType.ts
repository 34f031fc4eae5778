import { isIP } from "node:net"
import { z } from "zod"

/**
 * The kind of value an environment variable holds: how its text is parsed, and what it must be,
 * in words, for the error that refuses a bad value and for the README's table.
 */
export interface EnvType<T> {
  /** parses the variable's (trimmed, non-empty) text */
  readonly schema: z.ZodType<T, string>
  /** what a value must be: "a TCP port, a whole number from 0 to 65535" */
  readonly expected: string
  /** the value is never echoed (credentials, tokens, URLs that may hold a password) */
  readonly secret?: boolean
}

/** A registry name: a clinic, a service (the same rule as `vetsync clinics add`). */
const NAME = /^[A-Za-z0-9_-]{1,64}$/
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL_OR_SPACE = /[\s\u0000-\u001f\u007f]/

const wholeNumber = (min: number, max: number): z.ZodType<number, string> =>
  z
    .string()
    .regex(/^\d+$/, { message: "not a whole number" })
    .transform(Number)
    .refine(n => n >= min, { message: `below ${min}` })
    .refine(n => n <= max, { message: `above ${max}` })

const urlWith = (schemes: readonly string[]): z.ZodType<string, string> =>
  z.string().superRefine((s, ctx) => {
    let url: URL
    try {
      url = new URL(s)
    } catch {
      ctx.addIssue({ code: "custom", message: "not a URL" })
      return
    }
    if (!schemes.includes(url.protocol)) ctx.addIssue({ code: "custom", message: `its scheme is ${url.protocol}` })
    else if (url.hostname === "") ctx.addIssue({ code: "custom", message: "it names no host" })
  })

/** The kinds of values the relay's and the bridge's variables hold. */
export const envTypes = {
  port: {
    schema: wholeNumber(0, 65535),
    expected: "a TCP port, a whole number from 0 to 65535 (0: any free port)",
  } satisfies EnvType<number>,

  host: {
    schema: z.string().refine(s => isIP(s) !== 0 || HOSTNAME.test(s), { message: "not an IP address or host name" }),
    expected: "an IP address (127.0.0.1, 0.0.0.0, ::) or a host name",
  } satisfies EnvType<string>,

  wholeNumber: (min: number, max: number, unit = ""): EnvType<number> => ({
    schema: wholeNumber(min, max),
    expected: `a whole number from ${min} to ${max}${unit ? ` (${unit})` : ""}`,
  }),

  positiveNumber: (max: number, unit = ""): EnvType<number> => ({
    schema: z
      .string()
      .regex(/^\d+(\.\d+)?$/, { message: "not a number" })
      .transform(Number)
      .refine(n => n > 0, { message: "not above 0" })
      .refine(n => n <= max, { message: `above ${max}` }),
    expected: `a number above 0, at most ${max}${unit ? ` (${unit})` : ""}`,
  }),

  name: {
    schema: z.string().regex(NAME, { message: "not 1-64 of A-Z a-z 0-9 _ -" }),
    expected: "a name: 1-64 of A-Z a-z 0-9 _ -",
  } satisfies EnvType<string>,

  names: {
    schema: z.string().transform((s, ctx) => {
      const names = s
        .split(",")
        .map(n => n.trim())
        .filter(Boolean)
      const bad = names.find(n => !NAME.test(n))
      if (bad !== undefined) ctx.addIssue({ code: "custom", message: `${JSON.stringify(bad)} is not a name` })
      return [...new Set(names)]
    }),
    expected: "names separated by commas, each 1-64 of A-Z a-z 0-9 _ -",
  } satisfies EnvType<string[]>,

  path: {
    schema: z.string().refine(s => !s.includes("\0"), { message: "it holds a NUL character" }),
    expected: "a file system path (relative to the working directory, or absolute)",
  } satisfies EnvType<string>,

  wsUrl: {
    schema: urlWith(["ws:", "wss:"]),
    expected: "a ws:// or wss:// URL, e.g. wss://relay.example/sync",
  } satisfies EnvType<string>,

  postgresUrl: {
    schema: urlWith(["postgres:", "postgresql:"]),
    expected: "a postgres:// or postgresql:// URL",
    secret: true,
  } satisfies EnvType<string>,

  oneOf: <const T extends string>(values: readonly T[]): EnvType<T> => ({
    schema: z
      .string()
      .refine((s): s is T => (values as readonly string[]).includes(s), { message: `not one of ${values.join(", ")}` })
      .transform(s => s),
    expected: `one of ${values.join(", ")}`,
  }),

  secret: {
    schema: z.string().refine(s => !CONTROL_OR_SPACE.test(s), { message: "it holds a space or a control character" }),
    expected: "a secret without spaces or control characters",
    secret: true,
  } satisfies EnvType<string>,

  /** a secret people type or paste to be let in (a page's sign-in): long enough not to be guessed */
  strongSecret: {
    schema: z
      .string()
      .refine(s => !CONTROL_OR_SPACE.test(s), { message: "it holds a space or a control character" })
      .refine(s => s.length >= 20, { message: "it is shorter than 20 characters" }),
    expected: "a secret of at least 20 characters without spaces or control characters (`openssl rand -base64 32`)",
    secret: true,
  } satisfies EnvType<string>,
} as const
