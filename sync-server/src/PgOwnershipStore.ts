import type pg from "pg"
import type { OwnershipState, OwnershipStore } from "./OwnershipStore.js"

/**
 * Ownership shared by every relay on one PostgreSQL (migration 0019: relay_clinics,
 * relay_doc_owners), for VETSYNC_RELAY_STORAGE=postgres. Each save is one statement per table;
 * the first claim of a document stored wins (ON CONFLICT DO NOTHING) and every relay reads that
 * one back. The pool is the caller's (closed by whoever opened it).
 */
export class PgOwnershipStore implements OwnershipStore {
  readonly where = "PostgreSQL (relay_clinics, relay_doc_owners)"
  readonly #pool: pg.Pool

  constructor(pool: pg.Pool) {
    this.#pool = pool
  }

  async load(): Promise<OwnershipState> {
    const clinics = await this.#pool.query<{ clinic_id: string }>("SELECT clinic_id FROM relay_clinics ORDER BY clinic_id")
    const owners = await this.#pool.query<{ doc_id: string; clinic_id: string }>(
      "SELECT doc_id, clinic_id FROM relay_doc_owners",
    )
    return {
      clinics: clinics.rows.map(r => r.clinic_id),
      owners: Object.fromEntries(owners.rows.map(r => [r.doc_id, r.clinic_id])),
    }
  }

  async save(clinics: readonly string[], claims: ReadonlyMap<string, string>): Promise<Map<string, string>> {
    if (clinics.length > 0)
      await this.#pool.query(
        "INSERT INTO relay_clinics (clinic_id) SELECT unnest($1::text[]) ON CONFLICT (clinic_id) DO NOTHING",
        [clinics],
      )
    const stored = new Map<string, string>()
    if (claims.size === 0) return stored
    const ids = [...claims.keys()]
    await this.#pool.query(
      `INSERT INTO relay_doc_owners (doc_id, clinic_id) SELECT * FROM unnest($1::text[], $2::text[])
       ON CONFLICT (doc_id) DO NOTHING`,
      [ids, ids.map(id => claims.get(id) ?? "")],
    )
    const { rows } = await this.#pool.query<{ doc_id: string; clinic_id: string }>(
      "SELECT doc_id, clinic_id FROM relay_doc_owners WHERE doc_id = ANY($1::text[])",
      [ids],
    )
    for (const r of rows) stored.set(r.doc_id, r.clinic_id)
    return stored
  }

  close(): Promise<void> {
    return Promise.resolve()
  }
}
