import { nameKey, phoneKey } from "@vetsync/shared"

// a client's search body is made in @vetsync/shared (the relay ships it in the snapshot)
export { fold, nameKey, NAME_END, searchBody } from "@vetsync/shared"

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
