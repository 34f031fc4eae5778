import * as path from "node:path"
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import {
  EMPTY_PROFILE,
  imm,
  invoiceState,
  readRecord,
  zonedIso,
  type AnyClinicDoc,
  type ClinicProfile,
  type DocKey,
  type ProfileDoc,
} from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"
import { DeskCore } from "../../src/index.js"
import { dispatchCall } from "../../src/host/dispatch.js"
import { CLINIC, seedPriceList, seedProfile, tmpDir } from "./fixtures.js"

/**
 * A desk counts days, months and invoice numbers in its clinic's time zone (the profile's), not
 * in UTC: a Moscow clinic's 00:00-02:59 and a Vladivostok clinic's 08:00-09:59 are already the
 * next day in the clinic while UTC is still on the previous one. No relay: the profile and the
 * price list are on the desk's disk as the bridge would have sent them; the clock is the test's.
 */
const SEED =
  process.env.VETSYNC_FC_SEED !== undefined ? Number(process.env.VETSYNC_FC_SEED) : Math.floor(Math.random() * 2 ** 31)
const RUNS = Number(process.env.VETSYNC_FC_RUNS ?? 1)

const profileIn = (timeZone: string): ClinicProfile => ({ ...EMPTY_PROFILE, name: "Айболит", timeZone })
/** the wall clock in a zone, read independently of the desk */
const wall = (iso: string, tz: string): string =>
  new Date(iso).toLocaleString("sv-SE", { timeZone: tz, hourCycle: "h23" })

