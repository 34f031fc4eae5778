import { createHash } from "node:crypto"
import * as A from "@automerge/automerge"
import {
  SafeFsStorageAdapter,
  buildClinicDocs,
  docIdFor,
  imm,
  readSnapshot,
  type ClientShardDoc,
  type RootDoc,
} from "@vetsync/shared"
import { isLeanDoc } from "@vetsync/shared/docs"
import { generateClinic } from "@vetsync/test-kit/seed"
import { eventually } from "@vetsync/test-kit"
import { afterEach, describe, expect, it } from "vitest"
import type { BuildEvent } from "../src/BuildQueue.js"
import { RelayServer } from "../src/RelayServer.js"
import { createDoc, makeTemp, relayHas, rmTemp, stockDesk, type TestDesk } from "./support.js"

const CLIENT = "22222222-2222-4222-8222-222222222222"
const meta = {
  createdAt: imm("2026-11-01T10:00:00Z"),
  updatedAt: imm("2026-11-01T10:00:00Z"),
  createdBy: imm("a"),
  updatedBy: imm("a"),
  deleted: false,
}

/** The client both desks' tests start from, as a desk writes it. */
const petrova = (): ClientShardDoc["clients"][string] => ({
  id: imm(CLIENT),
  name: imm("Petrova Olga"),
  phone: imm("+7 900 000-00-02"),
  email: imm(""),
  address: imm(""),
  notes: "",
  ...meta,
})

/** The relay's `vetsync_relay_documents{state="loaded"}` and documents-unloaded counter, from GET /metrics. */
const loadedFigures = async (relay: RelayServer): Promise<{ loaded: number; unloaded: number }> => {
  const text = await (await fetch(`${relay.url}/metrics`)).text()
  const read = (re: RegExp): number => Number(re.exec(text)?.[1] ?? NaN)
  return {
    loaded: read(/^vetsync_relay_documents\{state="loaded"\} (\d+)$/m),
    unloaded: read(/^vetsync_relay_documents_unloaded_total (\d+)$/m),
  }
}

