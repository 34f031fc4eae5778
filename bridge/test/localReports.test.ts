import { randomUUID } from "node:crypto"
import { cp, mkdtemp, readdir } from "node:fs/promises"
import { join } from "node:path"
import { tmpdir } from "node:os"
import { describe, expect, it } from "vitest"
import { MIGRATIONS_DIR, migrate } from "@vetsync/db"
import { appointmentsPerVetDay, revenuePerDay } from "../src/queries/reports.js"
import { useTestDatabase } from "@vetsync/db/testing"

/**
 * Migrations 0009-0011 on a database that already has desks and records: desks registered before
 * get codes D1, D2 ... per clinic in the order they were added, and the reports count each
 * clinic's own calendar days (its profile's time zone, Europe/Moscow while it names none).
 */
const db = useTestDatabase({ migrate: false })
/** the first of this migrations: desk codes, then clinic profiles, then local reports */
const DESK_CODES = 9

describe("migrations onto a clinic's existing data", () => {
  it("gives desks registered before codes D1, D2 ... in each clinic, in the order they were added", async () => {
    const before = await mkdtemp(join(tmpdir(), "vetsync-migrations-"))
    for (const f of await readdir(MIGRATIONS_DIR))
      if (Number(f.slice(0, 4)) < DESK_CODES) await cp(join(MIGRATIONS_DIR, f), join(before, f))
    await migrate(db.pool, before)
    await db.pool.query("INSERT INTO clinics (id) VALUES ('msk'), ('vvo'), ('none')")
    for (const [desk, clinic, at] of [
      ["m-second", "msk", "2026-10-02"],
      ["m-first", "msk", "2026-10-01"],
      ["v-only", "vvo", "2026-10-03"],
    ]) {
      await db.pool.query("INSERT INTO desks (id, clinic_id) VALUES ($1, $2)", [desk, clinic])
      await db.pool.query("INSERT INTO desk_credentials (desk_id, clinic_id, created_at) VALUES ($1, $2, $3)", [
        desk,
        clinic,
        at,
      ])
    }
    expect((await migrate(db.pool)).slice(0, 3)).toEqual([DESK_CODES, DESK_CODES + 1, DESK_CODES + 2])
    const codes = (await db.pool.query("SELECT desk_id, code FROM desk_credentials ORDER BY desk_id")).rows
    expect(codes).toEqual([
      { desk_id: "m-first", code: "D1" },
      { desk_id: "m-second", code: "D2" },
      { desk_id: "v-only", code: "D1" },
    ])
  })

  it("counts revenue and appointments by the clinic's local day: Moscow 00:00-02:59, Vladivostok 08:00-09:59", async () => {
    await db.pool.query(
      "INSERT INTO clinic_profiles (clinic_id, time_zone) VALUES ('msk', 'Europe/Moscow'), ('vvo', 'Asia/Vladivostok')",
    )
    for (const clinic of ["msk", "vvo", "none"]) {
      const [client, patient] = [randomUUID(), randomUUID()]
      await db.pool.query("INSERT INTO clients (id, clinic_id, name) VALUES ($1, $2, 'A')", [client, clinic])
      await db.pool.query(
        "INSERT INTO patients (id, clinic_id, client_id, name, species) VALUES ($1, $2, $3, 'P', 'cat')",
        [patient, clinic, client],
      )
      // UTC instants: 21:30 on the 30th is 00:30 on the 1st in Moscow; 22:30 is 08:30 on the 1st in Vladivostok
      const at = {
        msk: ["2026-11-30T21:30:00Z", "2026-11-30T20:59:00Z"],
        vvo: ["2026-11-30T22:30:00Z", "2026-11-30T13:59:00Z"],
        none: ["2026-11-30T23:59:00Z", "2026-11-30T20:00:00Z"],
      }[clinic]!
      for (const issued of at) {
        const id = randomUUID()
        // an invoice and its line in one statement: the deferred total check sees both
        await db.pool.query(
          `WITH i AS (INSERT INTO invoices (id, clinic_id, number, client_id, issued_at, status, total_kopecks,
                        created_at, updated_at, created_by, updated_by)
                      VALUES ($1, $2, $5, $3, $4, 'issued', 1000, now(), now(), 'd', 'd') RETURNING id)
           INSERT INTO invoice_items SELECT i.id, 0, 'l', 'i', 'C', 'N', 'service', 1000, 1000, 1000 FROM i`,
          [id, clinic, client, issued, `N-${id}`],
        )
        await db.pool.query(
          `INSERT INTO appointments (clinic_id, client_id, patient_id, vet, starts_at, ends_at)
           VALUES ($1, $2, $3, 'Dr. A', $4, $4::timestamptz + interval '20 minutes')`,
          [clinic, client, patient, issued],
        )
      }
    }
    const days = async (clinic: string) =>
      (await revenuePerDay(db.pool, clinic, "2026-11-01", "2026-12-31")).map(r => [r.day, r.invoices])
    expect(await days("msk")).toEqual([
      ["2026-11-30", 1],
      ["2026-12-01", 1],
    ])
    expect(await days("vvo")).toEqual([
      ["2026-11-30", 1],
      ["2026-12-01", 1],
    ])
    // no profile: Moscow's days, like its desks
    expect(await days("none")).toEqual([
      ["2026-11-30", 1],
      ["2026-12-01", 1],
    ])
    expect((await appointmentsPerVetDay(db.pool, "vvo")).map(r => [r.day, r.appointments])).toEqual([
      ["2026-11-30", 1],
      ["2026-12-01", 1],
    ])
  })
})
