import { describe, expect, it } from "vitest"
import { useTestDatabase } from "@vetsync/db/testing"
import { appointmentsPerVetDay, revenuePerDay, revenuePerService, revenuePerVet } from "../src/queries/reports.js"

/** The reporting views (migration 0004) through the bridge's report queries. */
const db = useTestDatabase()

describe("reports", () => {
  it("reporting views answer", async () => {
    await db.pool.query("INSERT INTO clinics (id) VALUES ('c1')")
    await db.pool.query(
      "INSERT INTO clients (id, clinic_id, name) VALUES ('00000000-0000-4000-8000-000000000001', 'c1', 'A')",
    )
    const client = await db.pool.connect()
    await client.query("BEGIN")
    await client.query(
      `INSERT INTO invoices (id, clinic_id, number, client_id, vet, issued_at, status, total_kopecks, created_at, updated_at, created_by, updated_by)
       VALUES ('00000000-0000-4000-8000-0000000000a1', 'c1', 'N-1', '00000000-0000-4000-8000-000000000001', 'Dr. A',
               '2026-11-20T10:00:00Z', 'paid', 2500, now(), now(), 'd', 'd'),
              ('00000000-0000-4000-8000-0000000000a2', 'c1', 'N-2', '00000000-0000-4000-8000-000000000001', 'Dr. A',
               '2026-11-20T12:00:00Z', 'void', 9999, now(), now(), 'd', 'd')`,
    )
    await client.query(
      `INSERT INTO invoice_items VALUES
         ('00000000-0000-4000-8000-0000000000a1', 0, 'l1', 'i1', 'VAC', 'Vaccination', 'service', 1000, 2500, 2500),
         ('00000000-0000-4000-8000-0000000000a2', 0, 'l2', 'i1', 'VAC', 'Vaccination', 'service', 9999, 1000, 9999)`,
    )
    await client.query("COMMIT")
    client.release()
    expect(await revenuePerDay(db.pool, "c1", "2026-11-01", "2026-12-01")).toEqual([
      { day: "2026-11-20", invoices: 1, revenue_kopecks: 2500 },
    ])
    expect(await revenuePerVet(db.pool, "c1")).toEqual([{ vet: "Dr. A", invoices: 1, revenue_kopecks: 2500 }])
    expect((await revenuePerService(db.pool, "c1")).map(r => [r.code, Number(r.quantity), r.revenue_kopecks])).toEqual([
      ["VAC", 2.5, 2500],
    ])
    expect(await appointmentsPerVetDay(db.pool, "c1")).toEqual([])
  })
})
