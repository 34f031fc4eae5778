import { readFileSync } from "node:fs"

/** One sample of the relay process's memory, in MB. */
export interface MemorySample {
  /** resident now and at its peak (VmRSS, VmHWM) */
  rss: number
  hwm: number
  /** the main thread's V8 heap, and memory outside it (Buffers, ArrayBuffers) */
  heapUsed: number
  heapTotal: number
  external: number
  arrayBuffers: number
  /**
   * resident memory of each WebAssembly memory (Automerge's, one per thread that loaded it): V8
   * reserves at least 4 GiB of address space for one and makes its used part accessible, which
   * splits the reservation into a readable mapping followed by an inaccessible one
   */
  wasm: number[]
  /** the entry worker's V8 heap, as it last reported it (undefined: not started) */
  worker?: { heapUsed: number; heapTotal: number }
}

const MB = 1024 * 1024
const mb = (bytes: number): number => Math.round(bytes / MB)
const WASM_RESERVATION = 4 * 1024 * MB

/** The resident MB of each readable mapping that an inaccessible one of at least 4 GiB follows. */
const wasmResident = (): number[] => {
  let smaps: string
  try {
    smaps = readFileSync("/proc/self/smaps", "utf8")
  } catch {
    return []
  }
  const out: number[] = []
  let prev = { end: -1, rssKb: 0 }
  let cur = { start: 0, end: 0, rssKb: 0, perms: "" }
  const close = (): void => {
    if (cur.perms.startsWith("---") && cur.end - cur.start >= WASM_RESERVATION && cur.start === prev.end && prev.rssKb >= 1024)
      out.push(Math.round(prev.rssKb / 1024))
    prev = { end: cur.end, rssKb: cur.rssKb }
  }
  for (const line of smaps.split("\n")) {
    const range = /^([0-9a-f]+)-([0-9a-f]+) (\S+) /.exec(line)
    if (range) {
      close()
      cur = { start: Number.parseInt(range[1]!, 16), end: Number.parseInt(range[2]!, 16), rssKb: 0, perms: range[3]! }
    } else if (line.startsWith("Rss:")) cur.rssKb = Number(/(\d+)/.exec(line)?.[1] ?? 0)
  }
  close()
  return out
}

const statusKb = (status: string, field: string): number => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0)

/** The process's memory now (MemorySample); `worker` from the entry worker's last report. */
export const sampleMemory = (worker?: { heapUsed: number; heapTotal: number }): MemorySample => {
  const m = process.memoryUsage()
  let status = ""
  try {
    status = readFileSync("/proc/self/status", "utf8")
  } catch {
    // not Linux: VmRSS from memoryUsage, no peak
  }
  return {
    rss: status ? Math.round(statusKb(status, "VmRSS") / 1024) : mb(m.rss),
    hwm: Math.round(statusKb(status, "VmHWM") / 1024),
    heapUsed: mb(m.heapUsed),
    heapTotal: mb(m.heapTotal),
    external: mb(m.external),
    arrayBuffers: mb(m.arrayBuffers),
    wasm: wasmResident(),
    ...(worker ? { worker: { heapUsed: mb(worker.heapUsed), heapTotal: mb(worker.heapTotal) } } : {}),
  }
}

/**
 * `VETSYNC_DEBUG=memory`: a JSON line on stderr every `everyMs` with the relay's memory
 * (sampleMemory) and what it was doing (`phase`), to find where its peak comes from.
 */
export class MemoryTrace {
  readonly #timer: NodeJS.Timeout

  constructor(o: { everyMs: number; worker: () => { heapUsed: number; heapTotal: number } | undefined; phase: () => string }) {
    this.#timer = setInterval(() => {
      const line = { ev: "memory", t: Date.now(), phase: o.phase(), ...sampleMemory(o.worker()) }
      process.stderr.write(`${JSON.stringify(line)}\n`)
    }, o.everyMs)
    this.#timer.unref()
  }

  static enabled(): boolean {
    return /\bmemory\b/.test(process.env.VETSYNC_DEBUG ?? "")
  }

  stop(): void {
    clearInterval(this.#timer)
  }
}
