import fc from "fast-check"
import { afterEach, beforeAll, describe, expect, it } from "vitest"
import { ReadModel } from "../../src/core/readmodel/ReadModel.js"
import { sameName } from "../../src/core/readmodel/duplicates.js"
import { sampleClient, samplePatient } from "./fixtures.js"

/**
 * Likely duplicates of a client about to be created (issue 11, search point 5): the same phone
 * however typed, or the same name with a pet of the same name; honest distinct clients are never
 * named. Seeds: printed at the start; replay with VETSYNC_FC_SEED=<seed> (VETSYNC_FC_RUNS scales the runs).
 */
const SEED = process.env.VETSYNC_FC_SEED !== undefined ? Number(process.env.VETSYNC_FC_SEED) : Math.floor(Math.random() * 2 ** 31)
const SCALE = Number(process.env.VETSYNC_FC_RUNS ?? 1)
const params = (runs: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(runs * SCALE)) })

const SURNAMES = ["Фёдорова", "Федорова", "Иванова", "Семёнова", "Смирнова", "Ким"]
const FIRST = ["Анна", "Алёна", "Ольга", "Мария"]
const PATRONYMICS = ["Петровна", "Сергеевна", "Фёдоровна"]
const PETS = ["Барсик", "Мурка", "Ёжик", "Рекс", "Бим"]

interface Person {
  surname: string
  first: string
  patronymic: string
  nsn: string
  pets: string[]
}

const nsn = fc.tuple(fc.constantFrom("9", "4", "8"), fc.integer({ min: 0, max: 8 }), fc.stringMatching(/^\d{8}$/)).map(([a, b, c]) => `${a}${b}${c}`)
const person: fc.Arbitrary<Person> = fc.record({
  surname: fc.constantFrom(...SURNAMES),
  first: fc.constantFrom(...FIRST),
  patronymic: fc.constantFrom(...PATRONYMICS),
  nsn,
  pets: fc.array(fc.constantFrom(...PETS), { minLength: 1, maxLength: 2 }),
})
const fullName = (p: Person): string => `${p.surname} ${p.first} ${p.patronymic}`
/** one person is one full name and one number: distinct people differ in both (namesakes with other pets differ in name) */
const distinctPeople = fc.uniqueArray(person, { minLength: 2, maxLength: 30, selector: p => fullName(p).toLowerCase().replace(/ё/g, "е") }).filter(
  list => new Set(list.map(p => p.nsn)).size === list.length,
)
/** the same number as staff may have typed it on either day */
const typings = (n: string): string[] => [`+7 ${n.slice(0, 3)} ${n.slice(3, 6)}-${n.slice(6, 8)}-${n.slice(8)}`, `8${n}`, `8 (${n.slice(0, 3)}) ${n.slice(3)}`, `+7${n}`, n]

describe("likely duplicates of a new client", () => {
  const open: ReadModel[] = []
  afterEach(() => {
    for (const rm of open.splice(0)) rm.close()
  })
  beforeAll(() => console.log(`[fc] seed ${SEED}: replay with VETSYNC_FC_SEED=${SEED}`))
  const clinicOf = (list: readonly Person[], typing: number): ReadModel => {
    const rm = ReadModel.open(":memory:")
    open.push(rm)
    list.forEach((p, i) => {
      rm.upsertClient(sampleClient(`c${i}`, fullName(p), { phone: typings(p.nsn)[(i + typing) % 5] ?? "" }))
      p.pets.forEach((pet, j) => rm.upsertPatient(samplePatient(`c${i}-${j}`, `c${i}`, pet)))
    })
    return rm
  }

  it("warns of nobody when honest distinct clients are created", () => {
    fc.assert(
      fc.property(distinctPeople, fc.nat(4), fc.nat(4), (list, typing, typedNow) => {
        const [fresh, ...clinic] = list as [Person, ...Person[]]
        const rm = clinicOf(clinic, typing)
        const sketch = { name: fullName(fresh), phone: typings(fresh.nsn)[typedNow], petNames: fresh.pets }
        expect(rm.clients.likelyDuplicates(sketch)).toEqual([])
      }),
      params(300),
    )
  })

  it("names the existing client with the same phone, however either was typed", () => {
    fc.assert(
      fc.property(distinctPeople, fc.nat(4), fc.nat(4), fc.nat(29), (list, typing, typedNow, pick) => {
        const rm = clinicOf(list, typing)
        const i = pick % list.length
        const them = list[i] as Person
        const found = rm.clients.likelyDuplicates({ name: "Другое Имя", phone: typings(them.nsn)[typedNow], petNames: [] })
        expect(found).toMatchObject([{ id: `c${i}`, reasons: ["phone"] }])
      }),
      params(300),
    )
  })

  it("names the existing client with the same name (case, ё, spaces, patronymic left out) and a pet of the same name", () => {
    fc.assert(
      fc.property(distinctPeople, fc.nat(29), fc.boolean(), fc.boolean(), (list, pick, shortName, shout) => {
        const rm = clinicOf(list, 0)
        const i = pick % list.length
        const them = list[i] as Person
        let name = shortName ? ` ${them.surname}  ${them.first} ` : fullName(them).replace(/ё/g, "е")
        if (shout) name = name.toUpperCase()
        const found = rm.clients.likelyDuplicates({ name, phone: "", petNames: ["Кеша", them.pets[0]?.toLowerCase() ?? ""] })
        const ids = found.map(d => d.id)
        expect(ids).toContain(`c${i}`)
        expect(found.find(d => d.id === `c${i}`)?.reasons).toEqual(["name-and-pet"])
        // anyone else named is the same person by the rule: that name (with or without patronymic) and that pet
        for (const d of found) expect(sameName(d.name, name) && d.patients.some(p => p.name === them.pets[0])).toBe(true)
      }),
      params(300),
    )
  })

  it("tells one person's name from a namesake's", () => {
    expect(sameName("Иванова Анна Петровна", "иванова  анна петровна")).toBe(true)
    expect(sameName("Иванова Анна", "Иванова Анна Петровна")).toBe(true)
    expect(sameName("Фёдорова Анна", "Федорова анна")).toBe(true)
    expect(sameName("Иванова Анна Петровна", "Иванова Анна Сергеевна")).toBe(false)
    expect(sameName("Иванова", "Иванова Анна")).toBe(false)
    expect(sameName("Иванова Анна", "Иванова Анастасия")).toBe(false)
    expect(sameName("", "")).toBe(false)
  })
})
