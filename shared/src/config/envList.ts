import { ENV_DOCS } from "./envVariable.js"
import type { EnvSchema } from "./readEnv.js"

/** The variables of one service for `--help`: each its name and default, then its meaning. */
export const envList = (schema: EnvSchema, indent = "    "): string =>
  Object.entries(schema.shape)
    .map(([name, field]) => {
      const doc = ENV_DOCS.get(field)
      const shown = doc?.default.startsWith("unset: ") ? doc.default : `default ${doc?.default ?? "?"}`
      return `${indent}${name} (${shown})\n${indent}    ${doc?.description ?? ""}`
    })
    .join("\n")
