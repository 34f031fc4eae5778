/** The phases of a new desk's bootstrap, in milliseconds (what `npm run bench -- desk` prints). */
export interface BootstrapPhases {
  /** Date.now() when the snapshot was asked for, and when the relay's answer (its headers) came */
  requestedAt: number
  answeredAt: number
  /** Date.now() when the first records were searchable, and when the whole snapshot was in */
  firstRecordsAt: number
  appliedAt: number
  /** waiting for the next bytes of the snapshot: download and gunzip (fetch undoes the encoding) */
  streamMs: number
  /** splitting lines and JSON.parse */
  parseMs: number
  /** SQLite inserts of the records (with their indexes), commits included */
  insertMs: number
  /** the search index: bodies and FTS5 inserts */
  indexMs: number
  /** the secondary indexes a fresh desk's bulk load left out, built again at its end */
  reindexMs: number
  /** the end: price list, rejections, profile, heads */
  finishMs: number
  /** a read-model image taken whole instead (its download is streamMs): attached and copied into the read model */
  imageMs: number
  /** the document bundle: its download (overlapping the snapshot), and writing its documents to disk */
  bundleMs: number
  bundleWriteMs: number
  /** Date.now() when every document was on disk */
  documentsAt: number
}

/** Collects BootstrapPhases as the bootstrap runs; every figure starts at 0. */
export class BootstrapTimings {
  readonly phases: BootstrapPhases = {
    requestedAt: 0,
    answeredAt: 0,
    firstRecordsAt: 0,
    appliedAt: 0,
    streamMs: 0,
    parseMs: 0,
    insertMs: 0,
    indexMs: 0,
    reindexMs: 0,
    finishMs: 0,
    imageMs: 0,
    bundleMs: 0,
    bundleWriteMs: 0,
    documentsAt: 0,
  }

  /** Adds how long `fn` took to a duration phase, and returns what it returned. */
  time<T>(phase: DurationPhase, fn: () => T): T {
    const t = performance.now()
    try {
      return fn()
    } finally {
      this.phases[phase] += performance.now() - t
    }
  }

  add(phase: DurationPhase, ms: number): void {
    this.phases[phase] += ms
  }

  /** Records when a moment first happened (later calls keep the first). */
  mark(moment: MomentPhase): void {
    if (this.phases[moment] === 0) this.phases[moment] = Date.now()
  }

  /** Starts over (a snapshot taken again after one was cut off). */
  reset(): void {
    for (const k of Object.keys(this.phases) as (keyof BootstrapPhases)[]) this.phases[k] = 0
  }
}

export type MomentPhase = "requestedAt" | "answeredAt" | "firstRecordsAt" | "appliedAt" | "documentsAt"
export type DurationPhase = Exclude<keyof BootstrapPhases, MomentPhase>
