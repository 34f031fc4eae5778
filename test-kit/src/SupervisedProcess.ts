import { spawn, type ChildProcess } from "node:child_process"
import { appendFileSync, closeSync, openSync, readFileSync, statSync, writeSync } from "node:fs"
import type { Readable } from "node:stream"
import { eventually } from "./eventually.js"

export interface SupervisedProcessOptions {
  /** for log markers and error messages, e.g. "relay" or "desk-2" */
  name: string
  command: string
  args: readonly string[]
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** stdout and stderr of every start are appended here, each start after a marker line */
  logFile: string
}

/** How one run of the process ended. */
export interface ProcessExit {
  pid: number
  code: number | null
  signal: NodeJS.Signals | null
  /** the supervisor asked for it (kill9, stop) */
  expected: boolean
  at: string
}

/** "12:34:56.789 " (UTC): the prefix of every logged line, to line up the logs of several processes. */
const stamp = (): string => `${new Date().toISOString().slice(11, 23)} `

/**
 * One child process that can be started, killed with -9, stopped and started again on the
 * same data. Its stdout and stderr go to its log file, every line prefixed with the time it
 * arrived. Exits that nobody asked for are kept in `exits` with expected=false.
 */
export class SupervisedProcess {
  readonly opts: SupervisedProcessOptions
  readonly exits: ProcessExit[] = []
  #child: ChildProcess | undefined
  #running = false
  #expectExit = false
  #logOffset = 0
  #starts = 0

  constructor(opts: SupervisedProcessOptions) {
    this.opts = opts
  }

  get name(): string {
    return this.opts.name
  }

  get running(): boolean {
    return this.#running
  }

  get pid(): number | undefined {
    return this.#running ? this.#child?.pid : undefined
  }

  /** how many times it was started */
  get starts(): number {
    return this.#starts
  }

  /** Starts it (with `extraArgs` after the configured ones, this time only). */
  start(extraArgs: readonly string[] = []): void {
    if (this.#running) throw new Error(`${this.name} is running already`)
    this.#starts++
    const fd = openSync(this.opts.logFile, "a")
    try {
      this.#logOffset = statSync(this.opts.logFile).size
      writeSync(fd, `\n===== ${this.name} start #${this.#starts} at ${new Date().toISOString()} =====\n`)
      const child = spawn(this.opts.command, [...this.opts.args, ...extraArgs], {
        cwd: this.opts.cwd,
        env: this.opts.env ?? process.env,
        stdio: ["ignore", "pipe", "pipe"],
      })
      // a parent that dies (a test timing out, Ctrl-C) takes its children with it
      const reap = (): void => void child.kill("SIGKILL")
      process.once("exit", reap)
      child.once("exit", () => process.removeListener("exit", reap))
      if (child.stdout) this.#copy(child.stdout)
      if (child.stderr) this.#copy(child.stderr)
      this.#child = child
      this.#running = true
      this.#expectExit = false
      child.on("error", e => this.#appendLog(`spawn error: ${e.message}`))
      child.once("close", (code, signal) => {
        this.#running = false
        this.exits.push({
          pid: child.pid ?? -1,
          code,
          signal,
          expected: this.#expectExit,
          at: new Date().toISOString(),
        })
        this.#appendLog(`exited: code ${code} signal ${signal}${this.#expectExit ? "" : " (UNEXPECTED)"}`)
      })
    } finally {
      closeSync(fd)
    }
  }

  /** kill -9, and wait (bounded) until it is gone. */
  async kill9(ms = 15_000): Promise<void> {
    if (!this.#running || !this.#child) return
    this.#expectExit = true
    this.#child.kill("SIGKILL")
    await eventually(`${this.name} to die after SIGKILL`, () => !this.#running, ms)
  }

  /** SIGTERM; SIGKILL when it has not exited after `ms`. */
  async stop(ms = 20_000): Promise<void> {
    if (!this.#running || !this.#child) return
    this.#expectExit = true
    this.#child.kill("SIGTERM")
    try {
      await eventually(`${this.name} to exit after SIGTERM`, () => !this.#running, ms)
    } catch {
      this.#appendLog(`did not exit ${ms} ms after SIGTERM: SIGKILL`)
      await this.kill9()
    }
  }

  /** What this start has logged so far. */
  logOfThisStart(): string {
    return this.log().slice(this.#logOffset)
  }

  /** The whole log file (every start). */
  log(): string {
    try {
      return readFileSync(this.opts.logFile, "utf8")
    } catch {
      return ""
    }
  }

  /** Appends a stream's lines to the log, each with its time. */
  #copy(stream: Readable): void {
    let partial = ""
    stream.on("data", (d: Buffer) => {
      const lines = (partial + d.toString("utf8")).split("\n")
      partial = lines.pop() ?? ""
      if (lines.length) appendFileSync(this.opts.logFile, lines.map(l => `${stamp()}${l}\n`).join(""))
    })
    stream.on("end", () => {
      if (partial) appendFileSync(this.opts.logFile, `${stamp()}${partial}\n`)
      partial = ""
    })
  }

  #appendLog(line: string): void {
    const fd = openSync(this.opts.logFile, "a")
    try {
      writeSync(fd, `===== ${this.name}: ${line} at ${new Date().toISOString()} =====\n`)
    } finally {
      closeSync(fd)
    }
  }
}
