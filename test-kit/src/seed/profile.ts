import { accountWithKey, innControl, ogrnControl, type ClinicProfile } from "@vetsync/shared/schema"
import { Rng } from "./prng.js"

/**
 * Honest clinic requisites, generated: each value has valid control digits and they belong
 * together. What the profile's validator must take (its tests, `vetsync clinics set` tests, demos).
 */
export const sampleInn = (rng: Rng, kind: "organisation" | "entrepreneur"): string => {
  const first = `${rng.int(1, 9)}${rng.digits(kind === "organisation" ? 8 : 9)}`
  return first + innControl(first)
}

export const sampleOgrn = (rng: Rng, kind: "organisation" | "entrepreneur"): string => {
  const first = kind === "organisation" ? `${rng.pick(["1", "5"])}${rng.digits(11)}` : `3${rng.digits(13)}`
  return first + ogrnControl(first)
}

const KPP_REASON = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
export const sampleKpp = (rng: Rng): string =>
  `${rng.digits(4)}${rng.pick([...KPP_REASON])}${rng.pick([...KPP_REASON])}${rng.digits(3)}`

/** A credit institution's BIK (its last 3 digits 050-999). */
export const sampleBik = (rng: Rng): string => `04${rng.digits(4)}${String(rng.int(50, 999)).padStart(3, "0")}`

/** A bank's settlement account (or, `correspondent`, its correspondent account) with the key for `bik`. */
export const sampleAccount = (rng: Rng, bik: string, correspondent = false): string =>
  accountWithKey(
    correspondent ? `30101810${rng.digits(12)}` : `${rng.pick(["40702", "40802"])}810${rng.digits(12)}`,
    bik,
    correspondent,
  )

const ZONES = [
  "Europe/Moscow",
  "Asia/Vladivostok",
  "Europe/Kaliningrad",
  "Asia/Yekaterinburg",
  "Asia/Novosibirsk",
  "Europe/Samara",
]

/** A whole, consistent profile of an organisation (ООО) or an entrepreneur (ИП). */
export const sampleProfile = (
  seed: number | string,
  kind: "organisation" | "entrepreneur" = "organisation",
): ClinicProfile => {
  const rng = new Rng(seed, "profile")
  const bik = sampleBik(rng)
  const n = rng.int(1, 99)
  return {
    name: `Ветклиника «Айболит-${n}»`,
    legalName: kind === "organisation" ? `ООО «Айболит-${n}»` : `ИП Иванов Иван Иванович`,
    address: `г. Москва, ул. Лесная, д. ${n}`,
    phone: `+7 495 ${rng.digits(3)}-${rng.digits(2)}-${rng.digits(2)}`,
    inn: sampleInn(rng, kind),
    kpp: kind === "organisation" ? sampleKpp(rng) : "",
    ogrn: sampleOgrn(rng, kind),
    bankName: "ПАО Сбербанк",
    bik,
    account: sampleAccount(rng, bik),
    correspondentAccount: sampleAccount(rng, bik, true),
    timeZone: rng.pick(ZONES),
  }
}
