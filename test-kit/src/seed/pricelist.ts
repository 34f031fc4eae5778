import type { ItemKind, PriceItem } from "@vetsync/shared/schema"
import type { Rng } from "./prng.js"

/** A clinic price list: services (by category, some by weight class), medicines and food. */

export type Category = "consult" | "vaccine" | "diagnostics" | "surgery" | "dental" | "procedure" | "medicine" | "food"

export interface CatalogItem {
  item: PriceItem
  category: Category
}

type Base = readonly [name: string, rubles: number, byWeight?: boolean]

// prettier-ignore
const SERVICES: Record<Exclude<Category, "medicine" | "food">, readonly Base[]> = {
  consult: [
    ["Первичный приём терапевта", 1500], ["Повторный приём терапевта", 1000], ["Консультация кардиолога", 2500],
    ["Консультация дерматолога", 2200], ["Консультация офтальмолога", 2300], ["Консультация невролога", 2500],
    ["Консультация онколога", 2800], ["Консультация ортопеда", 2500], ["Приём экзотолога", 2000],
    ["Приём на дому", 4000], ["Консультация по результатам анализов", 700], ["Онлайн-консультация", 900],
  ],
  vaccine: [
    ["Вакцинация комплексная собак (Нобивак DHPPi+L)", 2200], ["Вакцинация от бешенства (Нобивак Rabies)", 900],
    ["Вакцинация кошек (Мультифел-4)", 1900], ["Вакцинация кошек (Пуревакс RCPCh)", 2600],
    ["Вакцинация кроликов (Раббивак-V)", 800], ["Чипирование с регистрацией", 1500], ["Оформление ветпаспорта", 300],
  ],
  diagnostics: [
    ["УЗИ брюшной полости", 2500], ["УЗИ сердца (ЭхоКГ)", 3500], ["Рентген, 1 проекция", 1500], ["ЭКГ", 1200],
    ["Общий анализ крови", 900], ["Биохимический анализ крови (12 показателей)", 2400], ["Общий анализ мочи", 700],
    ["Соскоб кожи", 600], ["Цитологическое исследование", 1500], ["ПЦР-диагностика (1 инфекция)", 1100],
    ["Измерение артериального давления", 600], ["Тест на FIV/FeLV", 1900], ["Исследование кала на паразитов", 500],
    ["Определение глюкозы крови", 300], ["Офтальмологическое обследование", 1600], ["Отоскопия", 500],
  ],
  surgery: [
    ["Кастрация кота", 3500], ["Стерилизация кошки", 6500], ["Кастрация кобеля", 7000, true],
    ["Стерилизация суки", 11000, true], ["Удаление новообразования кожи", 6000, true], ["ПХО раны", 2500, true],
    ["Остеосинтез", 25000, true], ["Наркоз ингаляционный, 30 мин", 2500, true], ["Снятие швов", 500],
    ["Кесарево сечение", 15000, true], ["Удаление инородного тела ЖКТ", 18000, true], ["Ампутация конечности", 16000, true],
  ],
  dental: [
    ["Санация ротовой полости (УЗ-чистка)", 5500, true], ["Удаление зуба простое", 1200], ["Удаление зуба сложное", 2500],
    ["Полировка зубов", 1500, true],
  ],
  procedure: [
    ["Инъекция подкожная", 250], ["Инъекция внутримышечная", 250], ["Инъекция внутривенная", 400],
    ["Капельница, до 1 часа", 1500, true], ["Постановка катетера", 600], ["Обработка от эктопаразитов", 500, true],
    ["Стрижка когтей", 400], ["Чистка параанальных желёз", 500], ["Стационар, сутки", 2500, true],
    ["Перевязка", 600], ["Промывание ушей", 500], ["Гигиеническая стрижка", 1500, true], ["Комплексный груминг", 3500, true],
    ["Эвтаназия", 3000, true], ["Кремация индивидуальная", 8000, true],
  ],
}

const WEIGHT_CLASSES = [
  ["до 5 кг", 1],
  ["5–10 кг", 1.3],
  ["10–20 кг", 1.7],
  ["20–40 кг", 2.2],
  ["свыше 40 кг", 2.8],
] as const

/** [name, rubles, unit] */
// prettier-ignore
const MEDICINES: readonly (readonly [string, number, string])[] = [
  ["Бравекто 112,5 мг", 1650, "шт."], ["Бравекто 250 мг", 1750, "шт."], ["Бравекто 500 мг", 1900, "шт."],
  ["Бравекто 1000 мг", 2100, "шт."], ["Бравекто 1400 мг", 2300, "шт."], ["Симпарика 20 мг", 790, "шт."],
  ["Симпарика 40 мг", 850, "шт."], ["НексГард 28 мг", 720, "шт."], ["НексГард 68 мг", 780, "шт."],
  ["Стронгхолд 6%, 0,25 мл", 560, "шт."], ["Стронгхолд 12%, 0,25 мл", 620, "шт."], ["Адвокат для кошек", 590, "шт."],
  ["Милбемакс для кошек", 95, "таб."], ["Милбемакс для собак", 110, "таб."], ["Дронтал плюс", 120, "таб."],
  ["Синулокс 50 мг", 38, "таб."], ["Синулокс 250 мг", 95, "таб."], ["Синулокс RTU", 45, "мл"],
  ["Мелоксивет 0,5%", 28, "мл"], ["Локсиком 0,5 мг/мл", 12, "мл"], ["Преднизолон 5 мг", 6, "таб."],
  ["Габапентин 100 мг", 22, "таб."], ["Фортекор 5 мг", 62, "таб."], ["Ветмедин 1,25 мг", 78, "таб."],
  ["Цефтриаксон 1 г", 140, "фл."], ["Физраствор 0,9%, 200 мл", 120, "фл."], ["Раствор Рингера, 200 мл", 140, "фл."],
  ["Глюкоза 5%, 200 мл", 130, "фл."], ["Катозал", 18, "мл"], ["Гамавит", 15, "мл"], ["Фоспренил", 25, "мл"],
  ["Серения 16 мг", 210, "таб."], ["Маропитант", 95, "мл"], ["Омепразол 20 мг", 9, "таб."],
  ["Ципровет капли глазные", 260, "шт."], ["Отоферонол Голд", 240, "шт."], ["Левомеколь 40 г", 180, "шт."],
  ["Воротник защитный 10 см", 350, "шт."], ["Воротник защитный 20 см", 450, "шт."], ["Попона послеоперационная", 650, "шт."],
  ["Шприц 2 мл", 15, "шт."], ["Катетер внутривенный 24G", 110, "шт."], ["Бинт самофиксирующийся", 190, "шт."],
  ["Инсулин Канинсулин", 60, "мл"], ["Урсофальк суспензия", 14, "мл"], ["Креон 10000", 35, "таб."],
]

