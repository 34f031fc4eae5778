import type { ProjectionResult } from "./projection/projectDocument.js"
import type { WriteResult } from "./projection/writeRecords.js"

/** A server-owned document the bridge publishes from PostgreSQL. */
export type PublishedDocument = "pricelist" | "profile" | "rejections" | "staff"

/** What the bridge reports as it works (BridgeMetrics counts it for `/metrics`). */
export interface BridgeObserver {
  /** a document's projection committed */
  documentProjected(clinicId: string, result: ProjectionResult): void
  /** waiting records whose references landed were projected (committed) */
  waitingProjected(clinicId: string, result: WriteResult): void
  /** a projection of the clinic's failed (it is tried again on the document's next change) */
  projectionFailed(clinicId: string): void
  /** a server-owned document changed to match PostgreSQL */
  published(clinicId: string, document: PublishedDocument): void
  /** the LISTEN connection came back after it was lost */
  listenerReconnected(): void
}
