import { ENV_DOCS, type EnvDoc } from "./envVariable.js"
import type { EnvSchema } from "./readEnv.js"

const cell = (text: string): string => text.replaceAll("|", "\\|").replaceAll("\n", " ")

/**
 * One Markdown table of every variable of the given services: variable, service, default, meaning,
 * accepted values. A variable two services read alike (same default and meaning) is one row.
 */
export const envTable = (services: readonly { name: string; schema: EnvSchema }[]): string => {
  const rows: { name: string; services: string[]; doc: EnvDoc }[] = []
  for (const { name: service, schema } of services)
    for (const [name, field] of Object.entries(schema.shape)) {
      const doc = ENV_DOCS.get(field)
      if (!doc) throw new Error(`${service}: ${name} has no description (make it with withDefault or optional)`)
      const same = rows.find(
        r => r.name === name && r.doc.default === doc.default && r.doc.description === doc.description,
      )
      if (same) same.services.push(service)
      else rows.push({ name, services: [service], doc })
    }
  // by name; a variable of two services in the order the services were given (the sort is stable)
  rows.sort((a, b) => a.name.localeCompare(b.name))
  return [
    "| Variable | Service | Default | Meaning | Accepts |",
    "|---|---|---|---|---|",
    ...rows.map(
      r =>
        `| \`${r.name}\` | ${r.services.join(", ")} | ${cell(r.doc.default)} | ${cell(r.doc.description)} | ${cell(r.doc.expected)} |`,
    ),
  ].join("\n")
}
