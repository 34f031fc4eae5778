import { parseArgs, type ParseArgsConfig } from "node:util"

type Options = NonNullable<ParseArgsConfig["options"]>
type Values<O extends Options> = ReturnType<typeof parseArgs<{ allowPositionals: true; options: O }>>["values"]

/** `vetsync <command> <sub> [arg] --options`, parsed: what the registry's and staff's parsers share. */
export interface Subcommand<O extends Options> {
  values: Values<O>
  sub: string | undefined
  arg: string | undefined
  /** an error naming what is wrong, followed by the command's usage */
  usage: (why: string) => Error
  /** throws when an option outside `allowed` was given to this subcommand */
  only: (...allowed: string[]) => void
}

/** Parses the arguments of one `vetsync <command>`; at most two positionals (subcommand, argument). */
export const parseSubcommand = <O extends Options>(command: string, argv: string[], options: O, usageText: string): Subcommand<O> => {
  const usage = (why: string): Error => new Error(`${why}\nusage:\n${usageText}`)
  let parsed: ReturnType<typeof parseArgs<{ allowPositionals: true; options: O }>>
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options })
  } catch (e) {
    throw usage((e as Error).message)
  }
  const { values, positionals } = parsed
  const [sub, arg, extra] = positionals
  if (extra !== undefined) throw usage(`unexpected argument ${extra}`)
  const given = Object.keys(values).filter(k => (values as Record<string, unknown>)[k] !== undefined)
  const only = (...allowed: string[]): void => {
    const stray = given.find(k => !allowed.includes(k))
    if (stray) throw usage(`vetsync ${command} ${sub ?? ""}: --${stray} is not one of its options`)
  }
  return { values, sub, arg, usage, only }
}