describe("relay memory", () => {
  const cleanup: (() => Promise<void> | void)[] = []
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c()
  })

  it("unloads a document no desk touched, reloads it from storage when a desk edits again, and loses nothing", async () => {
    const dir = makeTemp("idle")
    cleanup.push(() => rmTemp(dir))
    const relay = await RelayServer.start({ dataDir: `${dir}/relay`, name: "t", idleUnloadMs: 1_500 })
    cleanup.push(() => relay.close())
    const desks: TestDesk[] = []
    cleanup.push(async () => {
      for (const d of desks) await d.close()
    })
    const desk = (name: string): TestDesk => {
      const d = stockDesk(relay, "c1", name, `${dir}/${name}`)
      desks.push(d)
      return d
    }
    const a = desk("a").repo
    const b = desk("b").repo
    const root = createDoc<RootDoc>(a, "c1", "root")
    const shard = createDoc<ClientShardDoc>(a, "c1", "clients/3")
    shard.change(d => {
      d.clients[CLIENT] = petrova()
    })
    await eventually(
      "the relay to acknowledge desk a's root and shard",
      () => relayHas(a, root, relay) && relayHas(a, shard, relay),
      30_000,
    )
    // the relay's own copy of the shard (just acknowledged, so loaded), to see its memory freed once unloaded
    const held = relay.repo.handles[shard.documentId]?.doc()
    expect(held && A.save(held).length).toBeGreaterThan(0)
    const onB = await b.find<ClientShardDoc>(shard.documentId)
    await eventually("desk b to see Petrova", () => onB.doc().clients[CLIENT]?.name.val === "Petrova Olga", 30_000)
    const before = await loadedFigures(relay)
    expect(before.loaded).toBeGreaterThanOrEqual(2)

    // nobody touches the documents: the relay writes them and lets them go
    let after = before
    await eventually(
      "the relay to unload the idle shard and root, and /metrics to count them",
      async () => {
        after = await loadedFigures(relay)
        return (
          relay.repo.handles[shard.documentId] === undefined &&
          relay.repo.handles[root.documentId] === undefined &&
          after.unloaded >= 2
        )
      },
      30_000,
      { describe: () => JSON.stringify(after) },
    )
    expect(after.loaded).toBeLessThan(before.loaded)
    // freed, not left for a garbage collection (its wasm memory): the freed document refuses use
    // (A.save reaches its wasm memory; A.getHeads may answer from the heads the object keeps)
    const freed = (): boolean => {
      try {
        A.save(held!)
        return false
      } catch {
        return true
      }
    }
    await eventually("the relay to free the unloaded shard's Automerge document", freed, 10_000)

    // desk a edits again: the relay loads the shard from storage, and desk b sees the edit
    shard.change(d => {
      d.clients[CLIENT]!.phone = imm("+7 900 000-00-03")
    })
    await eventually(
      "desk b to see the phone desk a changed after the relay unloaded the shard",
      () => onB.doc().clients[CLIENT]?.phone.val === "+7 900 000-00-03",
      30_000,
    )
    expect(relay.repo.handles[shard.documentId]?.isReady()).toBe(true)
    expect(onB.doc().clients[CLIENT]?.name.val).toBe("Petrova Olga")
    // desk b's edit travels back the same way
    onB.change(d => {
      d.clients[CLIENT]!.notes = "ест только влажный корм"
    })
    await eventually("desk a to see desk b's note", () => shard.doc().clients[CLIENT]?.notes === "ест только влажный корм", 30_000)

    // unloaded again, then a desk that never had it asks for it: the whole history comes from storage
    await eventually("the relay to unload the shard again", () => relay.repo.handles[shard.documentId] === undefined, 30_000)
    const c = desk("c").repo
    const onC = await c.find<ClientShardDoc>(shard.documentId)
    await eventually("desk c to get the shard with both edits", () => onC.doc().clients[CLIENT]?.notes === "ест только влажный корм", 30_000)
    expect([...onC.heads()].sort()).toEqual([...shard.heads()].sort())
    expect(onC.doc().clients[CLIENT]?.phone.val).toBe("+7 900 000-00-03")
  })

  it("keeps the documents it holds lean (no JS copy of their values), and desks sync through it and its snapshot reads them", async () => {
    for (const leanDocs of [true, false]) {
      const dir = makeTemp("lean")
      cleanup.push(() => rmTemp(dir))
      const relay = await RelayServer.start({ dataDir: `${dir}/relay`, name: "t", clinics: ["c1"], leanDocs })
      cleanup.push(() => relay.close())
      const a = stockDesk(relay, "c1", "a", `${dir}/a`)
      const b = stockDesk(relay, "c1", "b", `${dir}/b`)
      cleanup.push(() => a.close())
      cleanup.push(() => b.close())
      const root = createDoc<RootDoc>(a.repo, "c1", "root")
      const shard = createDoc<ClientShardDoc>(a.repo, "c1", "clients/3")
      shard.change(d => {
        d.clients[CLIENT] = petrova()
      })
      root.change(d => {
        d.partitions["clients/3"] = true
      })
      const onB = await b.repo.find<ClientShardDoc>(shard.documentId)
      await eventually("desk b to see Petrova through the relay", () => onB.doc().clients[CLIENT]?.name.val === "Petrova Olga", 30_000)
      onB.change(d => {
        d.clients[CLIENT]!.notes = "боится кошек"
      })
      await eventually("desk a to see desk b's note through the relay", () => shard.doc().clients[CLIENT]?.notes === "боится кошек", 30_000)
      await eventually(
        "the relay to acknowledge both documents as desk a holds them",
        () => relayHas(a.repo, root, relay) && relayHas(a.repo, shard, relay),
        30_000,
      )
      const held = (): A.Doc<unknown>[] => [root, shard].map(h => relay.repo.handles[h.documentId]?.doc() as A.Doc<unknown>)
      if (leanDocs) {
        await eventually("the relay's root and shard to be lean", () => held().every(d => d !== undefined && isLeanDoc(d)), 10_000)
        for (const d of held()) expect(Object.keys(d)).toEqual([])
      } else for (const d of held()) expect(isLeanDoc(d)).toBe(false)
      // whole in wasm: the relay's copy holds what the desk's holds
      expect(A.toJS(held()[1]!)).toEqual(A.toJS(shard.doc()))
      // the snapshot reads the root's partitions and the shard's records from the relay's copies
      await eventually(
        "the relay's snapshot to reflect desk b's note",
        async () => {
          const res = await fetch(`${relay.url}/clinics/c1/snapshot`, { headers: { "x-vetsync-clinic": "c1", "x-vetsync-desk": "probe" } })
          if (!res.ok) return false
          return readSnapshot(await res.text()).records.clients.some(c => c.id === CLIENT && c.notes === "боится кошек")
        },
        30_000,
      )
      // the clinic's heads, as a desk asks for them: the root's partitions read from the relay's copy
      const heads = (await (
        await fetch(`${relay.url}/clinics/c1/heads`, { headers: { "x-vetsync-clinic": "c1", "x-vetsync-desk": "probe" } })
      ).json()) as Record<string, string[]>
      expect(heads["clients/3"]?.sort()).toEqual([...shard.heads()].sort())
    }
  })

  it("builds the snapshots of three clinics one at a time, each from its stored documents", async () => {
    const dir = makeTemp("queue")
    cleanup.push(() => rmTemp(dir))
    const storage = new SafeFsStorageAdapter(`${dir}/relay/docs`, { fsync: false })
    const clinics = ["k1", "k2", "k3"].map(seed =>
      generateClinic({ seed, clients: 40, patients: 50, priceItems: 5, days: 2, appointmentsPerDay: 4 }),
    )
    for (const clinic of clinics)
      for (const [key, doc] of buildClinicDocs(clinic.clinicId, clinic, "5eed".repeat(8))) {
        const bin = A.save(doc)
        const hash = createHash("sha256").update(bin).digest("hex")
        await storage.save([docIdFor(clinic.clinicId, key), "snapshot", hash], bin)
      }
    const events: BuildEvent[] = []
    const relay = await RelayServer.start({
      dataDir: `${dir}/relay`,
      clinics: clinics.map(c => c.clinicId),
      onSnapshotBuild: e => events.push(e),
    })
    cleanup.push(() => relay.close())
    for (const c of clinics) await relay.snapshotCurrent(c.clinicId)

    expect(events.filter(e => e.phase === "started").map(e => e.name).sort()).toEqual(clinics.map(c => c.clinicId).sort())
    expect(Math.max(...events.map(e => e.running))).toBe(1)
    // one build at a time: each start follows the previous build's end
    expect(events.map(e => e.phase)).toEqual(["started", "finished", "started", "finished", "started", "finished"])
    // and the others did wait their turn (they were asked for at the start, together)
    expect(Math.max(...events.map(e => e.waiting))).toBeGreaterThanOrEqual(1)
    for (const clinic of clinics) {
      const res = await fetch(`${relay.url}/clinics/${clinic.clinicId}/snapshot`, {
        headers: { "x-vetsync-clinic": clinic.clinicId, "x-vetsync-desk": "probe" },
      })
      // fetch undoes the gzip (header and body are separate gzip members, one stream)
      const snap = readSnapshot(await res.text())
      expect(snap.clinicId).toBe(clinic.clinicId)
      expect(snap.records.clients.map(c => c.id).sort()).toEqual(clinic.clients.map(c => c.id).sort())
      expect(snap.records.patients).toHaveLength(clinic.patients.length)
      expect(snap.priceList).toHaveLength(clinic.priceItems.length)
    }
    // built from storage: the relay's Repo holds none of the clinics' documents
    expect(Object.keys(relay.repo.handles).filter(id => clinics.some(c => relay.ownership.ownerOf(id) === c.clinicId))).toEqual([])
  })
})
