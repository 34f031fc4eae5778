/**
 * How a shell's command line is read into --flag values. Both forms, `--name value` and
 * `--name=value`; the last of a repeated flag wins.
 *
 * - strict (`vetsync desk`): every argument is one of `known` with a value; anything else throws.
 * - lenient (Electron): the command line is also Electron's and Chromium's (the app path,
 *   `--no-sandbox`, `--inspect=9229` ...): whatever is not one of `known` is passed by, and a
 *   known flag without a value is absent.
 */
export type ArgvMode = "strict" | "lenient"

export const readFlags = (argv: readonly string[], known: ReadonlySet<string>, mode: ArgvMode): Map<string, string> => {
  const strict = mode === "strict"
  const flags = new Map<string, string>()
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? ""
    if (!a.startsWith("--")) {
      if (strict) throw new Error(`unexpected argument ${a}`)
      continue
    }
    const eq = a.indexOf("=")
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2)
    if (!strict && !known.has(name)) continue
    if (eq > 0) {
      flags.set(name, a.slice(eq + 1))
      continue
    }
    const v = argv[i + 1]
    if (v === undefined || v.startsWith("--")) {
      if (strict) throw new Error(`${a} needs a value`)
      continue
    }
    flags.set(name, v)
    i++
  }
  if (strict) for (const k of flags.keys()) if (!known.has(k)) throw new Error(`unknown option --${k}`)
  return flags
}
