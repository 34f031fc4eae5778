import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { lineTotal } from "@vetsync/shared"
import { describe, expect, it } from "vitest"
import { en } from "../../src/ui/i18n/en.js"
import { ru } from "../../src/ui/i18n/ru.js"
import { parseQty, qtyProblem } from "../../src/ui/state/qty.js"

describe("UI dictionaries", () => {
  it("English has every Russian key and no others, and no empty text", () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(ru).sort())
    for (const [k, v] of [...Object.entries(ru), ...Object.entries(en)]) expect(v.trim(), k).not.toBe("")
  })

  it("uses the same placeholders in both languages", () => {
    const params = (s: string): string[] => [...s.matchAll(/\{(\w+)\}/g)].map(m => m[1] ?? "").sort()
    for (const k of Object.keys(ru) as (keyof typeof ru)[]) expect(params(en[k]), k).toEqual(params(ru[k]))
  })

  it("has the staff's words for the sync indicator", () => {
    expect(ru["sync.online"]).toBe("Онлайн, все данные синхронизированы")
    expect(ru["sync.offline.many"]).toBe("Офлайн, {n} записей ожидают синхронизации")
    expect(ru["sync.error"]).toBe("Ошибка синхронизации")
  })
})

describe("invoice quantities", () => {
  it("parses what staff type into thousandths", () => {
    expect(parseQty("1")).toBe(1000)
    expect(parseQty("0,5")).toBe(500)
    expect(parseQty(" 2.125 ")).toBe(2125)
    for (const bad of ["", "0", "-1", "1,2345", "abc", "1e3"]) expect(parseQty(bad), bad).toBeUndefined()
    expect(lineTotal(150_000, parseQty("1,5") ?? 0)).toBe(225_000)
  })
})

describe("field errors in the UI's language", () => {
  it("translates every code the record checks and the desk API's boundary can give, in both languages", () => {
    // the codes as the sources give them: a new code without a translation fails here
    const here = path.dirname(fileURLToPath(import.meta.url))
    const sources = [
      ...fs
        .readdirSync(path.join(here, "../../../shared/src/schema"))
        .map(f => path.join(here, "../../../shared/src/schema", f)),
      ...["parseArgs.ts", "commandArgs.ts"].map(f => path.join(here, "../../src/core", f)),
      ...fs
        .readdirSync(path.join(here, "../../src/core/commands"))
        .map(f => path.join(here, "../../src/core/commands", f)),
      // what the UI itself checks before sending (a date's text, a picked client, a quantity)
      ...fs.readdirSync(path.join(here, "../../src/ui/forms")).map(f => path.join(here, "../../src/ui/forms", f)),
    ]
    const codes = new Set<string>()
    for (const file of sources) {
      const text = fs.readFileSync(file, "utf8")
      for (const m of text.matchAll(/code: "([a-z_]+)"/g)) codes.add(m[1] ?? "")
      // the record checks: c.check(field, ok, "code", ...) / c.pattern(value, field, re, "code", ...)
      // (not a list of values such as INVOICE_STATES = ["issued", "partly_paid", ...] as const)
      const checks = text
        .split("\n")
        .filter(line => !line.includes("as const"))
        .join("\n")
      for (const m of checks.matchAll(/, "([a-z]+_[a-z_]+)", ["`]/g)) codes.add(m[1] ?? "")
    }
    for (const typed of ["", "0", "x"]) codes.add(qtyProblem(typed) ?? "")
    // not field errors: answers of the API as a whole
    for (const whole of ["bad_request", "not_found", "custom"]) codes.delete(whole)
    codes.delete("")
    expect(codes.size).toBeGreaterThan(10)
    for (const ui of [
      "invalid_time",
      "invalid_duration",
      "no_client",
      "no_patient",
      "no_lines",
      "qty_not_positive",
      "qty_format",
    ])
      expect(codes).toContain(ui)
    for (const code of codes) {
      expect(Object.keys(ru), `err.${code}`).toContain(`err.${code}`)
      expect(Object.keys(en), `err.${code}`).toContain(`err.${code}`)
    }
  })
})
