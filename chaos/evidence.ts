import { readFileSync } from "node:fs"
import { basename } from "node:path"

const read = (file: string): string[] => {
  try {
    return readFileSync(file, "utf8").split("\n")
  } catch {
    return []
  }
}

/** The relay's refusals of desks and services (every peer of a chaos run is honest). */
export const refusals = (relayLog: string): string[] => read(relayLog).filter(l => /refusing (desk|service):/.test(l))

/** Up to `max` lines of the logs that mention `needle`, as "file:line: text". */
export const mentions = (files: readonly string[], needle: string, max = 4): string[] => {
  const out: string[] = []
  for (const f of files)
    read(f).forEach((l, i) => {
      if (out.length < max && l.includes(needle)) out.push(`${basename(f)}:${i + 1}: ${l.slice(0, 300)}`)
    })
  return out
}

const TROUBLE = /error|unhandled|refus|not ready|violates|exception|fail|UNEXPECTED|could not|was empty|dropped|unavailable|stalled/i

/** Seconds of the day of a log line's "HH:MM:SS.mmm " prefix (SupervisedProcess writes it), or undefined. */
const secondsOf = (line: string): number | undefined => {
  const m = /^(\d\d):(\d\d):(\d\d\.\d{3}) /.exec(line)
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3]) : undefined
}

/** Lines of one log within `ms` of an ISO time (UTC), as "file:line: text". */
export const around = (file: string, iso: string, ms = 3000, max = 10): string[] => {
  const t = Date.parse(iso)
  if (Number.isNaN(t)) return []
  const d = new Date(t)
  const at = d.getUTCHours() * 3600 + d.getUTCMinutes() * 60 + d.getUTCSeconds() + d.getUTCMilliseconds() / 1000
  const out: string[] = []
  read(file).forEach((l, i) => {
    const s = secondsOf(l)
    if (s !== undefined && Math.abs(s - at) * 1000 <= ms && out.length < max) out.push(`${basename(file)}:${i + 1}: ${l.slice(0, 300)}`)
  })
  return out
}

/** Lines that look like trouble, grouped by their shape (ids and numbers blanked), most frequent first. */
export const troubleSummary = (files: readonly string[], max = 25): string[] => {
  const groups = new Map<string, { n: number; first: string }>()
  for (const f of files)
    read(f).forEach((l, i) => {
      if (!TROUBLE.test(l)) return
      const shape = l
        .replace(/[0-9a-f]{8}-[0-9a-f-]{27}/gi, "<uuid>")
        .replace(/\b[0-9A-Za-z]{20,}\b/g, "<id>")
        .replace(/\d+/g, "N")
        .slice(0, 160)
      const g = groups.get(`${basename(f)}|${shape}`) ?? { n: 0, first: `${basename(f)}:${i + 1}: ${l.slice(0, 300)}` }
      g.n++
      groups.set(`${basename(f)}|${shape}`, g)
    })
  return [...groups.values()]
    .sort((a, b) => b.n - a.n)
    .slice(0, max)
    .map(g => `${String(g.n).padStart(5)} × ${g.first}`)
}
