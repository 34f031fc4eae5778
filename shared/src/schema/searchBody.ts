import { phoneSearchText } from "./phone.js"
import type { Client, Patient } from "./records.js"

/**
 * A client's search body: the text a desk's trigram index holds for the client (its read model's
 * client_search). Made here, not only on the desk, so that the relay ships it in the snapshot and a
 * new desk indexes it as it is instead of making 62,000 of them (SnapshotRecords.search).
 */

/** Which way searchBody makes a body: a desk takes shipped bodies only of its own version (else it makes them). */
export const SEARCH_BODY_VERSION = 1

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

/** The name a body starts with (nameKey of its client's name). */
export const nameOfBody = (body: string): string => {
  const end = body.indexOf(NAME_END)
  return end === -1 ? body : body.slice(0, end)
}

/**
 * The search body of each client of one document (a client shard, whose patients are its
 * clients'), in the clients' order: its pets are its live patients there, in their order; a
 * deleted client has none ("").
 */
export const searchBodiesOf = (clients: readonly Client[], patients: readonly Patient[]): string[] => {
  const pets = new Map<string, Patient[]>()
  for (const p of patients)
    if (!p.deleted) {
      const list = pets.get(p.clientId)
      if (list) list.push(p)
      else pets.set(p.clientId, [p])
    }
  return clients.map(c => (c.deleted ? "" : searchBody(c.name, c.phone, c.email, pets.get(c.id) ?? [])))
}
