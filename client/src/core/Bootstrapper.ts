import { gunzipSync } from "node:zlib"
import * as A from "@automerge/automerge"
import { decodeHeads, type UrlHeads } from "@automerge/automerge-repo"
import { decodeBundle, isDocKey, type ClinicSnapshot, type DocKey } from "@vetsync/shared"
import type { BootstrapProgress } from "./api.js"
import type { DocStore } from "./DocStore.js"
import type { ReadModel } from "./readmodel/ReadModel.js"

/** ws://host:port/sync?x → http://host:port/clinics/<clinic>/snapshot (or /documents) */
export const snapshotUrl = (server: string, clinicId: string, what: "snapshot" | "documents" | "heads" = "snapshot"): string => {
  const u = new URL(server)
  u.protocol = u.protocol === "wss:" ? "https:" : "http:"
  u.pathname = `/clinics/${encodeURIComponent(clinicId)}/${what}`
  return u.toString()
}

/**
 * Brings a new desk up: first the relay's compact snapshot of the clinic's current records
 * (search works as soon as it is in the read model), then every document in the background;
 * the read model catches up from the heads the snapshot recorded.
 */
export class Bootstrapper {
  readonly #rm: ReadModel
  readonly #docs: DocStore
  readonly #targets = new Map<DocKey, string[]>()
  /** target documents seen at (or past) the snapshot's heads; they may have been unloaded since */
  readonly #caughtUp = new Set<DocKey>()
  #phase: BootstrapProgress["phase"]
  #onProgress: () => void

  constructor(rm: ReadModel, docs: DocStore, onProgress: () => void) {
    this.#rm = rm
    this.#docs = docs
    this.#onProgress = onProgress
    this.#phase = (rm.getMeta("bootstrap") as BootstrapProgress["phase"] | undefined) ?? "none"
    const targets = rm.getMeta("bootstrapTargets")
    if (targets) for (const [k, h] of Object.entries(JSON.parse(targets) as Record<string, string[]>)) this.#targets.set(k as DocKey, h)
  }

  get phase(): BootstrapProgress["phase"] {
    return this.#phase
  }

  get running(): boolean {
    return this.#phase === "snapshot" || this.#phase === "documents"
  }

  progress(): BootstrapProgress {
    let local = 0
    for (const [key, heads] of this.#targets) if (this.#hasCaughtUp(key, heads)) local++
    if (this.#phase === "done") local = this.#targets.size
    const c = this.#rm.counts()
    return {
      phase: this.#phase,
      docsTotal: this.#targets.size,
      docsLocal: local,
      records: c.clients + c.patients + c.appointments + c.invoices,
    }
  }

  /** Downloads and loads the snapshot (once per desk). Returns false when the relay could not be reached. */
  async loadSnapshot(server: string, clinicId: string, headers: Record<string, string>, signal?: AbortSignal): Promise<boolean> {
    if (this.#phase !== "none") return true
    this.#setPhase("snapshot")
    let snap: ClinicSnapshot
    try {
      const res = await fetch(snapshotUrl(server, clinicId), {
        headers,
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(120_000)]) : AbortSignal.timeout(120_000),
      })
      if (!res.ok) throw new Error(`snapshot: HTTP ${res.status} ${await res.text()}`)
      const body = Buffer.from(await res.arrayBuffer())
      const json = body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body).toString("utf8") : body.toString("utf8")
      snap = JSON.parse(json) as ClinicSnapshot
    } catch (e) {
      this.#setPhase("none")
      throw e
    }
    try {
      this.#apply(snap, clinicId)
    } catch (e) {
      this.#setPhase("none")
      throw e
    }
    this.#setPhase("documents")
    return true
  }

