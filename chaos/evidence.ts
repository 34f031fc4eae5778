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

const TROUBLE = /error|unhandled|refus|not ready|violates|exception|failed|UNEXPECTED|could not/i

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