describe("the clinic's time zone on a desk", () => {
  const open: DeskCore[] = []
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close().catch(() => undefined)
  })

  /** A desk of a clinic in `timeZone` (none: no profile yet), its clock at `clock.now`. */
  const deskIn = async (name: string, timeZone: string | undefined, clock: { now: string }) => {
    const dataDir = path.join(tmpDir(name), "desk")
    await seedPriceList(dataDir)
    if (timeZone) await seedProfile(dataDir, profileIn(timeZone))
    const desk = await DeskCore.open({
      dataDir,
      clinicId: CLINIC,
      deskId: `desk-${name}`,
      deskCode: "D7",
      now: () => new Date(clock.now),
    })
    open.push(desk)
    await eventually(
      "the price list",
      async () => (await desk.call("pricelist.search", { query: "" })).length === 3,
      20_000,
    )
    if (timeZone)
      await eventually(
        "the clinic's zone",
        async () => (await desk.call("clinic.profile", undefined)).timeZone === timeZone,
        20_000,
      )
    const { client, patients } = await desk.call("clients.create", {
      name: "Смирнова Ольга",
      patients: [{ name: "Барсик", species: "кот" }],
    })
    return { desk, client, patient: patients[0]! }
  }
  const docHas = (desk: DeskCore, key: DocKey, collection: "appointments" | "invoices", id: string) =>
    desk.docs.use(key, h => readRecord(h.doc() as AnyClinicDoc, collection, id) !== undefined)

  for (const [zone, early, localDay] of [
    // 00:30 on 1 December in Moscow is 21:30 UTC on 30 November
    ["Europe/Moscow", "00:30", "2026-12-01"],
    // 08:30 on 1 December in Vladivostok is 22:30 UTC on 30 November
    ["Asia/Vladivostok", "08:30", "2026-12-01"],
  ] as const) {
    it(`${zone}: today, the day view, the month partition and the invoice number's month are the clinic's`, async () => {
      const clock = { now: zonedIso(localDay, early, zone) }
      expect(clock.now.slice(0, 10)).toBe("2026-11-30")
      const { desk, client, patient } = await deskIn(zone.split("/")[1]!.toLowerCase(), zone, clock)
      expect(await desk.call("clinic.profile", undefined)).toMatchObject({
        timeZone: zone,
        timeZoneSource: "clinic",
        today: localDay,
      })

      const book = async (date: string, time: string) => {
        const start = zonedIso(date, time, zone)
        const end = new Date(Date.parse(start) + 20 * 60_000).toISOString()
        return (
          await desk.call("appointments.book", {
            clientId: client.id,
            patientId: patient.id,
            vet: "Петрова",
            start,
            end,
            // 23:59 the day before runs into 00:00: the day boundaries are the point here, not the overlap
            override: true,
          })
        ).appointment
      }
      const [first, last, before] = [
        await book(localDay, "00:00"),
        await book(localDay, "02:59"),
        await book("2026-11-30", "23:59"),
      ]
      const day = await desk.call("appointments.day", { date: localDay })
      expect(day.map(a => a.id).sort()).toEqual([first.id, last.id].sort())
      expect((await desk.call("appointments.day", { date: "2026-11-30" })).map(a => a.id)).toEqual([before.id])
      expect(desk.rm.appointments.docKeyOf(first.id)).toBe("appointments/2026-12")
      expect(desk.rm.appointments.docKeyOf(before.id)).toBe("appointments/2026-11")
      expect(await docHas(desk, "appointments/2026-12", "appointments", first.id)).toBe(true)

      const invoice = await desk.call("invoices.create", {
        clientId: client.id,
        lines: [{ itemId: "item-consult", qtyMilli: 1000 }],
      })
      expect(invoice.issuedAt).toBe(clock.now)
      expect(invoice.number).toBe("D7-2612-00001")
      expect(desk.rm.invoices.docKeyOf(invoice.id)).toBe("invoices/2026-12")
      expect(await docHas(desk, "invoices/2026-12", "invoices", invoice.id)).toBe(true)
      expect((await desk.call("invoices.list", { month: "2026-12" })).map(i => i.id)).toEqual([invoice.id])
      expect(await desk.call("invoices.list", { month: "2026-11" })).toEqual([])
      // a birth date of the clinic's today is not in the future (UTC's today is the day before)
      await desk.call("patients.create", { clientId: client.id, name: "Пух", species: "кот", birthDate: localDay })
    })
  }

  it("keeps a record in the partition it was created in when the clinic's zone changes: changes go to that document", async () => {
    const clock = { now: "2026-11-30T22:00:00.000Z" } // 01:00 on 1 December in Moscow, 17:00 on 30 November in New York
    const { desk, client, patient } = await deskIn("zone-change", "Europe/Moscow", clock)
    const { appointment } = await desk.call("appointments.book", {
      clientId: client.id,
      patientId: patient.id,
      vet: "Петрова",
      start: clock.now,
      end: "2026-11-30T22:30:00.000Z",
    })
    const invoice = await desk.call("invoices.create", {
      clientId: client.id,
      lines: [{ itemId: "item-vaccine", qtyMilli: 1000 }],
    })
    expect(desk.rm.invoices.docKeyOf(invoice.id)).toBe("invoices/2026-12")

    // the bridge publishes another zone (the profile document changes under the desk, as a sync would)
    await desk.docs.use("profile", h =>
      desk.docs.change<ProfileDoc>(h, d => {
        d.profile.timeZone = imm("America/New_York")
      }),
    )
    await eventually(
      "the new zone",
      async () => (await desk.call("clinic.profile", undefined)).timeZone === "America/New_York",
      20_000,
    )
    await desk.call("appointments.setStatus", { id: appointment.id, status: "arrived" })
    await desk.call("invoices.markPaid", { id: invoice.id })
    await desk.call("conflicts.resolve", {
      collection: "appointments",
      id: appointment.id,
      field: "vet",
      value: "Иванов",
    })
    for (const [key, collection, id] of [
      ["appointments/2026-12", "appointments", appointment.id],
      ["invoices/2026-12", "invoices", invoice.id],
    ] as const) {
      const rec = await desk.docs.use(key, h => readRecord(h.doc() as AnyClinicDoc, collection, id)?.record)
      expect(rec, `${collection} stays in ${key}`).toBeDefined()
      // an invoice is paid by its payment, a record of its own in the invoice's document
      if (rec && "number" in rec) expect(invoiceState(rec)).toBe("paid")
      else expect(rec).toMatchObject({ status: "arrived" })
      expect(await docHas(desk, key.replace("2026-12", "2026-11") as DocKey, collection, id)).toBe(false)
    }
    // the day view follows the new zone: in New York the appointment is on 30 November
    expect((await desk.call("appointments.day", { date: "2026-11-30" })).map(a => a.id)).toEqual([appointment.id])
    // and a new invoice takes New York's month and number
    expect(
      (await desk.call("invoices.create", { clientId: client.id, lines: [{ itemId: "item-food", qtyMilli: 500 }] }))
        .number,
    ).toBe("D7-2611-00001")
  })

  it("refuses at the desk API a birth date after the clinic's today, though UTC's today is already that date", async () => {
    // 21:00 on 30 November in New York is 02:00 UTC on 1 December: the desk clock's rule (UTC with a
    // day of slack) would take 1 and 2 December; the clinic's zone takes nothing after 30 November
    const clock = { now: "2026-12-01T02:00:00.000Z" }
    const { desk, client, patient } = await deskIn("west", "America/New_York", clock)
    expect((await desk.call("clinic.profile", undefined)).today).toBe("2026-11-30")
    const refused = async (command: "patients.create" | "patients.update" | "clients.create", args: unknown) => {
      const r = await dispatchCall(desk, command, args)
      return r.ok ? [] : [r.error.code, ...(r.error.fields?.map(f => `${f.field}:${f.code}`) ?? [])]
    }
    const pet = { clientId: client.id, name: "Пух", species: "кот" }
    expect(await refused("patients.create", { ...pet, birthDate: "2026-12-01" })).toEqual([
      "validation",
      "birthDate:in_future",
    ])
    expect(await refused("patients.update", { id: patient.id, patch: { birthDate: "2026-12-01" } })).toEqual([
      "validation",
      "birthDate:in_future",
    ])
    expect(
      await refused("clients.create", {
        name: "Ким Анна",
        patients: [{ name: "Тигра", species: "кошка", birthDate: "2026-12-01" }],
      }),
    ).toEqual(["validation", "patients[0].birthDate:in_future"])
    expect(await refused("patients.create", { ...pet, birthDate: "2026-11-30" })).toEqual([])
  })

  it("uses Europe/Moscow, and says so, until the desk has its clinic's profile", async () => {
    const clock = { now: "2026-11-30T21:30:00.000Z" }
    const { desk, client } = await deskIn("no-profile", undefined, clock)
    expect(await desk.call("clinic.profile", undefined)).toEqual({
      profile: null,
      timeZone: "Europe/Moscow",
      timeZoneSource: "default",
      today: "2026-12-01",
    })
    const invoice = await desk.call("invoices.create", {
      clientId: client.id,
      lines: [{ itemId: "item-consult", qtyMilli: 1000 }],
    })
    expect(invoice.number).toBe("D7-2612-00001")
  })

  it(`numbers and partitions invoices by the local month of any instant (seed ${SEED})`, async () => {
    const clocks = {
      "Europe/Moscow": { now: "2026-06-01T12:00:00.000Z" },
      "Asia/Vladivostok": { now: "2026-06-01T12:00:00.000Z" },
    }
    const desks = {
      "Europe/Moscow": await deskIn("prop-msk", "Europe/Moscow", clocks["Europe/Moscow"]),
      "Asia/Vladivostok": await deskIn("prop-vvo", "Asia/Vladivostok", clocks["Asia/Vladivostok"]),
    }
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("Europe/Moscow" as const, "Asia/Vladivostok" as const),
        fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) }),
        async (zone, ms) => {
          clocks[zone].now = new Date(ms).toISOString()
          const { desk, client } = desks[zone]
          const invoice = await desk.call("invoices.create", {
            clientId: client.id,
            lines: [{ itemId: "item-consult", qtyMilli: 1000 }],
          })
          const month = wall(clocks[zone].now, zone).slice(0, 7)
          expect(invoice.number.slice(3, 7)).toBe(month.slice(2, 4) + month.slice(5, 7))
          expect(desk.rm.invoices.docKeyOf(invoice.id)).toBe(`invoices/${month}`)
        },
      ),
      { seed: SEED, numRuns: Math.max(1, Math.round(25 * RUNS)) },
    )
  })
})
