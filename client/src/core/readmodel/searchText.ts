import { phoneKey, phoneSearchText } from "@vetsync/shared"

/** Lower case with ё folded into е: staff type "Федоров" for "Фёдоров" and "ёж" as "еж". */
export const fold = (text: string): string => text.toLowerCase().replace(/ё/g, "е")

/** A name as the index keeps it: folded, words separated by one space ("фёдорова  анна " -> "федорова анна"). */
export const nameKey = (name: string): string => fold(name).trim().replace(/\s+/g, " ")

/**
 * Ends the name in a search body: ranking reads the name from the body (no row of clients per
 * match), and nothing staff type contains it, so no match spans the name and what follows.
 */
export const NAME_END = "\u001f"

/**
 * One client's search text: the name (as nameKey), NAME_END, then the phone's digit forms, e-mail,
 * pet names and chips, folded. Bodies sort as their clients' names do.
 */
export const searchBody = (
  name: string,
  phone: string,
  email: string,
  pets: readonly { name: string; chip: string }[],
): string =>
  `${nameKey(name)}${NAME_END}${fold([phoneSearchText(phone), email, ...pets.map(p => `${p.name} ${p.chip}`)].join(" "))}`

/** What staff typed, read as a search. */
export type ParsedSearch =
  | { kind: "empty" }
  /** digits and separators: `digits` are found anywhere in a phone; `exact` is the canonical number, if it is one */
  | { kind: "phone"; digits: string; exact: string }
  /**
   * words: `prefix` is all of them as a name starts ("кузнецов але"), `words` each folded; `fts`
   * is the trigram query of the words of 3 letters or more, `likes` the shorter ones
   */
  | { kind: "text"; prefix: string; words: string[]; fts: string | null; likes: string[] }

const PHONE_LIKE = /^\+?[\d\s()\-.]+$/

/** Reads a query: a phone (exact and partial) or words (trigram query and short words). */
export const parseSearch = (query: string): ParsedSearch => {
  const q = nameKey(query)
  if (q === "") return { kind: "empty" }
  if (PHONE_LIKE.test(q) && /\d/.test(q)) return { kind: "phone", digits: q.replace(/\D/g, ""), exact: phoneKey(query) }
  const words = q.split(" ")
  const long = words.filter(t => [...t].length >= 3)
  return {
    kind: "text",
    prefix: q,
    words,
    fts: long.length ? long.map(t => `"${t.replace(/"/g, '""')}"`).join(" AND ") : null,
    likes: words.filter(t => [...t].length < 3),
  }
}

/** The end of the range of keys that start with `prefix` (for `key >= prefix AND key < end`). */
export const prefixEnd = (prefix: string): string => `${prefix}\uffff`

/** `text` for a LIKE pattern with `\` as the escape character: % and _ match only themselves. */
export const likeEscaped = (text: string): string => text.replace(/[\\%_]/g, c => `\\${c}`)
