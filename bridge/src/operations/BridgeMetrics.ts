import { COLLECTIONS } from "@vetsync/shared"
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client"
import type { BridgeObserver, PublishedDocument } from "../BridgeObserver.js"
import type { ProjectionResult } from "../projection/projectDocument.js"
import type { WriteResult } from "../projection/writeRecords.js"
import type { DatabaseFigures } from "../queries/operations.js"

/** What the metrics read from the running bridge at each scrape. */
export interface BridgeMetricsSource {
  /** the clinics the bridge follows (with several bridges: those whose leases it holds) */
  clinics: () => string[]
  /** the bridges sharing the clinics out, this one included (empty: not sharing) */
  bridges?: () => string[]
  /** whether the relay answered the bridge's join; undefined when no relay is configured */
  relayConnected: () => boolean | undefined
  /** the LISTEN connection is open */
  listening: () => boolean
  /** PostgreSQL's figures; rejects when it does not answer */
  figures: () => Promise<DatabaseFigures>
}

const PUBLISHED: PublishedDocument[] = ["pricelist", "profile", "rejections", "staff"]

/**
 * The bridge's Prometheus metrics (prom-client, an own registry: no global state), served at
 * `GET /metrics`, in the relay's style (RelayMetrics). Projections, refusals, the lag and
 * publications are counted as the bridge reports them (BridgeObserver); what PostgreSQL holds
 * (refused and waiting records, the change log's backlog) is read at each scrape. Per-clinic
 * series of every followed clinic are present from the start, at 0.
 */
export class BridgeMetrics implements BridgeObserver {
  readonly registry = new Registry()
  readonly #documents: Counter
  readonly #records: Counter
  readonly #failures: Counter
  readonly #rejections: Counter
  readonly #lag: Histogram
  readonly #publications: Counter
  readonly #reconnects: Counter
  /** PostgreSQL's figures read by the scrape under way; undefined when it did not answer */
  #figures: DatabaseFigures | undefined
  readonly #src: BridgeMetricsSource

