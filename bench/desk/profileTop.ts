// Where a desk's main thread spent its time, from a V8 CPU profile (VETSYNC_BENCH_DESK_PROF):
//   node --import tsx bench/desk/profileTop.ts <file.cpuprofile> [until µs (the profile's clock)] [rows]
// prints self time by function (file:line) up to `until`, and the idle and GC shares.
import { readFileSync } from "node:fs"

interface ProfileNode {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  children?: number[]
}
interface Profile {
  nodes: ProfileNode[]
  startTime: number
  samples: number[]
  timeDeltas: number[]
}

const [file, untilArg, rowsArg] = process.argv.slice(2)
if (!file) throw new Error("usage: profileTop.ts <file.cpuprofile> [until µs] [rows]")
const profile = JSON.parse(readFileSync(file, "utf8")) as Profile
const until = untilArg ? Number(untilArg) : Infinity
const byId = new Map(profile.nodes.map(n => [n.id, n]))
const self = new Map<string, number>()
let t = profile.startTime
let total = 0
for (let i = 0; i < profile.samples.length; i++) {
  const dt = profile.timeDeltas[i] ?? 0
  t += dt
  if (t > until) break
  const f = byId.get(profile.samples[i]!)!.callFrame
  const name = `${f.functionName || "(anonymous)"} ${f.url.split("/").slice(-2).join("/")}:${f.lineNumber + 1}`
  self.set(name, (self.get(name) ?? 0) + dt)
  total += dt
}
const ms = (us: number): string => `${(us / 1000).toFixed(0)} ms`
process.stdout.write(`${ms(total)} sampled from the profile's start${Number.isFinite(until) ? " to the cut" : ""}\n`)
for (const [name, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(rowsArg ?? 40)))
  process.stdout.write(`${ms(us).padStart(9)}  ${((100 * us) / total).toFixed(1).padStart(5)} %  ${name}\n`)
