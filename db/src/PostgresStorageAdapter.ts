import type { Chunk, StorageAdapterInterface, StorageKey } from "@automerge/automerge-repo"
import type pg from "pg"

const SEP = "/"

/** A key's parts joined by "/": a part may not be empty, nor contain "/" (the filesystem's rule too). */
export const joinStorageKey = (key: StorageKey): string => {
  for (const part of key)
    if (part === "" || part.includes(SEP)) throw new Error(`invalid storage key part: ${JSON.stringify(part)}`)
  return key.join(SEP)
}

/** A LIKE pattern matching exactly `text` followed by anything: `\`, `%` and `_` in it are escaped. */
export const likePrefix = (text: string): string => `${text.replace(/[\\%_]/g, c => `\\${c}`)}${SEP}%`

const bytes = (b: Buffer): Uint8Array => new Uint8Array(b)

/**
 * automerge-repo storage (StorageAdapterInterface) in PostgreSQL: one row per chunk in
 * automerge_chunks (migration 0016), so every relay on the same database sees the same documents.
 * Each call is one statement, so it is atomic and durable once it resolves (PostgreSQL commits
 * with fsync): a crash leaves the old chunk or the new one, never a torn one, and a loadRange
 * sees either every chunk a compaction left or the new snapshot with them, never a half.
 * Saves of the same key from several processes are upserts (chunk names are content hashes, so
 * they carry the same bytes); nothing is cached in memory. Prefix ranges match whole key parts:
 * ["ab"] never matches ["abc", ...], and `%`/`_` in a key are taken literally.
 */
export class PostgresStorageAdapter implements StorageAdapterInterface {
  readonly #pool: pg.Pool

  constructor(pool: pg.Pool) {
    this.#pool = pool
  }

  async load(key: StorageKey): Promise<Uint8Array | undefined> {
    const { rows } = await this.#pool.query<{ data: Buffer }>("SELECT data FROM automerge_chunks WHERE key = $1", [
      joinStorageKey(key),
    ])
    return rows[0] ? bytes(rows[0].data) : undefined
  }

  async save(key: StorageKey, data: Uint8Array): Promise<void> {
    await this.#pool.query(
      "INSERT INTO automerge_chunks (key, data) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET data = EXCLUDED.data",
      [joinStorageKey(key), Buffer.from(data.buffer, data.byteOffset, data.byteLength)],
    )
  }

  async remove(key: StorageKey): Promise<void> {
    await this.#pool.query("DELETE FROM automerge_chunks WHERE key = $1", [joinStorageKey(key)])
  }

  async loadRange(keyPrefix: StorageKey): Promise<Chunk[]> {
    const [where, params] = this.#range(keyPrefix)
    const { rows } = await this.#pool.query<{ key: string; data: Buffer }>(
      `SELECT key, data FROM automerge_chunks WHERE ${where} ORDER BY seq`,
      params,
    )
    return rows.map(r => ({ key: r.key.split(SEP), data: bytes(r.data) }))
  }

  async removeRange(keyPrefix: StorageKey): Promise<void> {
    const [where, params] = this.#range(keyPrefix)
    await this.#pool.query(`DELETE FROM automerge_chunks WHERE ${where}`, params)
  }

  /** Every stored key under the prefix (all of them for []), in save order, without the bytes. */
  async keys(keyPrefix: StorageKey = []): Promise<StorageKey[]> {
    const [where, params] = this.#range(keyPrefix)
    const { rows } = await this.#pool.query<{ key: string }>(
      `SELECT key FROM automerge_chunks WHERE ${where} ORDER BY seq`,
      params,
    )
    return rows.map(r => r.key.split(SEP))
  }

  /**
   * Every stored key of these documents (their first part), in save order: one statement, a range
   * of the primary key per document ('/' is followed by '0' in the "C" collation).
   */
  async keysOfDocuments(docIds: readonly string[]): Promise<StorageKey[]> {
    if (docIds.length === 0) return []
    for (const id of docIds) joinStorageKey([id])
    const { rows } = await this.#pool.query<{ key: string }>(
      `SELECT c.key FROM unnest($1::text[]) AS d(id)
         JOIN automerge_chunks c ON c.key >= d.id || '/' AND c.key < d.id || '0'
        ORDER BY c.seq`,
      [docIds],
    )
    return rows.map(r => r.key.split(SEP))
  }

  /** The key itself, or any key that continues it with more parts. */
  #range(keyPrefix: StorageKey): [string, string[]] {
    if (keyPrefix.length === 0) return ["true", []]
    const joined = joinStorageKey(keyPrefix)
    return ["(key = $1 OR key LIKE $2 ESCAPE '\\')", [joined, likePrefix(joined)]]
  }
}
