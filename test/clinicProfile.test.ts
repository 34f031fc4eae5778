import { randomUUID } from "node:crypto"
import { Repo } from "@automerge/automerge-repo"
import { clinicAdd, clinicSet } from "@vetsync/sync-server"
import { eventually } from "@vetsync/test-kit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { imm, profileOfDoc, recordToDoc, type AppointmentsDoc, type ProfileDoc, type RootDoc } from "@vetsync/shared"
import { sampleProfile } from "@vetsync/test-kit/seed"
import { Bridge, openDoc } from "@vetsync/bridge"
import { makeAppointment, makeClient, makePatient, put, readBack } from "@vetsync/bridge/test-helpers/records.js"
import { useTestDatabase } from "@vetsync/db/testing"

/**
 * The clinic profile: PostgreSQL is the master (`vetsync clinics set`), the bridge publishes it as
 * the server-owned `profile` document, and the clinic's time zone places the web system's new
 * appointments in their local month.
 */
const db = useTestDatabase()
const VVO = "clinic-vvo"

describe("clinic profile: PostgreSQL → the profile document", () => {
  let repo: Repo
  let bridge: Bridge
  const published = async () => profileOfDoc((await openDoc<ProfileDoc>(repo, VVO, "profile")).doc())

  beforeAll(async () => {
    repo = new Repo({ network: [] })
    await clinicAdd(db.pool, VVO, "Айболит")
    bridge = await Bridge.start({ dataDir: db.dir, databaseUrl: db.url, repo })
  })
  afterAll(async () => {
    await bridge.stop()
  })

  it("publishes a clinic without a profile as its name, then every field `clinics set` writes", async () => {
    expect(
      await eventually("the name to be published", async () => (await published())?.name === "Айболит", 20_000),
    ).toBe(true)
    expect((await published())?.timeZone).toBe("")
    const want = { ...sampleProfile(7), name: "Айболит-Восток", timeZone: "Asia/Vladivostok" }
    await clinicSet(db.pool, VVO, want)
    await eventually("the profile to be published", async () => (await published())?.inn === want.inn, 20_000)
    expect(await published()).toEqual(want)
    // a rename alone (clinics.name) is published too
    await db.pool.query("UPDATE clinics SET name = 'Айболит-ДВ' WHERE id = $1", [VVO])
    await eventually("the new name", async () => (await published())?.name === "Айболит-ДВ", 20_000)
  })

  it("overwrites a tampered desk's edit of the server-owned profile", async () => {
    const handle = await openDoc<ProfileDoc>(repo, VVO, "profile")
    handle.change(d => {
      d.profile.timeZone = imm("Europe/Moscow")
      ;(d.profile as Record<string, unknown>).stray = imm("x")
    })
    await eventually("the master's zone back", async () => (await published())?.timeZone === "Asia/Vladivostok", 20_000)
    expect(Object.keys(handle.doc().profile)).not.toContain("stray")
  })

  it("refuses in PostgreSQL a time zone it cannot count days in and malformed requisites", async () => {
    const row = (col: string, value: string) =>
      db.pool.query(`UPDATE clinic_profiles SET ${col} = $2 WHERE clinic_id = $1`, [VVO, value])
    await expect(row("time_zone", "Mars/Olympus")).rejects.toThrow(/clinic_profiles_time_zone_check/)
    await expect(row("inn", "12345")).rejects.toThrow(/clinic_profiles_inn_check/)
    await expect(row("account", "4070281000000000000x")).rejects.toThrow(/clinic_profiles_account_check/)
    await expect(row("kpp", "7736o1001")).rejects.toThrow(/clinic_profiles_kpp_check/)
    await expect(clinicSet(db.pool, VVO, { timeZone: "Mars/Olympus" })).rejects.toThrow(/IANA time zone/)
    // every zone the desks' Intl knows, PostgreSQL can count days in: no honest --tz is refused by the table
    const zones = [...Intl.supportedValuesOf("timeZone"), "UTC"]
    const unknown = await db.pool.query("SELECT tz FROM unnest($1::text[]) tz WHERE NOT vetsync_is_time_zone(tz)", [
      zones,
    ])
    expect(unknown.rows).toEqual([])
  })

  it("puts the web system's new appointment in its local month; an existing one stays in its document", async () => {
    const c = makeClient("desk-a")
    const p = makePatient(c.id, "desk-a")
    await put(repo, VVO, "clients", c)
    await put(repo, VVO, "patients", p)
    await bridge.idle()
    // 2026-12-01 08:30 in Vladivostok is 2026-11-30 22:30 UTC
    const fresh = randomUUID()
    await db.pool.query(
      `INSERT INTO appointments (id, clinic_id, client_id, patient_id, vet, starts_at, ends_at)
       VALUES ($1, $2, $3, $4, 'Dr. Web', '2026-11-30T22:30:00Z', '2026-11-30T23:00:00Z')`,
      [fresh, VVO, c.id, p.id],
    )
    await eventually(
      "the web appointment in appointments/2026-12",
      () => readBack(repo, VVO, "appointments", fresh, "appointments/2026-12"),
      20_000,
    )
    expect(await readBack(repo, VVO, "appointments", fresh, "appointments/2026-11")).toBeUndefined()
    // a desk wrote this one into November (the partition chosen when it was created, e.g. by UTC):
    // the web system's change of it goes to November's document, not to December's
    const old = makeAppointment(c, p, "desk-a", { start: "2026-11-30T22:00:00.000Z", end: "2026-11-30T22:20:00.000Z" })
    const root = await openDoc<RootDoc>(repo, VVO, "root")
    root.change(d => void (d.partitions["appointments/2026-11"] = true))
    const nov = await openDoc<AppointmentsDoc>(repo, VVO, "appointments/2026-11")
    nov.change(d => void (d.appointments[old.id] = recordToDoc({ ...old }) as never))
    await eventually(
      "the desk's appointment as a row",
      async () => (await db.pool.query("SELECT 1 FROM appointments WHERE id = $1", [old.id])).rows.length === 1,
      20_000,
    )
    await db.pool.query("UPDATE appointments SET status = 'arrived' WHERE id = $1", [old.id])
    await eventually(
      "the web change in November's document",
      async () => (await readBack(repo, VVO, "appointments", old.id, "appointments/2026-11"))?.updatedBy === "web",
      20_000,
    )
    expect(await readBack(repo, VVO, "appointments", old.id, "appointments/2026-12")).toBeUndefined()
  })
})
