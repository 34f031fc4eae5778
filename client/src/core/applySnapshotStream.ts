import type { Readable } from "node:stream"
import { isSnapshotRecords, parseSnapshotLine, recordCount, type SnapshotHeader, type SnapshotLine } from "@vetsync/shared"
import type { BootstrapTimings } from "./BootstrapTimings.js"
import type { SnapshotApplier } from "./SnapshotApplier.js"

/** chunks read ahead of the lines taken before the stream is paused */
const QUEUED_CHUNKS = 64

/** records of the snapshot written per transaction */
const BATCH_RECORDS = 30_000

export interface StreamProgress {
  /** the header arrived: how many records the snapshot holds */
  total: (records: number) => void
  /** a batch of records was applied */
  applied: (records: number) => void
}

/**
 * Applies a snapshot's NDJSON (already decompressed) to the read model as it streams in: the first
 * document's records at once, then about BATCH_RECORDS per transaction, so search covers more of
 * the clinic as it arrives and memory holds one batch (each commit costs about as much as a
 * thousand rows). Returns the header once the end line is in; throws when the stream ends before
 * it (a snapshot cut off). The one way a desk takes a snapshot, from the relay or from any stream.
 */
export const applySnapshotStream = async (
  input: Readable,
  apply: SnapshotApplier,
  timings: BootstrapTimings,
  progress: StreamProgress,
): Promise<{ header: SnapshotHeader; lines: number }> => {
  const lines = linesOf(input)
  try {
    return await applyLines(lines, apply, timings, progress)
  } finally {
    // the input is done with, whatever ended it: a download aborted later (the desk closing) must
    // not error a stream nobody listens to any more (an uncaught exception in the desk's process)
    await lines.return(undefined)
    input.destroy()
  }
}

/**
 * The stream's lines (without their "\n" or "\r\n"; a "\r" alone is no line break: JSON never
 * has one), each decoded once, whole: the bytes are cut at "\n" (which never occurs inside a UTF-8
 * sequence) and a line's bytes are decoded when it is complete. readline decoded every chunk as it
 * came (a StringDecoder), searched the text again with a regular expression and joined a records
 * line's pieces (hundreds of kB) as strings: reading the seed-scale snapshot's 51 MB of lines took
 * 0.67-0.77 s of CPU this way and 0.89-1.17 s through readline (gunzip included, loaded machine).
 */
export async function* linesOf(input: Readable): AsyncGenerator<string, void, undefined> {
  // the stream's own async iterator is not used: returned early, it leaves its "error" listener on
  // the stream it destroys (see applySnapshotStream: a later abort must find no listener)
  const chunks: Buffer[] = []
  let ended = false
  let failed: Error | undefined
  let wake: (() => void) | undefined
  const onData = (chunk: Buffer | string): void => {
    chunks.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk)
    if (chunks.length >= QUEUED_CHUNKS) input.pause()
    wake?.()
  }
  const onEnd = (): void => {
    ended = true
    wake?.()
  }
  const onError = (e: Error): void => {
    failed = e
    wake?.()
  }
  input.on("data", onData).on("end", onEnd).on("close", onEnd).on("error", onError)
  let pieces: Buffer[] = []
  /** the line ending with `last`; `eol`: it ended with "\n" (a "\r" before it is its ending's too) */
  const line = (last: Buffer, eol = true): string => {
    const bytes = pieces.length === 0 ? last : Buffer.concat([...pieces, last])
    pieces = []
    const end = eol && bytes.length > 0 && bytes[bytes.length - 1] === 13 ? bytes.length - 1 : bytes.length
    return bytes.toString("utf8", 0, end)
  }
  try {
    for (;;) {
      for (let buf = chunks.shift(); buf; buf = chunks.shift()) {
        let start = 0
        for (let nl = buf.indexOf(10); nl !== -1; nl = buf.indexOf(10, start)) {
          yield line(buf.subarray(start, nl))
          start = nl + 1
        }
        if (start < buf.length) pieces.push(buf.subarray(start))
      }
      if (failed) throw failed
      if (ended) break
      input.resume()
      await new Promise<void>(resolve => {
        wake = resolve
      })
      wake = undefined
    }
    if (pieces.length > 0) yield line(Buffer.alloc(0), false)
  } finally {
    input.off("data", onData).off("end", onEnd).off("close", onEnd).off("error", onError)
  }
}

const applyLines = async (
  lines: AsyncIterable<string>,
  apply: SnapshotApplier,
  timings: BootstrapTimings,
  progress: StreamProgress,
): Promise<{ header: SnapshotHeader; lines: number }> => {
  let n = 0
  let received = 0
  let pending: SnapshotLine[] = []
  let pendingRecords = 0
  let waitedFrom = performance.now()
  for await (const text of lines) {
    timings.add("streamMs", performance.now() - waitedFrom)
    if (text.trim() === "") {
      waitedFrom = performance.now()
      continue
    }
    const line = timings.time("parseMs", () => parseSnapshotLine(text, ++n))
    pending.push(line)
    if (line.type === "header") progress.total(line.records)
    if (isSnapshotRecords(line)) {
      pendingRecords += recordCount(line)
      if (pendingRecords < BATCH_RECORDS && received > 0) {
        waitedFrom = performance.now()
        continue
      }
    }
    const indexBefore = timings.phases.indexMs + timings.phases.reindexMs
    const t = performance.now()
    const end = apply.lines(pending)
    timings.add("insertMs", performance.now() - t - (timings.phases.indexMs + timings.phases.reindexMs - indexBefore))
    received += pendingRecords
    if (received > 0) timings.mark("firstRecordsAt")
    progress.applied(pendingRecords)
    pending = []
    pendingRecords = 0
    if (end) {
      timings.mark("appliedAt")
      return { header: end, lines: n }
    }
    waitedFrom = performance.now()
  }
  throw new Error("the snapshot was cut off before its end")
}
