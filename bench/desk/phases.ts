import type { BootstrapPhases } from "@vetsync/client"
import type { Row } from "../table.js"
import type { ProcEvent } from "./Proc.js"

const ms = (n: number): string => (n >= 10_000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`)

/**
 * Where a new desk's time went, from its process's spawn to everything local: the rows of the
 * desk benchmark's breakdown (the driver's events and DeskCore.bootstrapTimings()).
 */
export const bootstrapPhaseRows = (
  spawnedAt: number,
  events: { started: ProcEvent; opened: ProcEvent; searchable: ProcEvent; local: ProcEvent | undefined },
): Row[] => {
  const p = events.local?.timings as BootstrapPhases | undefined
  const row = (metric: string, value: number | undefined, note: string): Row => ({
    metric: `  ${metric}`,
    value: value === undefined || Number.isNaN(value) ? "-" : ms(value),
    target: "",
    note,
  })
  const at = (t: number | undefined): number | undefined => (t ? t - spawnedAt : undefined)
  const cpu = (e: ProcEvent | undefined): number | undefined => (e && typeof e.cpuMs === "number" ? e.cpuMs : undefined)
  return [
    row(
      "desk CPU until searchable",
      cpu(events.searchable),
      "user + system of the desk process: what load does not inflate",
    ),
    row("desk CPU until everything local", cpu(events.local), ""),
    row("desk CPU of the process start", cpu(events.started), "Node and the imports (built, or through tsx)"),
    row("process start (Node, imports)", events.started.t - spawnedAt, "spawn → the driver's first line"),
    row("DeskCore.open", Number(events.opened.ms), "read model, repo, adapters"),
    row("snapshot asked for", at(p?.requestedAt), "since spawn"),
    row("snapshot answered", at(p?.answeredAt), "since spawn: the relay's response headers"),
    row("first records searchable", at(p?.firstRecordsAt), "since spawn: the first batch committed"),
    row("waiting for bytes (download, gunzip)", p?.streamMs, "time the line reader waited on the stream"),
    row("parse (lines, JSON.parse)", p?.parseMs, ""),
    row("SQLite inserts (and commits)", p?.insertMs, "records with their indexes"),
    row("search index (FTS5 trigram)", p?.indexMs, "bodies and FTS inserts"),
    row("secondary indexes built after the load", p?.reindexMs, "a fresh desk's bulk load"),
    row("finish (price list, profile, heads)", p?.finishMs, ""),
    row("read-model image taken (attach, copy)", p?.imageMs, "instead of parse, inserts and index: the relay's image"),
    row("snapshot applied", at(p?.appliedAt), "since spawn"),
    row("bundle download", p?.bundleMs, "asked for with the snapshot (after an image's download): overlaps it"),
    row("bundle written to disk", p?.bundleWriteMs, "documents saved whole"),
    row("documents on disk", at(p?.documentsAt), "since spawn"),
  ]
}
