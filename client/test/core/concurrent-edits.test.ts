import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import type { RelayServer } from "@vetsync/sync-server"
import type { DeskCore } from "../../src/index.js"
import { eventually } from "@vetsync/test-kit"
import { openDesk, relayUrl, startRelay, tmpDir } from "./fixtures.js"

describe("concurrent edits of one client", () => {
  const open: { close(): Promise<void> }[] = []
  afterEach(async () => {
    for (const o of open.splice(0).reverse()) await o.close().catch(() => undefined)
  })

  const setup = async (name: string) => {
    const root = tmpDir(name)
    const relayDir = path.join(root, "relay")
    let relay: RelayServer = await startRelay(relayDir)
    const port = relay.port
    const url = relayUrl(relay)
    const a: DeskCore = await openDesk(path.join(root, "a"), url, "desk-a")
    const b: DeskCore = await openDesk(path.join(root, "b"), url, "desk-b")
    open.push(a, b, { close: () => relay.close() })
    const { client } = await a.call("clients.create", {
      name: "Сидоров Иван",
      phone: "+79160000001",
      email: "old@example.ru",
    })
    await eventually(
      "desk B to receive the client created on desk A",
      async () => (await b.call("clients.get", { id: client.id })) !== null,
      45_000,
    )
    await eventually(
      "desk A to have no records waiting for the relay",
      async () => (await a.call("status", undefined)).waitingRecords === 0,
      45_000,
    )
    await relay.close()
    await eventually(
      "desks A and B to notice the relay is gone (offline)",
      async () => !(await a.call("status", undefined)).online && !(await b.call("status", undefined)).online,
      45_000,
    )
    const reconnect = async () => {
      relay = await startRelay(relayDir, port)
      await eventually(
        "desks A and B to be back online with the restarted relay",
        async () => {
          const [sa, sb] = [await a.call("status", undefined), await b.call("status", undefined)]
          return sa.state === "online" && sb.state === "online"
        },
        45_000,
      )
    }
    return { a, b, id: client.id, reconnect }
  }

  it("keeps both fields when the desks edit different fields while apart", async () => {
    const { a, b, id, reconnect } = await setup("fields")
    await a.call("clients.update", { id, patch: { phone: "+79161111111" } })
    await b.call("clients.update", { id, patch: { email: "new@example.ru" } })
    await reconnect()
    for (const [name, desk] of [["A", a] as const, ["B", b] as const]) {
      const card = await eventually(
        `desk ${name} to show A's new phone and B's new email on one card`,
        async () => {
          const c = await desk.call("clients.get", { id })
          return c?.client.phone === "+79161111111" && c.client.email === "new@example.ru" ? c : null
        },
        45_000,
      )
      expect(card.conflicts).toEqual([])
    }
  })

  it("shows one value on both desks and reports the other as a concurrent edit; the choice sticks", async () => {
    const { a, b, id, reconnect } = await setup("same-field")
    await a.call("clients.update", { id, patch: { phone: "+79162222222" } })
    await b.call("clients.update", { id, patch: { phone: "+79163333333" } })
    await reconnect()
    const seen = await Promise.all(
      [a, b].map((desk, i) =>
        eventually(
          `desk ${"AB"[i]} to report one concurrent edit of the phone`,
          async () => {
            const c = await desk.call("clients.get", { id })
            return c && c.conflicts.length === 1 ? c : null
          },
          45_000,
        ),
      ),
    )
    const [ca, cb] = seen as [(typeof seen)[0], (typeof seen)[0]]
    expect(ca.client.phone).toBe(cb.client.phone)
    expect(["+79162222222", "+79163333333"]).toContain(ca.client.phone)
    const conflict = ca.conflicts[0]!
    expect(conflict).toMatchObject({ collection: "clients", id, field: "phone", kept: ca.client.phone })
    expect(conflict.others).toEqual([ca.client.phone === "+79162222222" ? "+79163333333" : "+79162222222"])
    expect((await a.call("conflicts.list", undefined)).map(c => c.field)).toEqual(["phone"])

    // staff on desk B choose the value that was not kept
    const chosen = conflict.others[0]!
    await b.call("conflicts.resolve", { collection: "clients", id, field: "phone", value: chosen })
    for (const [name, desk] of [["A", a] as const, ["B", b] as const]) {
      await eventually(
        `desk ${name} to show the phone chosen on desk B, with the conflict gone`,
        async () => {
          const c = await desk.call("clients.get", { id })
          return c?.client.phone === chosen && c.conflicts.length === 0
        },
        45_000,
      )
      const card = await desk.call("clients.get", { id })
      expect(card?.client.phone, `desk ${name}'s phone`).toBe(chosen)
      expect(card?.conflicts, `desk ${name}'s conflicts`).toEqual([])
      expect(await desk.call("conflicts.list", undefined), `desk ${name}'s conflict list`).toEqual([])
    }
  })
})
