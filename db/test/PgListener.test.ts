import { eventually } from "@vetsync/test-kit"
import { describe, expect, it } from "vitest"
import { PgListener } from "../src/PgListener.js"
import { useTestDatabase } from "../src/testing.js"

const db = useTestDatabase({ migrate: false })

/** The backends of this database's LISTENing connections (their last statement was a LISTEN). */
const listening = async (): Promise<number[]> =>
  (
    await db.pool.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity
       WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`,
    )
  ).rows.map(r => r.pid)

describe("PgListener", () => {
  it("hears its channels; when its connection is killed it says so, comes back, LISTENs again and says that too", async () => {
    const heard: string[] = []
    const lost: string[] = []
    let reconnects = 0
    const listener = new PgListener(db.url, {
      onLost: why => lost.push(why),
      onReconnect: () => reconnects++,
      unref: true,
    })
      .on("vetsync_test_a", payload => heard.push(`a:${payload}`))
      .on("vetsync_test_b", payload => heard.push(`b:${payload}`))
    await listener.start()
    try {
      await db.pool.query("NOTIFY vetsync_test_a, 'one'")
      await eventually("the first notification", () => heard.includes("a:one"), 10_000)
      const [pid] = await listening()
      expect(pid).toBeDefined()
      await db.pool.query("SELECT pg_terminate_backend($1)", [pid])
      await eventually("the listener to come back", () => reconnects === 1, 20_000)
      expect(lost).toHaveLength(1)
      expect(await listening()).not.toContain(pid)
      await db.pool.query("NOTIFY vetsync_test_b, 'two'")
      await eventually("a notification after the reconnect", () => heard.includes("b:two"), 10_000)
      expect(heard).toEqual(["a:one", "b:two"])
    } finally {
      await listener.stop()
    }
    expect(await listening()).toEqual([])
  })

  it("stopped while it waits to reconnect, it leaves no connection", async () => {
    let lost = 0
    const listener = new PgListener(db.url, { onLost: () => lost++ }).on("vetsync_test_c", () => undefined)
    await listener.start()
    const [pid] = await listening()
    await db.pool.query("SELECT pg_terminate_backend($1)", [pid])
    await eventually("the loss to be noticed", () => lost === 1, 10_000)
    await listener.stop()
    expect(await listening()).toEqual([])
  })

  it("a start that cannot connect throws", async () => {
    const listener = new PgListener(db.url.replace(/\/[^/]*$/, "/no_such_database"))
    await expect(listener.start()).rejects.toThrow(/no_such_database/)
    await listener.stop()
  })
})
