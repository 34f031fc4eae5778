/**
 * The plural form a count takes. Russian has three for whole numbers: one (1, 21, 101: «год»),
 * few (2–4, 22–24: «года») and many (0, 5–20, 25–30, 11–14: «лет»); English has one (1) and the
 * rest, which the dictionaries spell under "few" and "many" alike.
 */
export type PluralForm = "one" | "few" | "many"

export const pluralForm = (lang: "ru" | "en", n: number): PluralForm => {
  const whole = Math.abs(Math.trunc(n))
  if (lang === "en") return n === 1 ? "one" : "many"
  if (whole !== Math.abs(n)) return "few" // fractions: «1,5 года»
  const last = whole % 10
  const lastTwo = whole % 100
  if (last === 1 && lastTwo !== 11) return "one"
  if (last >= 2 && last <= 4 && (lastTwo < 12 || lastTwo > 14)) return "few"
  return "many"
}