  constructor(src: BridgeMetricsSource) {
    this.#src = src
    const r = this.registry
    const clinics = () => src.clinics()
    collectDefaultMetrics({ register: r, prefix: "vetsync_bridge_" })
    this.#documents = new Counter({
      name: "vetsync_bridge_documents_projected_total",
      help: "Document projections committed (a document changed since its last projection), by clinic",
      labelNames: ["clinic"],
      registers: [r],
      collect() {
        for (const clinic of clinics()) this.inc({ clinic }, 0)
      },
    })
    this.#records = new Counter({
      name: "vetsync_bridge_records_projected_total",
      help: "Rows of records written to PostgreSQL (inserted, updated or marked deleted), by clinic and collection",
      labelNames: ["clinic", "collection"],
      registers: [r],
      collect() {
        for (const clinic of clinics()) for (const collection of COLLECTIONS) this.inc({ clinic, collection }, 0)
      },
    })
    this.#failures = new Counter({
      name: "vetsync_bridge_projection_failures_total",
      help: "Projections that failed (retried at the document's next change), by clinic",
      labelNames: ["clinic"],
      registers: [r],
      collect() {
        for (const clinic of clinics()) this.inc({ clinic }, 0)
      },
    })
    this.#rejections = new Counter({
      name: "vetsync_bridge_rejections_total",
      help: "Records refused (shared validators, or PostgreSQL refused the record itself), each time one was, by clinic",
      labelNames: ["clinic"],
      registers: [r],
      collect() {
        for (const clinic of clinics()) this.inc({ clinic }, 0)
      },
    })
    this.#lag = new Histogram({
      name: "vetsync_bridge_projection_lag_seconds",
      help: "From a desk's change of a record (its updatedAt) to its row in PostgreSQL (the commit), by clinic",
      labelNames: ["clinic"],
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600, 86400],
      registers: [r],
    })
    this.#publications = new Counter({
      name: "vetsync_bridge_publications_total",
      help: "Server-owned documents changed to match PostgreSQL (price list, profile, rejections, staff), by clinic",
      labelNames: ["clinic", "document"],
      registers: [r],
      collect() {
        for (const clinic of clinics()) for (const document of PUBLISHED) this.inc({ clinic, document }, 0)
      },
    })
    this.#reconnects = new Counter({
      name: "vetsync_bridge_listen_reconnects_total",
      help: "Times the PostgreSQL LISTEN connection came back after it was lost",
      registers: [r],
    })
    new Gauge({
      name: "vetsync_bridge_listening",
      help: "1 while the PostgreSQL LISTEN connection is open",
      registers: [r],
      collect() {
        this.set(src.listening() ? 1 : 0)
      },
    })
    new Gauge({
      name: "vetsync_bridge_clinics_followed",
      help: "Clinics whose documents the bridge follows",
      registers: [r],
      collect() {
        this.set(clinics().length)
      },
    })
    new Gauge({
      name: "vetsync_bridge_clinic_held",
      help: "1 for each clinic this bridge works on: with several bridges on one PostgreSQL, those whose bridge leases it holds",
      labelNames: ["clinic"],
      registers: [r],
      collect() {
        this.reset()
        for (const clinic of clinics()) this.set({ clinic }, 1)
      },
    })
    new Gauge({
      name: "vetsync_bridge_share_members",
      help: "Bridges sharing the clinics out on this PostgreSQL, this one included, at its last look",
      registers: [r],
      collect() {
        this.set(src.bridges?.().length ?? 0)
      },
    })
    new Gauge({
      name: "vetsync_bridge_relay_connected",
      help: "1 while the relay answers the bridge (absent without a relay)",
      registers: [r],
      collect() {
        this.reset()
        const up = src.relayConnected()
        if (up !== undefined) this.set(up ? 1 : 0)
      },
    })
    this.#databaseGauges(r, clinics)
  }

  /** The gauges read from PostgreSQL (by scrape()); absent while it does not answer. */
  #databaseGauges(r: Registry, clinics: () => string[]): void {
    const figures = () => this.#figures
    const perClinic = (name: string, help: string, read: (f: DatabaseFigures, clinic: string) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ["clinic"],
        registers: [r],
        collect() {
          this.reset()
          const f = figures()
          if (!f) return
          const all = new Set([...clinics(), ...f.rejected.keys(), ...f.waiting.keys(), ...f.changeLog.keys()])
          for (const clinic of all) this.set({ clinic }, read(f, clinic))
        },
      })
    new Gauge({
      name: "vetsync_bridge_postgres_up",
      help: "1 when PostgreSQL answered this scrape's queries",
      registers: [r],
      collect() {
        this.set(figures() ? 1 : 0)
      },
    })
    perClinic(
      "vetsync_bridge_rejected_records",
      "Records refused now (reported to the desks)",
      (f, c) => f.rejected.get(c) ?? 0,
    )
    perClinic(
      "vetsync_bridge_waiting_records",
      "Valid records waiting for their client or patient to be a row",
      (f, c) => f.waiting.get(c) ?? 0,
    )
    perClinic(
      "vetsync_bridge_change_log_pending",
      "Changes of the web system not brought into the documents yet",
      (f, c) => f.changeLog.get(c)?.pending ?? 0,
    )
    perClinic(
      "vetsync_bridge_change_log_oldest_pending_seconds",
      "Age of the oldest change of the web system not brought into the documents yet (0: none)",
      (f, c) => f.changeLog.get(c)?.oldestSeconds ?? 0,
    )
  }

  documentProjected(clinicId: string, result: ProjectionResult): void {
    if (!result.upToDate) this.#documents.inc({ clinic: clinicId })
    this.#written(clinicId, result)
  }

  waitingProjected(clinicId: string, result: WriteResult): void {
    this.#written(clinicId, result)
  }

  /** Rows by collection, refusals, and each desk-changed row's lag, once its transaction committed. */
  #written(clinicId: string, result: WriteResult): void {
    for (const [collection, n] of Object.entries(result.byCollection))
      this.#records.inc({ clinic: clinicId, collection }, n)
    if (result.rejected > 0) this.#rejections.inc({ clinic: clinicId }, result.rejected)
    const now = Date.now()
    for (const at of result.deskChangedAt) this.#lag.observe({ clinic: clinicId }, Math.max(0, now - at) / 1000)
  }

  projectionFailed(clinicId: string): void {
    this.#failures.inc({ clinic: clinicId })
  }

  published(clinicId: string, document: PublishedDocument): void {
    this.#publications.inc({ clinic: clinicId, document })
  }

  listenerReconnected(): void {
    this.#reconnects.inc()
  }

  /** The Prometheus text exposition; PostgreSQL's figures are read first (2 s at most). */
  async scrape(): Promise<string> {
    this.#figures = await this.#src.figures().catch(() => undefined)
    return this.registry.metrics()
  }

  get contentType(): string {
    return this.registry.contentType
  }
}
