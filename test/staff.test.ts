import { isPinHash, verifyPin } from "@vetsync/shared"
import { parseStaffCommand, staffCommand } from "@vetsync/sync-server"
import { eventually } from "@vetsync/test-kit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import type { DeskCore } from "@vetsync/client"
import { ClinicStack } from "./helpers/ClinicStack.js"

/**
 * The clinic's staff end to end, as the clinic profile travels: `vetsync staff add|set` writes
 * PostgreSQL (the PIN only as its scrypt hash), the bridge publishes the server-owned `staff`
 * document through the relay, and an enrolled desk lists the members, signs one in with the PIN
 * offline, and follows a later change (a member who leaves is signed out).
 */
const CLINIC = "clinic-staff"

describe("staff: vetsync staff → PostgreSQL → bridge → the desk", () => {
  let stack: ClinicStack
  let desk: DeskCore
  let vetId = ""

  beforeAll(async () => {
    stack = await ClinicStack.start("staff")
    await stack.addClinic(CLINIC, { name: "Айболит", timeZone: "Europe/Moscow" }, [])
    const { dataDir } = await stack.enrol(CLINIC, "front")
    desk = await stack.openDesk(dataDir)
  })
  afterAll(async () => {
    await stack?.close()
  })

  it("a clinic without staff works as before at the desk", async () => {
    await eventually(
      "the published (empty) staff document at the desk",
      async () => {
        await desk.api["staff.list"]()
        return desk.rm.getStaff() !== null
      },
      60_000,
    )
    expect(await desk.api["session.current"]()).toEqual({ required: false, staff: null })
  })

  it("adds members with the CLI's arguments; PostgreSQL keeps only the PIN's slow hash", async () => {
    const vet = await staffCommand(
      [
        "add",
        "--clinic",
        CLINIC,
        "--name",
        "Петрова А. В.",
        "--role",
        "vet",
        "--pin",
        "2468",
        "--hours",
        "1-5 09:00-18:00; 6 10:00-14:00",
      ],
      stack.pool,
    )
    vetId = (vet[0] ?? "").split(" ")[2] ?? ""
    expect(vetId).toMatch(/^st-[0-9a-f]{8}$/)
    await staffCommand(
      ["add", "--clinic", CLINIC, "--id", "st-rec", "--name", "Иванова М. С.", "--role", "reception"],
      stack.pool,
    )
    const { rows } = await stack.pool.query<{ id: string; pin_hash: string; working_hours: unknown }>(
      "SELECT id, pin_hash, working_hours FROM staff WHERE clinic_id = $1 ORDER BY id",
      [CLINIC],
    )
    const row = rows.find(r => r.id === vetId)
    expect(row?.pin_hash).not.toContain("2468")
    expect(isPinHash(row?.pin_hash ?? "")).toBe(true)
    expect(await verifyPin("2468", row?.pin_hash ?? "")).toBe(true)
    expect(row?.working_hours).toMatchObject({
      "1": [{ from: "09:00", to: "18:00" }],
      "6": [{ from: "10:00", to: "14:00" }],
    })
    expect(rows.find(r => r.id === "st-rec")?.pin_hash).toBe("")
    const listed = await staffCommand(["list", "--clinic", CLINIC], stack.pool)
    expect(listed.join("\n")).not.toMatch(/scrypt/)
    expect(listed).toHaveLength(2)
  })

  it("the desk receives them (no PIN hash shown), and a member signs in with the PIN", async () => {
    await eventually("both members at the desk", async () => (await desk.api["staff.list"]()).length === 2, 60_000)
    const list = await desk.api["staff.list"]()
    expect(list.find(s => s.id === vetId)).toEqual({
      id: vetId,
      name: "Петрова А. В.",
      role: "vet",
      active: true,
      workingHours: {
        "1": [{ from: "09:00", to: "18:00" }],
        "2": [{ from: "09:00", to: "18:00" }],
        "3": [{ from: "09:00", to: "18:00" }],
        "4": [{ from: "09:00", to: "18:00" }],
        "5": [{ from: "09:00", to: "18:00" }],
        "6": [{ from: "10:00", to: "14:00" }],
      },
    })
    expect(await desk.api["session.current"]()).toEqual({ required: true, staff: null })
    await expect(desk.api["clients.create"]({ name: "Без Подписи" })).rejects.toMatchObject({ code: "signed_out" })
    expect((await desk.api["session.signIn"]({ staffId: vetId, pin: "2468" })).staff?.id).toBe(vetId)
    await desk.api["clients.create"]({ name: "С Подписью" })
  })

  it("`staff set --inactive` reaches the desk: the member is signed out and may not sign in again", async () => {
    await staffCommand(["set", "--clinic", CLINIC, vetId, "--inactive"], stack.pool)
    await eventually(
      "the member inactive at the desk",
      async () => {
        const s = await desk.api["staff.list"]()
        return s.find(m => m.id === vetId)?.active === false
      },
      60_000,
    )
    // the only PIN belonged to the member who left: the clinic works without sign-in again
    expect(await desk.api["session.current"]()).toEqual({ required: false, staff: null })
    await expect(desk.api["session.signIn"]({ staffId: vetId, pin: "2468" })).rejects.toMatchObject({
      code: "rejected",
    })
  })

  it("a change whose notification was lost reaches the desk once the bridge's LISTEN connection comes back", async () => {
    // the notification is lost: the row changes with its trigger off (as if the bridge's LISTEN
    // connection were down just then); then that connection dies and comes back, and catches up
    await stack.pool.query("ALTER TABLE staff DISABLE TRIGGER staff_changed")
    try {
      await stack.pool.query("UPDATE staff SET name = 'Иванова-Петрова М. С.' WHERE clinic_id = $1 AND id = 'st-rec'", [CLINIC])
    } finally {
      await stack.pool.query("ALTER TABLE staff ENABLE TRIGGER staff_changed")
    }
    await stack.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
       WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid <> pg_backend_pid()`,
    )
    await eventually(
      "the renamed member at the desk",
      async () => (await desk.api["staff.list"]()).find(m => m.id === "st-rec")?.name === "Иванова-Петрова М. С.",
      60_000,
    )
  })

  it("refuses bad arguments naming the argument, before any database is opened", () => {
    const bad: [string[], RegExp][] = [
      [["add", "--clinic", CLINIC, "--name", "X", "--role", "vet", "--pin", "12"], /--pin must be 4 to 8 digits/],
      [["add", "--clinic", CLINIC, "--name", "X", "--role", "vet", "--pin", "123456789"], /--pin/],
      [["add", "--clinic", CLINIC, "--name", "X", "--role", "doctor"], /--role must be vet, reception or admin/],
      [["add", "--clinic", CLINIC, "--name", "X", "--role", "vet", "--hours", "8 09:00-18:00"], /--hours/],
      [["add", "--clinic", CLINIC, "--name", "X", "--role", "vet", "--hours", "1 18:00-09:00"], /--hours: day 1/],
      [["add", "--clinic", CLINIC, "--role", "vet"], /--name is required/],
      [["add", "--name", "X", "--role", "vet"], /--clinic is required/],
      [["set", "--clinic", CLINIC, "st-rec"], /what to change/],
      [["set", "--clinic", CLINIC, "st-rec", "--active", "--inactive"], /--active and --inactive/],
      [["list", "--clinic", CLINIC, "--pin", "1234"], /--pin is not one of its options/],
    ]
    for (const [argv, why] of bad) expect(() => parseStaffCommand(argv), argv.join(" ")).toThrow(why)
  })

  it("PostgreSQL itself refuses a PIN in the clear, an unknown role and hours of no weekday", async () => {
    const insert = (col: string, value: string) =>
      stack.pool.query(`INSERT INTO staff (clinic_id, id, name, role, ${col}) VALUES ($1, 'st-x', 'X', 'vet', $2)`, [
        CLINIC,
        value,
      ])
    await expect(insert("pin_hash", "1234")).rejects.toThrow(/staff_pin_hash_check/)
    await expect(
      stack.pool.query(`INSERT INTO staff (clinic_id, id, name, role) VALUES ($1, 'st-y', 'Y', 'boss')`, [CLINIC]),
    ).rejects.toThrow(/staff_role_check/)
    await expect(insert("working_hours", '{"8": []}')).rejects.toThrow(/staff_working_hours_check/)
    await expect(staffCommand(["set", "--clinic", CLINIC, "st-none", "--name", "N"], stack.pool)).rejects.toThrow(
      /no staff member st-none/,
    )
    await expect(staffCommand(["list", "--clinic", "clinic-nowhere"], stack.pool)).rejects.toThrow(/unknown clinic/)
  })
})
