import { execFileSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"

/** CPU time and memory of one process and of its descendants, read from /proc (Linux). */
export interface ProcessSample {
  /** ms since the sampler started */
  at: number
  /** CPU seconds (user + system) of the process itself */
  cpu: number
  /** CPU seconds of its live descendants (the embedded PostgreSQL, esbuild) */
  childrenCpu: number
  /** resident set size of the process, bytes */
  rss: number
  childrenRss: number
}

const clockTicks = (): number => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100
  } catch {
    return 100
  }
}

/** utime + stime (in ticks), parent pid and rss (pages) from /proc/<pid>/stat; undefined once it exited. */
const stat = (pid: number): { ticks: number; ppid: number; rssPages: number } | undefined => {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, "utf8")
    // the command name (field 2) may hold spaces: the fields after it follow the last ')'
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ")
    return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), rssPages: Number(f[21]) }
  } catch {
    return undefined
  }
}

/**
 * Samples a process tree. CPU % over a window is the difference of two samples' CPU
 * seconds over the window's wall seconds (100 % = one core busy).
 */
export class ProcessSampler {
  readonly pid: number
  readonly #hz = clockTicks()
  readonly #page = 4096
  readonly #start = Date.now()

  constructor(pid: number) {
    this.pid = pid
  }

  /** Every live descendant of the process. */
  descendants(): number[] {
    const parents = new Map<number, number>()
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue
      const s = stat(Number(name))
      if (s) parents.set(Number(name), s.ppid)
    }
    const out: number[] = []
    const wanted = new Set([this.pid])
    for (let grew = true; grew;) {
      grew = false
      for (const [pid, ppid] of parents)
        if (wanted.has(ppid) && !wanted.has(pid)) {
          wanted.add(pid)
          out.push(pid)
          grew = true
        }
    }
    return out
  }

  sample(): ProcessSample | undefined {
    const self = stat(this.pid)
    if (!self) return undefined
    let childrenTicks = 0
    let childrenPages = 0
    for (const pid of this.descendants()) {
      const s = stat(pid)
      childrenTicks += s?.ticks ?? 0
      childrenPages += s?.rssPages ?? 0
    }
    return {
      at: Date.now() - this.#start,
      cpu: self.ticks / this.#hz,
      childrenCpu: childrenTicks / this.#hz,
      rss: self.rssPages * this.#page,
      childrenRss: childrenPages * this.#page,
    }
  }
}
