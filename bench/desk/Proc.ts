import { spawn, type ChildProcess } from "node:child_process"
import { appendFileSync, readFileSync } from "node:fs"

export interface ProcEvent {
  ev: string
  t: number
  [k: string]: unknown
}

/** A child process speaking JSON lines, with its peak resident memory from /proc. */
export class Proc {
  readonly child: ChildProcess
  readonly events: ProcEvent[] = []
  readonly #waiters: { match: (e: ProcEvent) => boolean; resolve: (e: ProcEvent) => void }[] = []
  readonly #listeners: ((e: ProcEvent) => void)[] = []
  #peak = 0

  constructor(args: string[], env: NodeJS.ProcessEnv = process.env) {
    this.child = spawn(process.execPath, args, { stdio: ["pipe", "pipe", "inherit"], env })
    let buf = ""
    this.child.stdout?.on("data", (d: Buffer) => {
      buf += d.toString()
      const lines = buf.split("\n")
      buf = lines.pop() ?? ""
      for (const l of lines) {
        if (!l.startsWith("{")) {
          // VETSYNC_BENCH_PROC_LOG=<file>: what else the processes print (node --trace-gc, say) goes there
          if (process.env.VETSYNC_BENCH_PROC_LOG) appendFileSync(process.env.VETSYNC_BENCH_PROC_LOG, `${this.child.pid ?? "?"} ${l}\n`)
          continue
        }
        const e = JSON.parse(l) as ProcEvent
        this.events.push(e)
        for (const l of this.#listeners) l(e)
        for (const w of [...this.#waiters])
          if (w.match(e)) {
            this.#waiters.splice(this.#waiters.indexOf(w), 1)
            w.resolve(e)
          }
      }
    })
    const timer = setInterval(() => this.#sample(), 200)
    this.child.once("exit", () => clearInterval(timer))
  }

  /** Told every event from now on, as it comes. */
  listen(l: (e: ProcEvent) => void): void {
    this.#listeners.push(l)
  }

  send(o: Record<string, unknown>): void {
    this.child.stdin?.write(`${JSON.stringify(o)}\n`)
  }

  next(ev: string, pred: (e: ProcEvent) => boolean = () => true, ms = 600_000): Promise<ProcEvent> {
    const found = this.events.find(e => e.ev === ev && pred(e))
    if (found) return Promise.resolve(found)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${ev}`)), ms)
      this.#waiters.push({ match: e => e.ev === ev && pred(e), resolve: e => (clearTimeout(timer), resolve(e)) })
    })
  }

  /** Peak resident set size (VmHWM) in bytes, as last sampled. */
  peakRss(): number {
    this.#sample()
    return this.#peak
  }

  #sample(): void {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, "utf8"))
      if (m) this.#peak = Math.max(this.#peak, Number(m[1]) * 1024)
    } catch {
      // exited
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    this.child.kill("SIGTERM")
    await new Promise(r => this.child.once("exit", r))
  }
}
