import { lineTotal } from "@vetsync/shared"
import { describe, expect, it } from "vitest"
import { en } from "../../src/ui/i18n/en.js"
import { ru } from "../../src/ui/i18n/ru.js"
import { parseQty } from "../../src/ui/state/qty.js"

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
