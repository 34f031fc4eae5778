import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import type { DeskCore } from "../../src/index.js"
import type { RelayServer } from "@vetsync/sync-server"
import { eventually } from "@vetsync/test-kit"
import { openDesk, relayUrl, seedPriceList, startRelay, tmpDir } from "./fixtures.js"

describe("two desks and a relay", () => {
  const open: { close(): Promise<void> }[] = []
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined)
  })

  it("an offline desk's client, patient, appointment and invoice wait, then reach the other desk", async () => {
    const root = tmpDir("roundtrip")
    const relayDir = path.join(root, "relay")
    await seedPriceList(relayDir)
    let relay: RelayServer = await startRelay(relayDir)
    open.push({ close: () => relay.close() })
    const url = relayUrl(relay)
    const port = relay.port
    const a: DeskCore = await openDesk(path.join(root, "a"), url, "desk-a")
    const b: DeskCore = await openDesk(path.join(root, "b"), url, "desk-b")
    open.push(a, b)

    await eventually(
      "desk A to be online with the relay's price list",
      async () => {
        const s = await a.call("status", undefined)
        return s.online && (await a.call("pricelist.search", { query: "вакц" })).length === 1
      },
      45_000,
    )
    await eventually("desk B to be online", async () => (await b.call("status", undefined)).online, 45_000)

    await relay.close()
    await eventually(
      "desk A to notice the relay is gone (offline)",
      async () => !(await a.call("status", undefined)).online,
      45_000,
    )

    const { client, patients } = await a.call("clients.create", {
      name: "Иванова Мария Петровна",
      phone: "+7 916 123-45-67",
      patients: [{ name: "Мурка", species: "кошка", chip: "643094100123456" }],
    })
    const patient = patients[0]!
    const { appointment } = await a.call("appointments.book", {
      clientId: client.id,
      patientId: patient.id,
      vet: "Петров",
      start: "2026-11-23T09:00:00.000Z",
      end: "2026-11-23T09:30:00.000Z",
    })
    const invoice = await a.call("invoices.create", {
      clientId: client.id,
      patientId: patient.id,
      lines: [
        { itemId: "item-consult", qtyMilli: 1000 },
        { itemId: "item-food", qtyMilli: 2500 },
      ],
    })
    expect(invoice.total).toBe(150000 + 245000)

    const offline = await a.call("status", undefined)
    expect(offline.state).toBe("offline")
    expect(offline.online).toBe(false)
    expect(offline.waitingRecords).toBe(4)
    // the offline desk answers from its own read model
    expect((await a.call("clients.search", { query: "мурка" })).map(h => h.id)).toEqual([client.id])

    relay = await startRelay(relayDir, port)
    await eventually(
      "desk A to be online with its waiting records at 0",
      async () => {
        const s = await a.call("status", undefined)
        return s.online && s.waitingRecords === 0 && s.state === "online"
      },
      45_000,
    )
    expect((await a.call("status", undefined)).lastSyncedAt).not.toBeNull()

    await eventually(
      "desk B to show all four records desk A wrote offline",
      async () => {
        const card = await b.call("clients.get", { id: client.id })
        const day = await b.call("appointments.day", { date: "2026-11-23" })
        const inv = await b.call("invoices.get", { id: invoice.id })
        return (
          card?.patients.some(p => p.id === patient.id) &&
          day.some(x => x.id === appointment.id) &&
          inv?.total === invoice.total
        )
      },
      45_000,
    )
    const hits = await b.call("clients.search", { query: "643094100123456" })
    expect(hits.map(h => h.id)).toEqual([client.id])
    expect((await b.call("invoices.get", { id: invoice.id }))?.lines.map(l => l.price)).toEqual([150000, 98000])
  })
})
