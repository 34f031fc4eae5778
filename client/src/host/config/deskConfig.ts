import type { DeskHostOptions } from "../../setup/hostOptions.js"

/**
 * What the shell opens the desk process with, from the command line (--data-dir ...) or VETSYNC_*
 * variables. Without a credential in the data directory and without a development identity
 * (--clinic / --desk-id), the window shows the first-run screen.
 */
export type ShellConfig = Pick<DeskHostOptions, "dataDir" | "server" | "identity" | "deskCode">

const flag = (argv: readonly string[], name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`)
  if (i >= 0) return argv[i + 1]
  const eq = argv.find(a => a.startsWith(`--${name}=`))
  return eq?.slice(name.length + 3)
}

export const parseShellConfig = (argv: readonly string[], env: Record<string, string | undefined>, defaultDataDir: string): ShellConfig => {
  const server = flag(argv, "server") ?? env.VETSYNC_SERVER
  const clinicId = flag(argv, "clinic") ?? env.VETSYNC_CLINIC
  const deskId = flag(argv, "desk-id") ?? env.VETSYNC_DESK_ID
  const deskCode = flag(argv, "desk-code") ?? env.VETSYNC_DESK_CODE
  return {
    dataDir: flag(argv, "data-dir") ?? env.VETSYNC_DATA_DIR ?? defaultDataDir,
    ...(server ? { server } : {}),
    ...(clinicId || deskId ? { identity: { clinicId: clinicId ?? "demo", deskId: deskId ?? "desk-1", deskCode: deskCode ?? "D1" } } : {}),
    ...(deskCode ? { deskCode } : {}),
  }
}
