import * as readline from "node:readline"
import { Readable } from "node:stream"
import type { ReadableStream as NodeReadableStream } from "node:stream/web"
import * as A from "@automerge/automerge"
import { decodeHeads, type UrlHeads } from "@automerge/automerge-repo"
import {
  decodeBundle,
  isDocKey,
  isSnapshotRecords,
  parseSnapshotLine,
  recordCount,
  type DocKey,
  type SnapshotHeader,
  type SnapshotLine,
} from "@vetsync/shared"
import type { BootstrapProgress } from "./api.js"
import type { DocStore } from "./DocStore.js"
import type { ReadModel } from "./readmodel/ReadModel.js"
import { SnapshotApplier } from "./SnapshotApplier.js"
import { rootLogger, type Logger } from "@vetsync/shared/log"

const DEBUG = process.env.VETSYNC_DEBUG?.includes("bootstrap") ?? false
/** records of the snapshot written per transaction */
const BATCH_RECORDS = 30_000

/** ws://host:port/sync?x → http://host:port/clinics/<clinic>/snapshot (or /documents, /heads) */
const snapshotUrl = (
  server: string,
  clinicId: string,
  what: "snapshot" | "documents" | "heads" | "resync" | "report" = "snapshot",
): string => {
  const u = new URL(server)
  u.protocol = u.protocol === "wss:" ? "https:" : "http:"
  u.pathname = `/clinics/${encodeURIComponent(clinicId)}/${what}`
  return u.toString()
}

/** GET one of the relay's clinic endpoints, given up after `ms` or when `signal` aborts. */
export const fetchClinic = (
  server: string,
  clinicId: string,
  what: "snapshot" | "documents" | "heads" | "resync" | "report",
  headers: Record<string, string>,
  ms: number,
  signal?: AbortSignal,
  body?: unknown,
): Promise<Response> => {
  const timeout = AbortSignal.timeout(ms)
  return fetch(snapshotUrl(server, clinicId, what), {
    ...(body === undefined
      ? { headers }
      : { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) }),
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  })
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
  /** records of the snapshot applied so far (while it streams in) */
  #received = 0
  #total = 0
  #onProgress: () => void
  readonly #log: Logger

  constructor(rm: ReadModel, docs: DocStore, onProgress: () => void, log: Logger = rootLogger()) {
    this.#log = log
    this.#rm = rm
    this.#docs = docs
    this.#onProgress = onProgress
    this.#phase = rm.ledger.bootstrapPhase() ?? "none"
    // stopped while the snapshot streamed in: what arrived stays, the snapshot is taken again
    if (this.#phase === "snapshot") this.#setPhase("none")
    for (const [k, h] of Object.entries(rm.ledger.bootstrapTargets() ?? {})) this.#targets.set(k as DocKey, h)
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
    return {
      phase: this.#phase,
      docsTotal: this.#targets.size,
      docsLocal: local,
      records: this.#received,
      recordsTotal: this.#total,
    }
  }

  /**
   * Downloads the snapshot and applies it as it streams in (once per desk): the first document's
   * records at once, then about BATCH_RECORDS per transaction, so search covers more of the clinic
   * as it arrives and memory holds one batch. The heads are recorded only with the end line; a
   * snapshot cut off (an error) or a desk stopped half-way starts over.
   */
  async loadSnapshot(
    server: string,
    clinicId: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<void> {
    if (this.#phase !== "none") return
    this.#setPhase("snapshot")
    this.#received = 0
    this.#rm.setDurable(false)
    try {
      const res = await fetchClinic(server, clinicId, "snapshot", headers, 300_000, signal)
      if (!res.ok || !res.body) throw new Error(`snapshot: HTTP ${res.status} ${await res.text()}`)
      // fetch has undone the content-encoding: gzip already
      const lines = readline.createInterface({
        input: Readable.fromWeb(res.body as NodeReadableStream<Uint8Array>),
        crlfDelay: Infinity,
      })
      const apply = new SnapshotApplier(this.#rm, clinicId)
      let n = 0
      let busy = 0
      const started = performance.now()
      // lines are applied in batches of about BATCH_RECORDS (the first one at once, so search
      // answers early): each commit costs about as much as a thousand rows
      let pending: SnapshotLine[] = []
      let pendingRecords = 0
      for await (const text of lines) {
        if (text.trim() === "") continue
        const t = performance.now()
        const line = parseSnapshotLine(text, ++n)
        pending.push(line)
        if (line.type === "header") this.#total = line.records
        if (isSnapshotRecords(line)) {
          pendingRecords += recordCount(line)
          if (pendingRecords < BATCH_RECORDS && this.#received > 0) continue
        }
        const end = apply.lines(pending)
        this.#received += pendingRecords
        pending = []
        pendingRecords = 0
        busy += performance.now() - t
        this.#onProgress()
        if (end) {
          if (DEBUG)
            this.#log.info(
              `snapshot: ${n} lines, ${this.#received} records, ${busy.toFixed(0)} ms applying of ${(performance.now() - started).toFixed(0)} ms`,
            )
          this.#rm.setDurable(true)
          this.#finish(apply, end)
          this.#setPhase("documents")
          return
        }
      }
      throw new Error("the snapshot was cut off before its end")
    } catch (e) {
      this.#setPhase("none")
      throw e
    } finally {
      this.#rm.setDurable(true)
    }
  }

  /** Records the heads the snapshot reflects, in one transaction with its price list and rejections. */
  #finish(apply: SnapshotApplier, header: SnapshotHeader): void {
    const rm = this.#rm
    const ledger = rm.ledger
    const targets: Record<string, string[]> = {}
    rm.transaction(() => {
      apply.finish()
      const now = new Date().toISOString()
      for (const [key, state] of Object.entries(header.docs)) {
        if (!state || !isDocKey(key)) continue
        const heads = decodeHeads(state.heads as UrlHeads)
        this.#docs.layout.add(key)
        // heads the read model already reflects (its own writes, earlier syncs) are kept; the staff
        // are not in the snapshot's lines: the read model takes them from the document itself
        if (key !== "staff" && ledger.getDocHeads(state.docId) === undefined) ledger.setDocHeads(state.docId, key, heads)
        if (ledger.getRelayHeads(state.docId) === undefined) ledger.setRelayHeads(state.docId, heads, now)
        targets[key] = heads
        this.#targets.set(key, heads)
      }
      ledger.setBootstrapTargets(targets, header.generatedAt)
    })
  }

  /**
   * Downloads every document of the clinic whole (the relay's bundle, built with or after the
   * snapshot) and keeps them on disk: the desk has everything local without replaying each
   * document through the sync protocol. Returns how many documents it took.
   */
  async loadDocuments(
    server: string,
    clinicId: string,
    headers: Record<string, string>,
    signal?: AbortSignal,
  ): Promise<number> {
    if (this.#phase !== "documents") return 0
    const res = await fetchClinic(server, clinicId, "documents", headers, 300_000, signal)
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
    this.#rm.ledger.setBootstrapPhase(phase)
    this.#onProgress()
  }
}
