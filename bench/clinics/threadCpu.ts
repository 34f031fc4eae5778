import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"

let hz: number | undefined
const ticksPerSecond = (): number => {
  if (hz === undefined) {
    try {
      hz = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100
    } catch {
      hz = 100
    }
  }
  return hz
}

/**
 * CPU seconds (user + system) of one thread of a process, from /proc/<pid>/task/<tid>/stat
 * (Linux); the main thread's id is the process id. NaN once it exited.
 */
export const threadCpu = (pid: number, tid = pid): number => {
  try {
    const s = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8")
    const f = s.slice(s.lastIndexOf(")") + 2).split(" ")
    return (Number(f[11]) + Number(f[12])) / ticksPerSecond()
  } catch {
    return Number.NaN
  }
}
