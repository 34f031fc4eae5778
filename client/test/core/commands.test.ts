import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { imm, type PriceListDoc, type RejectionsDoc } from "@vetsync/shared"
import type { RelayServer } from "@vetsync/sync-server"
import { DeskError, type DeskCore } from "../../src/index.js"
import { eventually } from "@vetsync/test-kit"
import { openDesk, relayUrl, seedPriceList, startRelay, tmpDir } from "./fixtures.js"

describe("desk commands", () => {
  const open: { close(): Promise<void> }[] = []
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined)
  })

  const twoDesks = async (name: string) => {
    const root = tmpDir(name)
    const relayDir = path.join(root, "relay")
    await seedPriceList(relayDir)
    const relay: RelayServer = await startRelay(relayDir)
    const a: DeskCore = await openDesk(path.join(root, "a"), relayUrl(relay), "desk-a", "A")
    const b: DeskCore = await openDesk(path.join(root, "b"), relayUrl(relay), "desk-b", "B")
    open.push(relay, a, b)
    for (const [name, d] of [["A", a] as const, ["B", b] as const])
      await eventually(
        `desk ${name} to receive the relay's price list of 3 items`,
        async () => (await d.call("pricelist.search", { query: "" })).length === 3,
        45_000,
      )
    return { relay, a, b }
  }

  it("rejects bad input with field errors and writes nothing", async () => {
    const desk = await openDesk(path.join(tmpDir("bad"), "d"), undefined, "desk-x")
    open.push(desk)
    const err = await desk
      .call("clients.create", { name: " ", phone: "+7 952 618-10-32", email: "nope", patients: [{ name: "Рекс", species: "" }] })
      .catch(e => e)
    expect(err).toBeInstanceOf(DeskError)
    expect((err as DeskError).code).toBe("validation")
    // the client's and its patient's problems together, the patient's by its place in the arguments
    expect((err as DeskError).fields?.map(f => `${f.field}:${f.code}`)).toEqual([
      "name:required",
      "email:invalid_email",
      "patients[0].species:required",
    ])
    // a phone that is not one is refused where the arguments are read, with what is wrong with it
    for (const [phone, code] of [
      ["call me", "phone_characters"],
      ["8 952 618 10 3", "phone_too_short"],
      ["8 952 618 10 322", "phone_too_long"],
      ["44 20 7946 0958", "phone_needs_country"],
    ] as const)
      await expect(desk.call("clients.create", { name: "Орлов Пётр", phone }), phone).rejects.toMatchObject({
        code: "validation",
        fields: [{ field: "phone", code }],
      })
    await expect(desk.call("clients.update", { id: "3f0c1d1e-0000-4000-8000-000000000000", patch: { phone: "x" } })).rejects.toMatchObject({
      fields: [{ field: "patch.phone", code: "phone_characters" }],
    })
    expect(desk.rm.counts()).toMatchObject({ clients: 0 })
    const { client } = await desk.call("clients.create", { name: "Орлов Пётр" })
    const bad = await desk
      .call("appointments.book", {
        clientId: client.id,
        newPatient: { name: "Шарик", species: "собака" },
        vet: "Петров",
        start: "2026-11-23T10:00:00.000Z",
        end: "2026-11-23T09:00:00.000Z",
      })
      .then(
        () => undefined,
        (e: unknown) => e as DeskError,
      )
    expect(bad?.fields?.map(f => f.code)).toEqual(["end_before_start"])
    // a booking with a new client and patient: every problem of the three records at once
    const all = await desk
      .call("appointments.book", {
        newClient: { name: "", email: "nope" },
        newPatient: { name: "Шарик", species: "", birthDate: "2026-02-30" },
        vet: "",
        start: "2026-11-23T10:00:00.000Z",
        end: "2026-11-23T10:30:00.000Z",
      })
      .then(
        () => undefined,
        (e: unknown) => e as DeskError,
      )
    expect(all?.fields?.map(f => `${f.field}:${f.code}`)).toEqual([
      "vet:required",
      "newClient.name:required",
      "newClient.email:invalid_email",
      "newPatient.species:required",
      "newPatient.birthDate:invalid_date",
    ])
    // the patient of the refused booking was not created either
    expect((await desk.call("clients.get", { id: client.id }))?.patients).toEqual([])
    expect(desk.rm.counts()).toMatchObject({ clients: 1, patients: 0, appointments: 0 })
    await expect(
      desk.call("clients.update", { id: "3f0c1d1e-0000-4000-8000-000000000000", patch: { name: "x" } }),
    ).rejects.toMatchObject({ code: "not_found" })
  })

  it("stores phones canonical, finds and keeps a phone stored as typed, and names likely duplicates", async () => {
    const desk = await openDesk(path.join(tmpDir("phones"), "d"), undefined, "desk-p")
    open.push(desk)
    const { client } = await desk.call("clients.create", { name: "Орлова Анна", phone: "8 (916) 000-11-22", patients: [{ name: "Мурка", species: "кошка" }] })
    expect(client.phone).toBe("+79160001122")
    // a record of before normalisation: the phone as it was typed (written as a chosen value is)
    const { client: old } = await desk.call("clients.create", { name: "Старова Вера" })
    await desk.call("conflicts.resolve", { collection: "clients", id: old.id, field: "phone", value: "+7 952 618-10-32" })
    expect(desk.rm.clients.get(old.id)?.phone).toBe("+7 952 618-10-32")
    expect(await desk.call("clients.search", { query: "8 952 618 10 32" })).toMatchObject({ total: 1, hits: [{ id: old.id }] })
    // the same number in another form is not a change: the document keeps what it has
    await desk.call("clients.update", { id: old.id, patch: { phone: "89526181032", address: "ул. Мира, 1" } })
    expect(desk.rm.clients.get(old.id)).toMatchObject({ phone: "+7 952 618-10-32", address: "ул. Мира, 1" })
    await desk.call("clients.update", { id: old.id, patch: { phone: "8 952 618 10 33" } })
    expect(desk.rm.clients.get(old.id)?.phone).toBe("+79526181033")
    expect(await desk.call("clients.duplicates", { name: "Кто-то Другой", phone: "+7 916 000 11 22" })).toMatchObject([
      { id: client.id, reasons: ["phone"], patients: [{ name: "Мурка" }] },
    ])
    expect(await desk.call("clients.duplicates", { name: "орлова  анна", petNames: ["мурка"] })).toMatchObject([
      { id: client.id, reasons: ["name-and-pet"] },
    ])
    expect(await desk.call("clients.duplicates", { name: "Орлова Анна", phone: "8 999 000 11 22", petNames: ["Барсик"] })).toEqual([])
  })

  it("numbers invoices per desk so that offline desks never collide, and keeps the price of the sale", async () => {
    const { relay, a, b } = await twoDesks("invoices")
    const { client } = await a.call("clients.create", { name: "Смирнова Ольга" })
    await eventually(
      "desk B to receive the client created on desk A",
      async () => (await b.call("clients.get", { id: client.id })) !== null,
      45_000,
    )
    const ia = await a.call("invoices.create", {
      clientId: client.id,
      lines: [{ itemId: "item-consult", qtyMilli: 1000 }],
    })
    const ib = await b.call("invoices.create", {
      clientId: client.id,
      lines: [{ itemId: "item-consult", qtyMilli: 1000 }],
    })
    const ia2 = await a.call("invoices.create", {
      clientId: client.id,
      lines: [{ itemId: "item-vaccine", qtyMilli: 2000 }],
    })
    expect(ia.number).toMatch(/^A-\d{4}-00001$/)
    expect(ia2.number).toMatch(/^A-\d{4}-00002$/)
    expect(ib.number).toMatch(/^B-\d{4}-00001$/)
    expect(ia2.total).toBe(440100)

    // the price list changes on the server: issued invoices keep their prices
    const pl = await relay.repo.find<PriceListDoc>(a.docs.layout.idOf("pricelist"))
    pl.change(d => {
      d.items["item-consult"]!.price = 999900
      d.items["item-consult"]!.updatedAt = imm("2026-11-22T00:00:00.000Z")
    })
    await eventually(
      "desk A to receive the relay's new consultation price 9999.00",
      async () => (await a.call("pricelist.search", { query: "консульт" }))[0]?.price === 999900,
      45_000,
    )
    expect((await a.call("invoices.get", { id: ia.id }))?.lines[0]?.price).toBe(150000)
    await b.call("invoices.markPaid", { id: ib.id })
    expect((await b.call("invoices.get", { id: ib.id }))?.state).toBe("paid")
    await eventually(
      `desk A to see invoice ${ib.number} paid on desk B`,
      async () => (await a.call("invoices.get", { id: ib.id }))?.state === "paid",
      45_000,
    )
    expect(await a.call("invoices.get", { id: ib.id })).toMatchObject({
      number: ib.number,
      state: "paid",
      total: ib.total,
      lines: [{ itemId: "item-consult", price: 150000 }],
    })
  })

  it("flags overlapping bookings of one vet made on two desks while apart, on both desks", async () => {
    const root = tmpDir("overlap")
    const relayDir = path.join(root, "relay")
    let relay = await startRelay(relayDir)
    const port = relay.port
    const a = await openDesk(path.join(root, "a"), relayUrl(relay), "desk-a")
    const b = await openDesk(path.join(root, "b"), relayUrl(relay), "desk-b")
    open.push(a, b, { close: () => relay.close() })
    await eventually(
      "desks A and B to be online",
      async () => (await a.call("status", undefined)).online && (await b.call("status", undefined)).online,
      45_000,
    )
    await relay.close()
    const slot = { vet: "Петров", start: "2026-11-24T10:00:00.000Z", end: "2026-11-24T10:30:00.000Z" }
    const ra = await a.call("appointments.book", {
      ...slot,
      newClient: { name: "Клиент А" },
      newPatient: { name: "Кеша", species: "попугай" },
    })
    const rb = await b.call("appointments.book", {
      ...slot,
      start: "2026-11-24T10:15:00.000Z",
      end: "2026-11-24T10:45:00.000Z",
      newClient: { name: "Клиент Б" },
      newPatient: { name: "Граф", species: "кот" },
    })
    expect((await a.call("appointments.day", { date: "2026-11-24" }))[0]?.overlapsWith).toEqual([])
    relay = await startRelay(relayDir, port)
    for (const [name, d] of [["A", a] as const, ["B", b] as const]) {
      await eventually(
        `desk ${name} to flag both of Petrov's bookings as overlapping each other`,
        async () => {
          const day = await d.call("appointments.day", { date: "2026-11-24", vet: "Петров" })
          return (
            day.length === 2 &&
            day.find(x => x.id === ra.appointment.id)?.overlapsWith.includes(rb.appointment.id) &&
            day.find(x => x.id === rb.appointment.id)?.overlapsWith.includes(ra.appointment.id)
          )
        },
        45_000,
      )
      const day = await d.call("appointments.day", { date: "2026-11-24", vet: "Петров" })
      expect(day.map(x => [x.id, x.overlapsWith]), `desk ${name}'s day`).toEqual([
        [ra.appointment.id, [rb.appointment.id]],
        [rb.appointment.id, [ra.appointment.id]],
      ])
    }
  })

  it("shows the server's reason for a rejected record until the record is edited", async () => {
    const { relay, a } = await twoDesks("rejections")
    const { client } = await a.call("clients.create", { name: "Волков Сергей" })
    const inv = await a.call("invoices.create", {
      clientId: client.id,
      lines: [{ itemId: "item-food", qtyMilli: 1000 }],
    })
    const rej = await relay.repo.find<RejectionsDoc>(a.docs.layout.idOf("rejections"))
    rej.change(d => {
      d.rejections[`invoices/${inv.id}`] = {
        key: imm(`invoices/${inv.id}`),
        reason: imm("total does not match the lines"),
        at: imm(new Date().toISOString()),
        recordUpdatedAt: imm(inv.updatedAt),
      }
    })
    await eventually(
      "desk A to show the relay's rejection of the invoice",
      async () => (await a.call("invoices.get", { id: inv.id }))?.rejection === "total does not match the lines",
      45_000,
    )
    expect(await a.call("rejections.list", undefined)).toMatchObject([
      { collection: "invoices", id: inv.id, label: inv.number },
    ])
    // the edit must be later than the rejected version for the rejection to be left behind
    await eventually(
      "the clock to pass the rejected invoice's updatedAt",
      () => Date.now() > Date.parse(inv.updatedAt),
      1_000,
    )
    // an edit of the invoice itself (a payment is a record of its own and leaves the invoice as it was)
    await a.call("invoices.void", { id: inv.id, reason: "выставлен с ошибкой" })
    expect((await a.call("invoices.get", { id: inv.id }))?.rejection).toBeNull()
    expect(await a.call("rejections.list", undefined)).toEqual([])
  })
})
