import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import type { RelayServer } from "@vetsync/sync-server"
import type { DeskCore } from "../../src/index.js"
import { eventually } from "@vetsync/test-kit"
import { openDesk, relayUrl, startRelay, tmpDir } from "./fixtures.js"

describe("a record's history across desks (real relay)", () => {
  const open: { close(): Promise<void> }[] = []
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined)
  })

  it("desk A sets a client's phone, desk B changes it: both desks list both changes with desk, from/to and time", async () => {
    const root = tmpDir("history")
    let relay: RelayServer = await startRelay(path.join(root, "relay"))
    const relayDir = path.join(root, "relay")
    const port = relay.port
    const url = relayUrl(relay)
    const a: DeskCore = await openDesk(path.join(root, "a"), url, "front-1")
    const b: DeskCore = await openDesk(path.join(root, "b"), url, "front-2")
    open.push(a, b, { close: () => relay.close() })
    const t0 = Date.now()
    const { client } = await a.call("clients.create", { name: "Сидоров Иван", phone: "+79160000001" })
    const id = client.id
    await a.call("clients.update", { id, patch: { phone: "+79161111111" } })
    await eventually(
      "desk B to receive desk A's phone",
      async () => (await b.call("clients.get", { id }))?.client.phone === "+79161111111",
      45_000,
    )
    await b.call("clients.update", { id, patch: { phone: "+79162222222" } })
    const t1 = Date.now()
    for (const [name, desk] of [["A", a] as const, ["B", b] as const]) {
      const history = await eventually(
        `desk ${name}'s history of the client to list desk B's phone change`,
        async () => {
          const h = await desk.call("records.history", { collection: "clients", id })
          return h.some(e => e.desk === "front-2") ? h : null
        },
        45_000,
      )
      const phones = history.filter(e => e.fields.some(f => f.field === "phone"))
      expect(phones.map(e => ({ desk: e.desk, source: e.source, created: e.created, phone: e.fields.find(f => f.field === "phone") }))).toEqual([
        { desk: "front-2", source: "desk", created: false, phone: { field: "phone", from: "+79161111111", to: "+79162222222" } },
        { desk: "front-1", source: "desk", created: false, phone: { field: "phone", from: "+79160000001", to: "+79161111111" } },
        { desk: "front-1", source: "desk", created: true, phone: { field: "phone", from: "", to: "+79160000001" } },
      ])
      for (const e of phones) {
        // Automerge keeps a change's time in whole seconds
        const at = Date.parse(e.at)
        expect(at).toBeGreaterThanOrEqual(Math.floor(t0 / 1000) * 1000)
        expect(at).toBeLessThanOrEqual(t1)
        expect(e.cmd).toBe("")
      }
    }
    // the conflict panel names each value's desk and time
    await relay.close()
    await eventually(
      "desks A and B to notice the relay is gone",
      async () => !(await a.call("status", undefined)).online && !(await b.call("status", undefined)).online,
      45_000,
    )
    await a.call("clients.update", { id, patch: { phone: "+79163333333" } })
    await b.call("clients.update", { id, patch: { phone: "+79164444444" } })
    relay = await startRelay(relayDir, port)
    for (const [name, desk] of [["A", a] as const, ["B", b] as const]) {
      const card = await eventually(
        `desk ${name} to show the concurrent phones as a conflict`,
        async () => {
          const c = await desk.call("clients.get", { id })
          return c?.conflicts.some(x => x.field === "phone") ? c : null
        },
        45_000,
      )
      const conflict = card.conflicts.find(x => x.field === "phone")!
      const by = new Map([[conflict.kept, conflict.keptBy], ...conflict.others.map((v, i) => [v, conflict.othersBy?.[i]] as const)])
      expect(by.get("+79163333333")).toMatchObject({ source: "desk", desk: "front-1", staff: "" })
      expect(by.get("+79164444444")).toMatchObject({ source: "desk", desk: "front-2", staff: "" })
      for (const who of by.values()) expect(Date.parse(who!.at)).toBeGreaterThanOrEqual(Math.floor(t0 / 1000) * 1000)
    }
  })
})
