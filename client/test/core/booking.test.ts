import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { DeskError, type DeskCore } from "../../src/index.js"
import { openDesk, tmpDir } from "./fixtures.js"

/**
 * Booking through the desk's commands: appointments.book and appointments.move refuse a booking
 * over another live one of the same vet (code "overlap", naming who is booked then) and write
 * nothing, unless called with override: true; a cancelled booking, another vet or touching ends
 * are no overlap. The roster offers the vets appointments name; a booking records the vet's id.
 */
describe("booking with the overlap warning before saving", () => {
  const open: DeskCore[] = []
  afterEach(async () => {
    for (const d of open.splice(0)) await d.close().catch(() => undefined)
  })

  const desk = async (name: string): Promise<DeskCore> => {
    const d = await openDesk(path.join(tmpDir(name), "d"), undefined, "desk-a")
    open.push(d)
    return d
  }
  const refusal = async (p: Promise<unknown>): Promise<DeskError> => {
    const e = await p.then(
      () => undefined,
      (x: unknown) => x,
    )
    expect(e).toBeInstanceOf(DeskError)
    return e as DeskError
  }

  it("book: an overlapping booking is refused with who is booked then, and goes through with override", async () => {
    const d = await desk("book-overlap")
    const { client, patients } = await d.call("clients.create", {
      name: "Орлов Пётр",
      patients: [{ name: "Шарик", species: "собака" }],
    })
    const patientId = patients[0]?.id ?? ""
    const first = await d.call("appointments.book", {
      clientId: client.id,
      patientId,
      vet: "Петрова А. В.",
      start: "2026-11-23T07:00:00Z",
      end: "2026-11-23T07:30:00Z",
    })
    // a vet the roster did not name yet has no id; now the roster names them
    expect(first.appointment.vetId).toBe("")
    const roster = await d.call("appointments.roster", undefined)
    expect(roster.map(v => v.name)).toEqual(["Петрова А. В."])

    const counts = d.rm.counts()
    const over = { clientId: client.id, patientId, vet: "Петрова А. В.", start: "2026-11-23T07:15:00.000Z", end: "2026-11-23T07:45:00.000Z" }
    const e = await refusal(d.call("appointments.book", over))
    expect(e.code).toBe("overlap")
    expect(e.overlaps).toEqual([
      expect.objectContaining({ id: first.appointment.id, clientName: "Орлов Пётр", patientName: "Шарик", start: "2026-11-23T07:00:00Z" }),
    ])
    // nothing was written, not even a new client of the refused booking
    const withNew = { newClient: { name: "Новиков" }, newPatient: { name: "Мурка", species: "кошка" }, vet: over.vet, start: over.start, end: over.end }
    expect((await refusal(d.call("appointments.book", withNew))).code).toBe("overlap")
    expect(d.rm.counts()).toEqual(counts)

    // touching ends, another vet: no overlap
    const next = await d.call("appointments.book", { ...over, start: "2026-11-23T07:30:00.000Z", end: "2026-11-23T08:00:00.000Z" })
    // a vet of the roster: the booking carries their id
    expect(next.appointment.vetId).toBe(roster[0]?.id)
    await d.call("appointments.book", { ...over, vet: "Соколов И. И." })
    // staff saw the warning and book anyway
    const forced = await d.call("appointments.book", { ...over, override: true })
    expect(d.rm.appointments.get(forced.appointment.id)).toMatchObject({ start: over.start, vet: over.vet })
    // the day view still flags the two overlapping bookings
    const day = await d.call("appointments.day", { date: "2026-11-23" })
    expect(day.find(a => a.id === forced.appointment.id)?.overlapsWith).toContain(first.appointment.id)

    // a cancelled booking takes nobody's time
    await d.call("appointments.setStatus", { id: first.appointment.id, status: "cancelled" })
    await d.call("appointments.setStatus", { id: forced.appointment.id, status: "cancelled" })
    await d.call("appointments.book", { ...over, start: "2026-11-23T07:00:00.000Z", end: "2026-11-23T07:30:00.000Z" })
  })

  it("move: keeps the duration, refuses another booking's time unless overridden, and may change the vet", async () => {
    const d = await desk("move-overlap")
    const { client, patients } = await d.call("clients.create", { name: "Зайцева Ольга", patients: [{ name: "Муся", species: "кошка" }] })
    const who = { clientId: client.id, patientId: patients[0]?.id ?? "" }
    const a = await d.call("appointments.book", { ...who, vet: "Петрова А. В.", start: "2026-11-24T06:00:00.000Z", end: "2026-11-24T06:45:00.000Z" })
    const b = await d.call("appointments.book", { ...who, vet: "Петрова А. В.", start: "2026-11-24T08:00:00.000Z", end: "2026-11-24T08:30:00.000Z" })
    await d.call("appointments.book", { ...who, vet: "Соколов И. И.", start: "2026-11-24T10:00:00.000Z", end: "2026-11-24T10:30:00.000Z" })

    // onto b's time: refused, naming b; a is where it was
    const e = await refusal(d.call("appointments.move", { id: a.appointment.id, start: "2026-11-24T07:45:00.000Z" }))
    expect(e.code).toBe("overlap")
    expect(e.overlaps?.map(o => o.id)).toEqual([b.appointment.id])
    expect(d.rm.appointments.get(a.appointment.id)).toMatchObject({ start: "2026-11-24T06:00:00.000Z", end: "2026-11-24T06:45:00.000Z" })

    // within its own time (a move over itself is no overlap), then next to b: the 45 minutes kept
    await d.call("appointments.move", { id: a.appointment.id, start: "2026-11-24T06:15:00.000Z" })
    const moved = await d.call("appointments.move", { id: a.appointment.id, start: "2026-11-24T07:15:00.000Z" })
    expect(moved).toMatchObject({ start: "2026-11-24T07:15:00.000Z", end: "2026-11-24T08:00:00.000Z" })
    expect(d.rm.appointments.get(a.appointment.id)).toMatchObject({ start: moved.start, end: moved.end })

    // to another vet at a time they are booked: refused; with override it goes through
    const other = { id: b.appointment.id, start: "2026-11-24T10:15:00.000Z", vet: "Соколов И. И." }
    expect((await refusal(d.call("appointments.move", other))).code).toBe("overlap")
    const forced = await d.call("appointments.move", { ...other, override: true })
    expect(forced).toMatchObject({ vet: "Соколов И. И.", vetId: "Соколов И. И.", start: other.start, end: "2026-11-24T10:45:00.000Z" })
    expect(d.rm.appointments.get(b.appointment.id)).toMatchObject({ vet: "Соколов И. И.", start: other.start })

    // an appointment that does not exist, a start that is no time
    expect((await refusal(d.call("appointments.move", { id: "3f0c1d1e-0000-4000-8000-000000000000", start: other.start }))).code).toBe("not_found")
    expect((await refusal(d.call("appointments.move", { id: b.appointment.id, start: "tomorrow" }))).fields?.map(f => f.field)).toContain("start")
  })
})
