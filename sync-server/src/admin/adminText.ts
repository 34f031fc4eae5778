/**
 * Every string the admin page shows, in English and Russian: the one dictionary of the relay's
 * admin page (the desk's UI has its own). The language: `?lang=ru|en`, else the browser's
 * Accept-Language, else English.
 */
export type AdminLang = "en" | "ru"
export const ADMIN_LANGS: readonly AdminLang[] = ["en", "ru"]

export interface AdminText {
  /** the language's own name, for the switch link */
  name: string
  units: { s: string; min: string; h: string; d: string }
  ago: (duration: string) => string
  never: string
  title: string
  heading: string
  refreshes: string
  signOut: string
  flagged: (offline: string, waiting: string, clock: string) => string
  clinics: string
  noClinics: string
  noDesks: string
  summaryHead: readonly [string, string, string, string, string, string, string, string]
  deskHead: readonly [string, string, string, string, string, string, string, string, string]
  online: string
  offline: string
  state: (state: string) => string
  syncIn: string
  syncOut: string
  app: string
  schema: string
  flagOffline: (duration: string) => string
  flagSilent: string
  flagWaiting: (records: number, duration: string) => string
  flagClock: (offset: string) => string
  signInTitle: string
  signInHeading: string
  tokenLabel: string
  signIn: string
  tooMany: string
  wrongToken: string
  language: string
}

/** Russian plural: 1 запись, 2 записи, 5 записей. */
const ruPlural = (n: number, one: string, few: string, many: string): string => {
  const ten = n % 10
  const hundred = n % 100
  if (ten === 1 && hundred !== 11) return one
  if (ten >= 2 && ten <= 4 && (hundred < 12 || hundred > 14)) return few
  return many
}

export const ADMIN_TEXT: Record<AdminLang, AdminText> = {
  en: {
    name: "English",
    units: { s: "s", min: "min", h: "h", d: "d" },
    ago: d => `${d} ago`,
    never: "never",
    title: "VetSync relay: desks",
    heading: "VetSync relay: clinics and desks",
    refreshes: "refreshes every minute",
    signOut: "Sign out",
    flagged: (offline, waiting, clock) =>
      `Flagged: enrolled desks not heard from for ${offline}, records waiting for ${waiting}, clocks off by ${clock}. Online: reported within the last 150 s.`,
    clinics: "Clinics",
    noClinics: "No clinics in the registry.",
    noDesks: "No desks.",
    summaryHead: ["Clinic", "Desks", "Online", "Offline", "Pending", "Waiting", "Oldest waiting", "Attention"],
    deskHead: ["Desk", "State", "Last contact", "Waiting", "Oldest waiting", "Last sync", "Versions", "Clock", "Attention"],
    online: "online",
    offline: "offline",
    state: s => s,
    syncIn: "in",
    syncOut: "out",
    app: "app",
    schema: "schema",
    flagOffline: d => `offline for ${d}`,
    flagSilent: "enrolled, never heard from",
    flagWaiting: (n, d) => `${n} record${n === 1 ? "" : "s"} waiting for ${d}`,
    flagClock: o => `clock off by ${o}`,
    signInTitle: "VetSync relay: sign in",
    signInHeading: "VetSync relay administration",
    tokenLabel: "Admin token",
    signIn: "Sign in",
    tooMany: "Too many failed attempts: try again in a minute.",
    wrongToken: "That is not the admin token.",
    language: "Language",
  },
  ru: {
    name: "Русский",
    units: { s: "с", min: "мин", h: "ч", d: "д" },
    ago: d => `${d} назад`,
    never: "никогда",
    title: "Ретранслятор VetSync: рабочие места",
    heading: "Ретранслятор VetSync: клиники и рабочие места",
    refreshes: "обновляется каждую минуту",
    signOut: "Выйти",
    flagged: (offline, waiting, clock) =>
      `Отмечаются: рабочие места, не выходившие на связь дольше ${offline}; записи, ждущие отправки дольше ${waiting}; часы, расходящиеся на ${clock} и больше. В сети: отчёт за последние 150 с.`,
    clinics: "Клиники",
    noClinics: "В реестре нет клиник.",
    noDesks: "Нет рабочих мест.",
    summaryHead: ["Клиника", "Места", "В сети", "Не в сети", "Ожидают", "Записей ждёт", "Ждёт дольше всех", "Внимание"],
    deskHead: [
      "Место",
      "Состояние",
      "Последняя связь",
      "Записей ждёт",
      "Ждёт дольше всех",
      "Последняя синхронизация",
      "Версии",
      "Часы",
      "Внимание",
    ],
    online: "в сети",
    offline: "не в сети",
    state: s =>
      ({ pending: "ожидает регистрации", expired: "токен истёк", revoked: "отозвано", enrolled: "зарегистрировано" })[s] ?? s,
    syncIn: "приём",
    syncOut: "отправка",
    app: "приложение",
    schema: "схема",
    flagOffline: d => `не на связи ${d}`,
    flagSilent: "зарегистрировано, ни разу не выходило на связь",
    flagWaiting: (n, d) =>
      `${n} ${ruPlural(n, "запись ждёт", "записи ждут", "записей ждут")} отправки ${d}`,
    flagClock: o => `часы расходятся на ${o}`,
    signInTitle: "Ретранслятор VetSync: вход",
    signInHeading: "Администрирование ретранслятора VetSync",
    tokenLabel: "Токен администратора",
    signIn: "Войти",
    tooMany: "Слишком много неудачных попыток: повторите через минуту.",
    wrongToken: "Это не токен администратора.",
    language: "Язык",
  },
}

const isLang = (s: string | null | undefined): s is AdminLang => s === "en" || s === "ru"

/**
 * The page's language: `?lang=` when it names one, else the first of Accept-Language's languages
 * (by q) that the page speaks, else English.
 */
export const adminLangOf = (query: string | null, acceptLanguage: string | undefined): AdminLang => {
  if (isLang(query)) return query
  const ranked = (acceptLanguage ?? "")
    .split(",")
    .map((part, i) => {
      const [tag = "", ...params] = part.trim().split(";")
      const q = params.map(p => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(v => v !== undefined)
      return { lang: tag.trim().toLowerCase().split("-")[0] ?? "", q: q === undefined ? 1 : Number(q), i }
    })
    .filter(l => l.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
  return ranked.map(l => l.lang).find(isLang) ?? "en"
}
