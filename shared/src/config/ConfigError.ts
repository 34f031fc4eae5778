/**
 * A service's environment holds values it cannot start with. One problem a line, each naming the
 * variable, its value (never a secret's) and what it must be. The `vetsync` command prints the
 * message and exits 1.
 */
export class ConfigError extends Error {
  readonly problems: readonly string[]

  constructor(service: string, problems: readonly string[]) {
    super(`the ${service} cannot start with this environment:\n${problems.map(p => `  ${p}`).join("\n")}`)
    this.name = "ConfigError"
    this.problems = problems
  }
}