// prettier-ignore
const FOOD_BRANDS = ["Royal Canin", "Hill's Prescription Diet", "Purina Pro Plan Veterinary Diets", "Monge VetSolution",
  "Farmina Vet Life", "Brit Veterinary Diet", "Grandorf", "Acana"] as const
// prettier-ignore
const FOOD_LINES = ["Renal", "Urinary S/O", "Gastrointestinal", "Hypoallergenic", "Sterilised", "Kitten/Puppy",
  "Adult", "Hepatic", "Satiety", "Diabetic", "Mobility", "Recovery"] as const
const FOOD_SIZES = [
  ["85 г, пауч", 120, "шт."],
  ["400 г", 520, "шт."],
  ["1,5 кг", 1900, "шт."],
  ["2 кг", 2400, "шт."],
  ["на развес", 1100, "кг"],
] as const

interface Draft {
  name: string
  kind: ItemKind
  rubles: number
  unit: string
  category: Category
}

const drafts = (): Draft[] => {
  const services: Draft[] = []
  for (const [category, list] of Object.entries(SERVICES) as [Category, readonly Base[]][])
    for (const [name, rubles, byWeight] of list) {
      if (!byWeight) services.push({ name, kind: "service", rubles, unit: "усл.", category })
      else
        for (const [cls, k] of WEIGHT_CLASSES)
          services.push({
            name: `${name}, ${cls}`,
            kind: "service",
            rubles: Math.round((rubles * k) / 50) * 50,
            unit: "усл.",
            category,
          })
    }
  const medicines: Draft[] = MEDICINES.map(([name, rubles, unit]) => ({
    name,
    kind: "product",
    rubles,
    unit,
    category: "medicine",
  }))
  const food: Draft[] = []
  for (const animal of ["для кошек", "для собак"])
    for (const line of FOOD_LINES)
      for (const brand of FOOD_BRANDS)
        for (const [size, rubles, unit] of FOOD_SIZES)
          food.push({ name: `${brand} ${line} ${animal}, ${size}`, kind: "product", rubles, unit, category: "food" })
  return [...services, ...medicines, ...food]
}

const CODE_PREFIX: Record<Category, string> = {
  consult: "S",
  vaccine: "S",
  diagnostics: "S",
  surgery: "S",
  dental: "S",
  procedure: "S",
  medicine: "M",
  food: "F",
}

/** `count` price items; services and medicines come first, then as much food as is needed. */
export const generatePriceList = (
  rng: Rng,
  ids: Rng,
  count: number,
  updatedAt: (rng: Rng) => string,
): CatalogItem[] => {
  const pool = drafts()
  const out: CatalogItem[] = []
  const seq: Record<string, number> = {}
  for (let i = 0; i < count; i++) {
    const base = pool[i % pool.length] as Draft
    const round = Math.floor(i / pool.length)
    const name = round === 0 ? base.name : `${base.name} (${round + 1})`
    const prefix = CODE_PREFIX[base.category]
    seq[prefix] = (seq[prefix] ?? 0) + 1
    const jitter = base.kind === "product" ? 0.9 + rng.float() * 0.25 : 1
    const rubles = Math.max(1, Math.round(base.rubles * jitter))
    const price = base.kind === "product" && rubles > 100 && rng.chance(0.6) ? rubles * 100 - 10 : rubles * 100
    out.push({
      category: base.category,
      item: {
        id: ids.uuid(),
        code: `${prefix}${String(seq[prefix]).padStart(4, "0")}`,
        name,
        kind: base.kind,
        price,
        unit: base.unit,
        active: rng.chance(0.96),
        updatedAt: updatedAt(rng),
      },
    })
  }
  return out
}

/** A quantity, in thousandths, that makes sense for the unit. */
export const quantityFor = (rng: Rng, unit: string): number => {
  switch (unit) {
    case "мл":
      return rng.int(1, 50) * 100 // 0.1 .. 5 ml
    case "кг":
      return rng.int(2, 12) * 250 // 0.5 .. 3 kg
    case "таб.":
      return rng.chance(0.2) ? 500 : rng.int(1, 20) * 1000 // half a tablet, or whole tablets
    case "усл.":
      return rng.chance(0.9) ? 1000 : 2000
    default:
      return rng.int(1, 3) * 1000
  }
}
