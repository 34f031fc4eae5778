import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { BRIDGE_ENV } from "@vetsync/bridge/config"
import { DESK_WEB_ENV } from "@vetsync/client/config"
import { RELAY_ENV } from "@vetsync/sync-server/config"
import { describe, expect, it } from "vitest"
import { configTable, TABLE_END, TABLE_START, withConfigTable } from "../cli/configDocs.js"

const README = fileURLToPath(new URL("../README.md", import.meta.url))

/** A Markdown table's cells, row by row: how wide a formatter pads its columns does not count. */
const cells = (table: string): string[][] =>
  table
    .trim()
    .split("\n")
    .map(row =>
      row
        .trim()
        .replace(/^\||\|$/g, "")
        .split(/(?<!\\)\|/)
        .map(c => c.trim())
        .map(c => (/^:?-+:?$/.test(c) ? "---" : c)),
    )

describe("the README's table of the relay's, the bridge's and the desk's variables", () => {
  it("has a row for every variable of each service, naming the service", () => {
    const rows = cells(configTable()).slice(2)
    for (const [service, schema] of [
      ["relay", RELAY_ENV],
      ["bridge", BRIDGE_ENV],
      ["desk", DESK_WEB_ENV],
    ] as const)
      for (const name of Object.keys(schema.shape))
        expect(
          rows.some(r => r[0] === `\`${name}\`` && (r[1] ?? "").split(", ").includes(service)),
          `${service}: ${name}`,
        ).toBe(true)
  })

  it("is the one generated from their schemas (`npm run config:docs` writes it)", () => {
    const readme = readFileSync(README, "utf8")
    const start = readme.indexOf(TABLE_START)
    const end = readme.indexOf(TABLE_END)
    expect(start, `README.md has no ${TABLE_START}`).toBeGreaterThanOrEqual(0)
    expect(end).toBeGreaterThan(start)
    expect(cells(readme.slice(start + TABLE_START.length, end))).toEqual(cells(configTable()))
  })

  it("is written between its markers, leaving the rest of the README as it was", () => {
    const readme = `# x\n\n${TABLE_START}\n| old |\n${TABLE_END}\n\nafter\n`
    const written = withConfigTable(readme)
    expect(written).toBe(`# x\n\n${TABLE_START}\n${configTable()}\n${TABLE_END}\n\nafter\n`)
    expect(withConfigTable(written)).toBe(written)
    expect(() => withConfigTable("# no markers")).toThrow(/no <!-- config:begin/)
  })
})
