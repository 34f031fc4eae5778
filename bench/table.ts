/** Rows of benchmark results and how they are printed (GitHub-flavoured markdown tables). */

export type Cell = string | number | boolean | null | undefined
/** One line of a result table: column name -> value. Columns appear in first-seen order. */
export type Row = Record<string, Cell>

const text = (cell: Cell): string => {
  if (cell === null || cell === undefined) return ""
  if (typeof cell === "number") return Number.isInteger(cell) ? cell.toLocaleString("en-US") : cell.toFixed(2)
  return String(cell).replace(/\|/g, "\\|").replace(/\n/g, " ")
}

const isNumeric = (rows: readonly Row[], column: string): boolean =>
  rows.some(r => typeof r[column] === "number") && rows.every(r => r[column] == null || typeof r[column] === "number")

/** A markdown table of `rows`; numeric columns are right-aligned. */
export const markdownTable = (rows: readonly Row[], columns?: readonly string[]): string => {
  const cols = columns ?? [...new Set(rows.flatMap(r => Object.keys(r)))]
  if (cols.length === 0) return "_(no results)_"
  const cells = rows.map(r => cols.map(c => text(r[c])))
  const widths = cols.map((c, i) => Math.max(3, c.length, ...cells.map(row => (row[i] ?? "").length)))
  const right = cols.map(c => isNumeric(rows, c))
  const pad = (s: string, i: number): string => (right[i] ? s.padStart(widths[i] ?? 3) : s.padEnd(widths[i] ?? 3))
  const line = (values: readonly string[]): string => `| ${values.map(pad).join(" | ")} |`
  const rule = `|${widths.map((w, i) => (right[i] ? `${"-".repeat(w + 1)}:` : `${"-".repeat(w + 2)}`)).join("|")}|`
  return [line(cols), rule, ...cells.map(line)].join("\n")
}

/** 1234.5 -> "1.23 s", 12.3 -> "12.3 ms", 0.0123 -> "12.3 µs" */
export const formatMs = (ms: number): string => {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`
  if (ms >= 1) return `${ms.toFixed(ms >= 100 ? 0 : 1)} ms`
  return `${(ms * 1000).toFixed(1)} µs`
}

/** 1536 -> "1.5 KiB" */
export const formatBytes = (bytes: number): string => {
  const units = ["B", "KiB", "MiB", "GiB"]
  let v = bytes
  let u = 0
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024
    u++
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`
}
