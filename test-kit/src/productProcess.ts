import { spawn } from "node:child_process"
import { resolve } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository's root (test-kit/src/ is two levels below it). */
export const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)))

/** The `vetsync` command, as an administrator runs it: `node VETSYNC_CLI ...`. */
export const VETSYNC_CLI = fileURLToPath(new URL("../../cli/vetsync.mjs", import.meta.url))

/**
 * The environment for a child that runs the product, not tests: this process's, without vitest's
 * variables and NODE_OPTIONS (a test runner's loader hooks do not belong in a relay or a desk), plus `extra`.
 */
export const productEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra }
  for (const k of Object.keys(env)) if (k.startsWith("VITEST") || k === "NODE_OPTIONS") delete env[k]
  return env
}

export interface CommandResult {
  code: number | null
  stdout: string
  stderr: string
}

/** Runs a command to its end (killed after `ms`), as an administrator types it; what it printed and its exit code. */
export const runCommand = async (
  command: string,
  args: readonly string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; ms?: number } = {},
): Promise<CommandResult> => {
  const child = spawn(command, args, { env: opts.env ?? productEnv(), cwd: opts.cwd, stdio: ["ignore", "pipe", "pipe"] })
  let stdout = ""
  let stderr = ""
  child.stdout.on("data", (d: Buffer) => (stdout += d.toString()))
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()))
  const ms = opts.ms ?? 120_000
  const timer = setTimeout(() => child.kill("SIGKILL"), ms)
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once("error", reject)
      child.once("close", c => resolve(c))
    })
    if (code === null) stderr += `\n(killed: still running after ${ms} ms)`
    return { code, stdout, stderr }
  } finally {
    clearTimeout(timer)
  }
}
