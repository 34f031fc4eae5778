import type pg from "pg"
import type { EditTable, RowCheck } from "./DeskEdits.js"

const TABLES: readonly EditTable[] = ["clients", "patients", "appointments", "invoices"]
const COLUMNS = ["phone", "name", "status"] as const

/** Whether PostgreSQL shows what edits wrote: one row, or all of many at once. */
export class PgRows {
  readonly #pool: pg.Pool

  constructor(pool: pg.Pool) {
    this.#pool = pool
  }

  /** The row is there (and for an update its column holds the new value). */
  async shows(c: RowCheck): Promise<boolean> {
    const sql = c.column
      ? `SELECT 1 FROM ${c.table} WHERE id::text = $1 AND ${c.column} = $2`
      : `SELECT 1 FROM ${c.table} WHERE id::text = $1`
    const r = await this.#pool.query(sql, c.column ? [c.id, c.value] : [c.id])
    return (r.rowCount ?? 0) > 0
  }

  /**
   * How many of the checks PostgreSQL shows, at the final state: for a field updated several times
   * only its last value counts (it is there only if the earlier ones came through before it).
   */
  async count(checks: readonly RowCheck[]): Promise<{ shown: number; wanted: number }> {
    const last = new Map<string, RowCheck>()
    for (const c of checks) last.set(`${c.table}/${c.id}/${c.column ?? ""}`, c)
    let shown = 0
    for (const table of TABLES)
      for (const column of [undefined, ...COLUMNS]) {
        const group = [...last.values()].filter(c => c.table === table && c.column === column)
        if (group.length === 0) continue
        const on = column ? `t.id::text = u.id AND t.${column} = u.v` : "t.id::text = u.id"
        const r = await this.#pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${table} t JOIN unnest($1::text[], $2::text[]) AS u(id, v) ON ${on}`,
          [group.map(c => c.id), group.map(c => c.value ?? "")],
        )
        shown += r.rows[0]?.n ?? 0
      }
    return { shown, wanted: last.size }
  }
}
