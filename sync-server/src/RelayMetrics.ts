import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client"
import type { Identity } from "./Authenticator.js"

/** What the metrics read from the running relay at each scrape. */
export interface RelayMetricsSource {
  identities: () => Identity[]
  traffic: () => { inMessages: number; inBytes: number; outMessages: number; outBytes: number }
  refusals: () => ReadonlyMap<string, number>
  rateLimited: () => number
  droppedDeskChanges: () => number
  documentsLoaded: () => number
  /** documents unloaded as idle since the start */
  documentsUnloaded: () => number
  documentsKnown: () => number
  durableAcks: () => number
  resyncs: () => number
  clinics: () => string[]
  snapshotState: (clinicId: string) => string
  /** the snapshot builds' queue: running now, waiting their turn */
  snapshotQueue: () => { running: number; waiting: number }
  /** per clinic, from its desks' newest reports: records waiting, and the oldest one's age in seconds */
  reported: () => Map<string, { waiting: number; oldestAgeSec: number }>
}

/** A counter whose value is a total the relay already keeps: set at each scrape. */
const pulledCounter = (
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => [Record<string, string>, number][],
): Counter =>
  new Counter({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset()
      for (const [labels, value] of read()) this.inc(labels, value)
    },
  })

/**
 * The relay's Prometheus metrics (prom-client, an own registry: no global state), served at
 * `GET /metrics`. Totals are read from the relay's own counters at scrape time; snapshot builds
 * are observed as they happen. The clinic is a label where an operator of many clinics needs it.
 */
export class RelayMetrics {
  readonly registry = new Registry()
  readonly #snapshotSeconds: Histogram
  readonly #snapshotBytes: Gauge

  constructor(src: RelayMetricsSource) {
    const r = this.registry
    collectDefaultMetrics({ register: r, prefix: "vetsync_relay_" })
    new Gauge({
      name: "vetsync_relay_connections",
      help: "Authenticated sockets, by role",
      labelNames: ["role"],
      registers: [r],
      collect() {
        this.reset()
        const ids = src.identities()
        for (const role of ["desk", "service"]) this.set({ role }, ids.filter(i => i.role === role).length)
      },
    })
    new Gauge({
      name: "vetsync_relay_desks_online",
      help: "Desks connected, by clinic",
      labelNames: ["clinic"],
      registers: [r],
      collect() {
        this.reset()
        const desks = src.identities().filter(i => i.role === "desk")
        for (const clinic of new Set([...src.clinics(), ...desks.map(d => d.clinicId)]))
          this.set({ clinic }, desks.filter(d => d.clinicId === clinic).length)
      },
    })
    pulledCounter(r, "vetsync_relay_messages_total", "Sync protocol frames, by direction", ["direction"], () => [
      [{ direction: "in" }, src.traffic().inMessages],
      [{ direction: "out" }, src.traffic().outMessages],
    ])
    pulledCounter(r, "vetsync_relay_bytes_total", "Sync protocol bytes, by direction", ["direction"], () => [
      [{ direction: "in" }, src.traffic().inBytes],
      [{ direction: "out" }, src.traffic().outBytes],
    ])
    pulledCounter(r, "vetsync_relay_refusals_total", "Sockets refused and closed, by reason", ["reason"], () =>
      [...src.refusals()].map(([reason, n]) => [{ reason }, n]),
    )
    pulledCounter(r, "vetsync_relay_rate_limited_total", "Document messages dropped by the rate limit", [], () => [
      [{}, src.rateLimited()],
    ])
    pulledCounter(
      r,
      "vetsync_relay_server_owned_dropped_total",
      "Desk sync messages dropped for changing a server-owned document",
      [],
      () => [[{}, src.droppedDeskChanges()]],
    )
    pulledCounter(
      r,
      "vetsync_relay_resyncs_total",
      "Documents given a fresh synchronizer because a peer that rejoined talked about them again",
      [],
      () => [[{}, src.resyncs()]],
    )
    pulledCounter(
      r,
      "vetsync_relay_documents_unloaded_total",
      "Documents no peer touched for VETSYNC_IDLE_UNLOAD_MINUTES, written to storage and unloaded from memory",
      [],
      () => [[{}, src.documentsUnloaded()]],
    )
    pulledCounter(r, "vetsync_relay_durable_acks_total", "Durable acknowledgements sent to desks", [], () => [
      [{}, src.durableAcks()],
    ])
    new Gauge({
      name: "vetsync_relay_documents",
      help: "Documents loaded in memory, and documents outside the fixed layout claimed by a clinic",
      labelNames: ["state"],
      registers: [r],
      collect() {
        this.set({ state: "claimed" }, src.documentsKnown())
        this.set({ state: "loaded" }, src.documentsLoaded())
      },
    })
    new Gauge({
      name: "vetsync_relay_snapshot_current",
      help: "1 when the clinic's bootstrap snapshot reflects every change the relay holds",
      labelNames: ["clinic"],
      registers: [r],
      collect() {
        this.reset()
        for (const clinic of src.clinics()) this.set({ clinic }, src.snapshotState(clinic) === "current" ? 1 : 0)
      },
    })
    new Gauge({
      name: "vetsync_relay_clinic_waiting_records",
      help: "Records the clinic's desks hold that the relay has not acknowledged, from each desk's newest report",
      labelNames: ["clinic"],
      registers: [r],
      collect() {
        this.reset()
        for (const [clinic, c] of src.reported()) this.set({ clinic }, c.waiting)
      },
    })
    new Gauge({
      name: "vetsync_relay_clinic_oldest_waiting_seconds",
      help: "Age of the oldest record waiting on any of the clinic's desks, from each desk's newest report (0: none)",
      labelNames: ["clinic"],
      registers: [r],
      collect() {
        this.reset()
        for (const [clinic, c] of src.reported()) this.set({ clinic }, c.oldestAgeSec)
      },
    })
    new Gauge({
      name: "vetsync_relay_snapshot_builds",
      help: "Snapshot builds running, and waiting their turn in the queue (VETSYNC_SNAPSHOT_BUILDS at a time)",
      labelNames: ["state"],
      registers: [r],
      collect() {
        const q = src.snapshotQueue()
        this.set({ state: "running" }, q.running)
        this.set({ state: "waiting" }, q.waiting)
      },
    })
    this.#snapshotSeconds = new Histogram({
      name: "vetsync_relay_snapshot_build_seconds",
      help: "How long building a clinic's bootstrap snapshot took",
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120],
      registers: [r],
    })
    this.#snapshotBytes = new Gauge({
      name: "vetsync_relay_snapshot_bytes",
      help: "Size of the clinic's last built snapshot (gzip)",
      labelNames: ["clinic"],
      registers: [r],
    })
  }

  snapshotBuilt(clinicId: string, seconds: number, bytes: number): void {
    this.#snapshotSeconds.observe(seconds)
    this.#snapshotBytes.set({ clinic: clinicId }, bytes)
  }

  /** The Prometheus text exposition. */
  scrape(): Promise<string> {
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}
