import type { Db } from "./Db.js"

export interface ImportRequest {
  id: number
  clinic_id: string
  finished_at: Date | null
  result: unknown
  error: string | null
}

export const requestImport = async (db: Db, clinicId: string): Promise<number> =>
  Number(
    (await db.query<{ id: number }>("INSERT INTO import_requests (clinic_id) VALUES ($1) RETURNING id", [clinicId]))
      .rows[0]?.id,
  )

export const pendingImports = async (db: Db): Promise<ImportRequest[]> =>
  (await db.query<ImportRequest>("SELECT * FROM import_requests WHERE finished_at IS NULL ORDER BY id")).rows

export const finishImport = async (
  db: Db,
  id: number,
  outcome: { result?: unknown; error?: string },
): Promise<void> => {
  await db.query("UPDATE import_requests SET finished_at = now(), result = $2, error = $3 WHERE id = $1", [
    id,
    outcome.result === undefined ? null : JSON.stringify(outcome.result),
    outcome.error ?? null,
  ])
}

export const importRequest = async (db: Db, id: number): Promise<ImportRequest | undefined> =>
  (await db.query<ImportRequest>("SELECT * FROM import_requests WHERE id = $1", [id])).rows[0]
