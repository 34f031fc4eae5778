/**
 * Who made an Automerge change, carried in the change's message so that a record's history can
 * be read back from the documents' own change history (issue 11, point 5). Desks write
 * `{"v":1,"desk":…,"staff":…,"cmd":…}`; the bridge, import and genesis write plain text, which
 * reads back as no author.
 */
export interface ChangeAuthor {
  /** the desk's id ("front-1"); "" when unknown */
  desk: string
  /** the signed-in staff member's id; "" when nobody was signed in */
  staff: string
  /** the desk command that made the change ("clients.update"), "" when none */
  cmd: string
}

export const encodeChangeMessage = (a: ChangeAuthor): string =>
  JSON.stringify({ v: 1, desk: a.desk, staff: a.staff, cmd: a.cmd })

const str = (v: unknown): string => (typeof v === "string" ? v : "")

/** The author a change's message names, or null for a message that is not a desk's (or none). */
export const decodeChangeMessage = (message: string | null | undefined): ChangeAuthor | null => {
  if (!message || message[0] !== "{") return null
  try {
    const o = JSON.parse(message) as Record<string, unknown>
    if (o.v !== 1) return null
    return { desk: str(o.desk), staff: str(o.staff), cmd: str(o.cmd) }
  } catch {
    return null
  }
}
