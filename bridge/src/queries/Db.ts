import pg from "pg"

// bigint (count, sum, kopecks) as JS numbers: totals stay far below 2^53
pg.types.setTypeParser(20, v => Number(v))
// dates as YYYY-MM-DD text, not local-time Date objects
pg.types.setTypeParser(1082, v => v)

/** Anything that runs a parameterised query: a pool, a pooled client in a transaction. */
export type Db = Pick<pg.PoolClient, "query">

/** Runs `fn` in a transaction marked as the bridge's own write (the change triggers skip it). */
export const inBridgeTransaction = async <T>(pool: pg.Pool, fn: (db: pg.PoolClient) => Promise<T>): Promise<T> => {
  const client = await pool.connect()
  try {
    await client.query("BEGIN")
    await client.query("SET LOCAL vetsync.origin = 'bridge'")
    const result = await fn(client)
    await client.query("COMMIT")
    return result
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {})
    throw e
  } finally {
    client.release()
  }
}

/** Runs `fn` inside a savepoint: on error the transaction continues as before the call. */
export const inSavepoint = async <T>(db: Db, fn: () => Promise<T>): Promise<T> => {
  await db.query("SAVEPOINT vetsync_sp")
  try {
    const result = await fn()
    await db.query("RELEASE SAVEPOINT vetsync_sp")
    return result
  } catch (e) {
    await db.query("ROLLBACK TO SAVEPOINT vetsync_sp")
    await db.query("RELEASE SAVEPOINT vetsync_sp")
    throw e
  }
}

/**
 * Runs `fn` inside a savepoint that is always rolled back: a trial write that leaves nothing
 * (constraint modes set inside it are undone too). Throws what `fn` threw.
 */
export const inTrial = async (db: Db, fn: () => Promise<unknown>): Promise<void> => {
  await db.query("SAVEPOINT vetsync_trial")
  try {
    await fn()
  } finally {
    await db.query("ROLLBACK TO SAVEPOINT vetsync_trial")
    await db.query("RELEASE SAVEPOINT vetsync_trial")
  }
}
