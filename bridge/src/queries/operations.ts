import type { Db } from "./Db.js"

/** Versions of the migrations applied to the database (schema_migrations, @vetsync/db's runner). */
export const appliedMigrations = async (db: Db): Promise<Set<number>> =>
  new Set((await db.query<{ version: number }>("SELECT version FROM schema_migrations")).rows.map(r => r.version))

/** What `/metrics` reads from PostgreSQL at each scrape, by clinic. */
export interface DatabaseFigures {
  /** records refused now (the rejections table, reported to the desks) */
  rejected: Map<string, number>
  /** valid records waiting for their client or patient (waiting_records) */
  waiting: Map<string, number>
  /** the web system's changes not brought into the documents yet, and the age of the oldest (s) */
  changeLog: Map<string, { pending: number; oldestSeconds: number }>
}

const byClinic = (rows: { clinic_id: string; n: number }[]): Map<string, number> =>
  new Map(rows.map(r => [r.clinic_id, Number(r.n)]))

export const databaseFigures = async (db: Db): Promise<DatabaseFigures> => {
  const rejected = await db.query<{ clinic_id: string; n: number }>(
    "SELECT clinic_id, count(*) AS n FROM rejections GROUP BY clinic_id",
  )
  const waiting = await db.query<{ clinic_id: string; n: number }>(
    "SELECT clinic_id, count(*) AS n FROM waiting_records GROUP BY clinic_id",
  )
  const pending = await db.query<{ clinic_id: string; n: number; oldest: number }>(
    `SELECT clinic_id, count(*) AS n, extract(epoch FROM now() - min(registered_at))::float8 AS oldest
     FROM change_log WHERE consumed_at IS NULL GROUP BY clinic_id`,
  )
  return {
    rejected: byClinic(rejected.rows),
    waiting: byClinic(waiting.rows),
    changeLog: new Map(
      pending.rows.map(r => [r.clinic_id, { pending: Number(r.n), oldestSeconds: Math.max(0, r.oldest) }]),
    ),
  }
}
