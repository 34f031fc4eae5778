import type { Sex } from "@vetsync/shared/schema"
import type { Rng } from "./prng.js"

/** Species, breeds and names of generated patients. */

interface Species {
  name: string
  weight: number
  /** maximum age in years */
  maxAge: number
  breeds: readonly (readonly [string, number])[]
}

// prettier-ignore
export const SPECIES: readonly Species[] = [
  {
    name: "кошка",
    weight: 44,
    maxAge: 20,
    breeds: [
      ["беспородная", 45], ["британская короткошёрстная", 10], ["шотландская вислоухая", 9], ["мейн-кун", 6],
      ["сиамская", 4], ["персидская", 4], ["сфинкс", 3], ["бенгальская", 3], ["русская голубая", 3],
      ["невская маскарадная", 3], ["сибирская", 4], ["абиссинская", 2], ["ориентальная", 2], ["девон-рекс", 2],
    ],
  },
  {
    name: "собака",
    weight: 44,
    maxAge: 17,
    breeds: [
      ["метис", 30], ["йоркширский терьер", 6], ["чихуахуа", 5], ["той-терьер", 4], ["шпиц", 6],
      ["немецкая овчарка", 5], ["лабрадор-ретривер", 5], ["французский бульдог", 4], ["джек-рассел-терьер", 4],
      ["такса", 4], ["мопс", 3], ["хаски", 4], ["корги", 3], ["бигль", 2], ["золотистый ретривер", 3],
      ["алабай", 1], ["кавказская овчарка", 1], ["ротвейлер", 2], ["доберман", 1], ["шарпей", 1], ["пудель", 2],
    ],
  },
  { name: "кролик", weight: 3, maxAge: 10, breeds: [["декоративный", 6], ["карликовый баран", 3], ["", 2]] },
  { name: "хорёк", weight: 2, maxAge: 9, breeds: [["", 1]] },
  { name: "морская свинка", weight: 2, maxAge: 8, breeds: [["", 3], ["абиссинская", 1], ["перуанская", 1]] },
  { name: "хомяк", weight: 1.5, maxAge: 3, breeds: [["сирийский", 2], ["джунгарский", 3]] },
  { name: "шиншилла", weight: 0.8, maxAge: 15, breeds: [["", 1]] },
  { name: "попугай", weight: 1.5, maxAge: 25, breeds: [["волнистый", 5], ["корелла", 2], ["неразлучник", 1], ["жако", 1]] },
  { name: "черепаха", weight: 0.7, maxAge: 40, breeds: [["среднеазиатская", 2], ["красноухая", 3]] },
  { name: "крыса", weight: 0.5, maxAge: 3, breeds: [["декоративная", 1]] },
]

const SPECIES_WEIGHTS = SPECIES.map(s => [s, s.weight] as const)

// prettier-ignore
const MALE_PET_NAMES = [
  "Барсик", "Мурзик", "Рыжик", "Пушок", "Кузя", "Тимофей", "Васька", "Персик", "Марсик", "Симба",
  "Том", "Оскар", "Гарфилд", "Лаки", "Джек", "Рекс", "Шарик", "Тузик", "Бим", "Граф",
  "Арчи", "Бакс", "Чарли", "Макс", "Рич", "Дымок", "Снежок", "Тиша", "Кеша", "Боня",
] as const

// prettier-ignore
const FEMALE_PET_NAMES = [
  "Мурка", "Муся", "Маруся", "Дуся", "Соня", "Багира", "Алиса", "Ася", "Белла", "Ева",
  "Лиза", "Жужа", "Ласка", "Найда", "Лайма", "Герда", "Джесси", "Зефирка", "Пуша", "Ириска",
  "Мася", "Тося", "Буся", "Лея", "Майя", "Симка", "Шанель", "Веста", "Грета", "Фрося",
] as const

const PATIENT_NOTES = [
  "Агрессивна при осмотре, нужен намордник",
  "Аллергия на курицу",
  "Боится громких звуков",
  "Хронический цистит",
  "Стерилизована",
  "Кастрирован",
  "На диете (почечная)",
  "Сахарный диабет, инсулин 2 р/д",
  "Кусается, работать в перчатках",
] as const

export interface PetDraft {
  name: string
  species: string
  breed: string
  sex: Sex
  /** age in days, or -1 when unknown */
  ageDays: number
  notes: string
}

export const pet = (rng: Rng): PetDraft => {
  const species = rng.weighted(SPECIES_WEIGHTS)
  const exotic = species.name !== "кошка" && species.name !== "собака"
  const sex: Sex = exotic && rng.chance(0.3) ? "unknown" : rng.chance(0.5) ? "male" : "female"
  const name = sex === "female" ? rng.pick(FEMALE_PET_NAMES) : rng.pick(MALE_PET_NAMES)
  const ageDays = rng.chance(0.1) ? -1 : Math.floor(species.maxAge * 365 * rng.float() * rng.float()) + 30
  return {
    name,
    species: species.name,
    breed: rng.weighted(species.breeds),
    sex,
    ageDays,
    notes: rng.chance(0.06) ? rng.pick(PATIENT_NOTES) : "",
  }
}

/** A 15-digit ISO 11784 microchip number; most chips sold in Russia start with 643. */
export const chipNumber = (rng: Rng): string => (rng.chance(0.8) ? `643${rng.digits(12)}` : `900${rng.digits(12)}`)
