/** What the shell opens the desk core with, from the command line (--data-dir ...) or VETSYNC_* variables. */
export interface ShellConfig {
  dataDir: string
  server?: string
  clinicId: string
  deskId: string
  deskCode: string
}

const flag = (argv: readonly string[], name: string): string | undefined => {
  const i = argv.indexOf(`--${name}`)
  if (i >= 0) return argv[i + 1]
  const eq = argv.find(a => a.startsWith(`--${name}=`))
  return eq?.slice(name.length + 3)
}

export const parseShellConfig = (argv: readonly string[], env: Record<string, string | undefined>, defaultDataDir: string): ShellConfig => {
  const server = flag(argv, "server") ?? env.VETSYNC_SERVER
  return {
    dataDir: flag(argv, "data-dir") ?? env.VETSYNC_DATA_DIR ?? defaultDataDir,
    ...(server ? { server } : {}),
    clinicId: flag(argv, "clinic") ?? env.VETSYNC_CLINIC ?? "demo",
    deskId: flag(argv, "desk-id") ?? env.VETSYNC_DESK_ID ?? "desk-1",
    deskCode: flag(argv, "desk-code") ?? env.VETSYNC_DESK_CODE ?? "D1",
  }
}
