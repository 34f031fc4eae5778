import { readdirSync, readFileSync } from "node:fs"

/** Linux's clock ticks a second (USER_HZ): /proc's CPU times are counted in them. */
const TICKS = 100

interface Stat {
  pid: number
  ppid: number
  comm: string
  /** utime + stime, and the children's that were waited for (cutime + cstime), in ticks */
  ticks: number
}

const stat = (pid: number): Stat | undefined => {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8")
    const close = text.lastIndexOf(")")
    const comm = text.slice(text.indexOf("(") + 1, close)
    const f = text.slice(close + 2).split(" ")
    // fields from the state (3rd): ppid is the 4th, utime..cstime the 14th..17th
    const n = (i: number): number => Number(f[i - 3] ?? 0)
    return { pid, ppid: n(4), comm, ticks: n(14) + n(15) + n(16) + n(17) }
  } catch {
    return undefined
  }
}

const allStats = (): Stat[] =>
  readdirSync("/proc")
    .filter(d => /^\d+$/.test(d))
    .flatMap(d => stat(Number(d)) ?? [])

/**
 * CPU seconds of processes and everything they started (/proc, Linux only): the relay, the bridge
 * and the desk by their pid, PostgreSQL as the `postgres` children of this process (the embedded
 * cluster's postmaster) with its backends.
 */
export class ProcCpu {
  /** CPU seconds of `pid` and its descendants (0 when it is gone). */
  static tree(pid: number | undefined): number {
    if (pid === undefined) return 0
    const stats = allStats()
    const kids = new Map<number, Stat[]>()
    for (const s of stats) kids.set(s.ppid, [...(kids.get(s.ppid) ?? []), s])
    let ticks = 0
    const visit = (s: Stat): void => {
      ticks += s.ticks
      for (const k of kids.get(s.pid) ?? []) visit(k)
    }
    const root = stats.find(s => s.pid === pid)
    if (root) visit(root)
    return ticks / TICKS
  }

  /** CPU seconds of the `postgres` processes this process started, with their backends. */
  static postgres(): number {
    return allStats()
      .filter(s => s.ppid === process.pid && s.comm === "postgres")
      .reduce((sum, s) => sum + ProcCpu.tree(s.pid), 0)
  }
}
