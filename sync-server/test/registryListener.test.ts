import * as path from "node:path"
import { Database, loadMigrations } from "@vetsync/db"
import { useTestDatabase } from "@vetsync/db/testing"
import { eventually } from "@vetsync/test-kit"
import { describe, expect, it } from "vitest"
import type { Revoked } from "../src/Authenticator.js"
import { PgAuthenticator } from "../src/registry/PgAuthenticator.js"
import { clinicAdd, deskAdd, deskRevoke } from "../src/registry/commands.js"

/** An empty database: the relay migrates it itself. */
const db = useTestDatabase({ prefix: "registry-listener", migrate: false })

describe("the relay's registry on its own database", () => {
  it("a relay started first on an empty database migrates it, while a bridge starts at the same time", async () => {
    const [auth, bridgeDb] = await Promise.all([
      PgAuthenticator.start({ databaseUrl: db.url }),
      Database.open({ dataDir: path.join(db.dir, "bridge"), databaseUrl: db.url }),
    ])
    try {
      expect(await auth.ready()).toEqual({ ok: true })
      const { rows } = await db.pool.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version")
      expect(rows.map(r => r.version)).toEqual((await loadMigrations()).map(m => m.version))
    } finally {
      await bridgeDb.close()
      await auth.close()
    }
  })

  it("after its listening connection is killed, it comes back and reports what was revoked and added meanwhile", async () => {
    const logs: string[] = []
    const auth = await PgAuthenticator.start({ databaseUrl: db.url, log: l => logs.push(l) })
    const revoked: Revoked[] = []
    const clinics: string[] = []
    auth.onRevoked(who => revoked.push(who))
    auth.onClinic(id => clinics.push(id))
    try {
      await clinicAdd(db.pool, "L", "Clinic L")
      await deskAdd(db.pool, { clinicId: "L", deskId: "l-front" })
      await eventually("the new clinic to be heard", () => clinics.includes("L"), 10_000)
      const { rows } = await db.pool.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
         WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`,
      )
      expect(rows).toHaveLength(1)
      await db.pool.query("SELECT pg_terminate_backend($1)", [rows[0]!.pid])
      await eventually("the loss to be logged", () => logs.some(l => l.startsWith("registry listener lost")), 10_000)
      expect(await deskRevoke(db.pool, "l-front")).toBe(true)
      clinics.length = 0
      // the revocation arrives by NOTIFY, or (made while nobody listened) from the table on reconnect;
      // the clinics are listed again on reconnect only
      await eventually("the revocation", () => revoked.some(r => r.role === "desk" && r.id === "l-front"), 20_000)
      await eventually("the clinics listed again after the reconnect", () => clinics.includes("L"), 20_000)
    } finally {
      await auth.close()
    }
  })
})