  #apply(snap: ClinicSnapshot, clinicId: string): void {
    if (snap.clinicId !== clinicId) throw new Error(`snapshot is of clinic ${snap.clinicId}, expected ${clinicId}`)
    const rm = this.#rm
    const targets: Record<string, string[]> = {}
    rm.transaction(() => {
      // a desk that already wrote or received records keeps the newer version of each
      const fresh = rm.allDocHeads().length === 0
      const newer = (collection: "clients" | "patients" | "appointments" | "invoices", r: { id: string; updatedAt: string }) => {
        if (fresh) return true
        const have = rm.updatedAtOf(collection, r.id)
        return have === undefined || have < r.updatedAt
      }
      for (const c of snap.records.clients) if (newer("clients", c)) rm.upsertClient(c)
      for (const p of snap.records.patients) if (newer("patients", p)) rm.upsertPatient(p)
      for (const a of snap.records.appointments) if (newer("appointments", a)) rm.upsertAppointment(a)
      for (const i of snap.records.invoices) if (newer("invoices", i)) rm.upsertInvoice(i)
      // the price list and rejections only where the read model has nothing newer from the document
      const untouched = (key: DocKey): boolean => {
        const id = snap.docs[key]?.docId
        return id !== undefined && (fresh || rm.getDocHeads(id) === undefined)
      }
      if (untouched("pricelist")) rm.replacePriceList(snap.priceList)
      if (untouched("rejections")) rm.replaceRejections(snap.rejections)
      rm.reindexAll()
      const now = new Date().toISOString()
      for (const [key, state] of Object.entries(snap.docs)) {
        if (!state || !isDocKey(key)) continue
        const heads = decodeHeads(state.heads as UrlHeads)
        this.#docs.layout.add(key)
        // heads the read model already reflects (its own writes, earlier syncs) are kept
        if (fresh || rm.getDocHeads(state.docId) === undefined) rm.setDocHeads(state.docId, key, heads)
        if (rm.getRelayHeads(state.docId) === undefined) rm.setRelayHeads(state.docId, heads, now)
        targets[key] = heads
        this.#targets.set(key, heads)
      }
      rm.setMeta("bootstrapTargets", JSON.stringify(targets))
      rm.setMeta("snapshotAt", snap.generatedAt)
    })
  }

  /**
   * Downloads every document of the clinic whole (the relay's bundle, built with or after the
   * snapshot) and keeps them on disk: the desk has everything local without replaying each
   * document through the sync protocol. Returns how many documents it took.
   */
  async loadDocuments(server: string, clinicId: string, headers: Record<string, string>, signal?: AbortSignal): Promise<number> {
    if (this.#phase !== "documents") return 0
    const res = await fetch(snapshotUrl(server, clinicId, "documents"), {
      headers,
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(300_000)]) : AbortSignal.timeout(300_000),
    })
    if (!res.ok) throw new Error(`documents: HTTP ${res.status}`)
    const entries = decodeBundle(new Uint8Array(await res.arrayBuffer()))
    for (const e of entries) {
      if (!isDocKey(e.key) || this.#docs.layout.idOf(e.key) !== e.docId) continue
      await this.#docs.importWhole(e.key, e.bytes)
      if (this.#targets.has(e.key)) this.#caughtUp.add(e.key)
    }
    this.check()
    return entries.length
  }

  /** The documents the desk must have locally. */
  targetKeys(): DocKey[] {
    return [...this.#targets.keys()]
  }

  /** Called whenever a document changes: finishes the bootstrap once every document has caught up. */
  check(): void {
    if (this.#phase !== "documents") return
    for (const [key, heads] of this.#targets) if (!this.#hasCaughtUp(key, heads)) return
    this.#setPhase("done")
  }

  /** True once the document has been seen locally with every change of the snapshot. */
  isCaughtUp(key: DocKey): boolean {
    const heads = this.#targets.get(key)
    return heads === undefined || this.#phase === "done" || this.#hasCaughtUp(key, heads)
  }

  #hasCaughtUp(key: DocKey, heads: string[]): boolean {
    if (this.#caughtUp.has(key)) return true
    const doc = this.#docs.handleOf(key)?.doc()
    const yes = doc !== undefined && A.hasHeads(doc, heads)
    if (yes) this.#caughtUp.add(key)
    return yes
  }

  #setPhase(phase: BootstrapProgress["phase"]): void {
    this.#phase = phase
    this.#rm.setMeta("bootstrap", phase)
    this.#onProgress()
  }
}
