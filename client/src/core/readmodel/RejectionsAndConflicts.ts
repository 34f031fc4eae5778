import type { Collection } from "@vetsync/shared"
import { s, type Row } from "./rows.js"
import type { Statements } from "./Statements.js"

/**
 * What sync did not settle by itself and staff look at: the records the bridge refused (the
 * rejections document, as the read model last took it) and the fields two desks changed at once
 * (each record's conflicts, as of its last write to the read model).
 */
export class RejectionsAndConflicts {
  readonly #statements: Statements

  constructor(statements: Statements) {
    this.#statements = statements
  }

  /** the bridge's refusals, newest first; `key` is "<collection>/<id>" */
  rejections(): { key: string; reason: string; at: string; recordUpdatedAt: string }[] {
    return (this.#statements.of("SELECT * FROM rejections ORDER BY at DESC").all() as Row[]).map(r => ({
      key: s(r.key),
      reason: s(r.reason),
      at: s(r.at),
      recordUpdatedAt: s(r.record_updated_at),
    }))
  }
  /** each conflicting field: the value kept and the others, by record */
  conflicts(): { collection: Collection; id: string; field: string; kept: string; others: string[] }[] {
    return (this.#statements.of("SELECT * FROM conflicts ORDER BY collection, id, field").all() as Row[]).map(r => ({
      collection: s(r.collection) as Collection,
      id: s(r.id),
      field: s(r.field),
      kept: s(r.kept),
      others: JSON.parse(s(r.others)) as string[],
    }))
  }
}
