import { parseArgs } from "node:util"
import { HELP, isCommand, USAGE, UsageError, wantsHelp, type CommandName } from "./usage.js"

/** Commands configured from the environment only: any argument is a mistake. */
const noArguments = (command: CommandName, argv: readonly string[]): void => {
  if (argv.length > 0) throw new UsageError(`unexpected argument ${argv[0]}`, command)
}

const run = async (command: CommandName, rest: string[]): Promise<void> => {
  switch (command) {
    case "dev": {
      // loaded on use: `vetsync --help` and mistakes answer at once, without loading the product
      const { runDev } = await import("./dev.js")
      return runDev(rest)
    }
    case "server": {
      noArguments(command, rest)
      const { runRelayFromEnv } = await import("@vetsync/sync-server")
      const { readModelImageBuilds } = await import("./relay/readModelImageBuilds.js")
      await runRelayFromEnv(process.env, { readModelImages: await readModelImageBuilds() })
      return
    }
    case "desk": {
      const { runDesk } = await import("@vetsync/client")
      await runDesk(rest)
      return
    }
    case "bridge": {
      noArguments(command, rest)
      const { runBridgeFromEnv } = await import("@vetsync/bridge")
      await runBridgeFromEnv()
      return
    }
    case "price": {
      const { priceCommand } = await import("@vetsync/bridge")
      for (const line of await priceCommand(rest)) console.log(line)
      return
    }
    case "report": {
      const { reportCommand } = await import("@vetsync/bridge")
      for (const line of await reportCommand(rest)) console.log(line)
      return
    }
    case "import": {
      const { importCommand } = await import("@vetsync/bridge")
      for (const line of await importCommand(rest)) console.log(line)
      return
    }
    case "clinics":
    case "desks":
    case "services": {
      const { parseRegistryCommand, runRegistryAction } = await import("@vetsync/sync-server")
      // the arguments first: a mistake opens (or creates) no database
      let action
      try {
        action = parseRegistryCommand(command, rest)
      } catch (e) {
        throw new UsageError((e as Error).message.split("\n")[0] ?? "bad arguments", command)
      }
      const { commandDatabase } = await import("@vetsync/db")
      const db = await commandDatabase()
      try {
        for (const line of await runRegistryAction(action, db.pool)) console.log(line)
      } finally {
        await db.close()
      }
      return
    }
    case "staff": {
      const { parseStaffCommand, runStaffAction } = await import("@vetsync/sync-server")
      // the arguments first: a mistake opens (or creates) no database
      let action
      try {
        action = parseStaffCommand(rest)
      } catch (e) {
        throw new UsageError((e as Error).message.split("\n")[0] ?? "bad arguments", command)
      }
      const { commandDatabase } = await import("@vetsync/db")
      const db = await commandDatabase()
      try {
        for (const line of await runStaffAction(action, db.pool)) console.log(line)
      } finally {
        await db.close()
      }
      return
    }
    case "backup":
    case "restore": {
      const { parseBackupArgs, runBackup, runRestore } = await import("./backup/backupCommand.js")
      let args
      try {
        args = parseBackupArgs(command, rest)
      } catch (e) {
        throw new UsageError((e as Error).message, command)
      }
      if (command === "backup") await runBackup(args)
      else await runRestore(args)
      return
    }
    case "relay": {
      const { parseRebuildArgs, rebuildRelay } = await import("./relay/rebuildRelay.js")
      let args
      try {
        args = parseRebuildArgs(rest)
      } catch (e) {
        throw new UsageError((e as Error).message, command)
      }
      await rebuildRelay(args)
      return
    }
    case "seed": {
      let values
      try {
        ;({ values } = parseArgs({
          args: rest,
          options: {
            "data-dir": { type: "string" },
            clinic: { type: "string", default: "demo" },
            clients: { type: "string", default: "61974" },
            patients: { type: "string" },
          },
        }))
      } catch (e) {
        throw new UsageError((e as Error).message, command)
      }
      if (!values["data-dir"]) throw new UsageError("--data-dir is required", command)
      const clients = Number(values.clients)
      const patients = Number(values.patients ?? Math.round(clients * 1.33))
      if (!Number.isInteger(clients) || clients < 0 || !Number.isInteger(patients) || patients < 0)
        throw new UsageError("--clients and --patients are whole numbers", command)
      const { seedRelayStorage } = await import("./seed.js")
      const r = await seedRelayStorage({
        dataDir: values["data-dir"],
        clinicId: values.clinic,
        clients,
        patients,
        priceList: true,
      })
      console.log(
        `seeded clinic ${values.clinic}: ${clients} clients, ${patients} patients, ${r.docs} documents, ${r.bytes} bytes`,
      )
    }
  }
}

/** `vetsync <command> ...`: exit code 0, 1 (it failed) or 2 (the arguments were wrong). */
export const main = async (argv: string[]): Promise<number> => {
  const [command, ...rest] = argv
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    console.log(HELP)
    return 0
  }
  if (!isCommand(command)) {
    console.error(`unknown command ${command}\n\n${HELP}`)
    return 2
  }
  // --help anywhere after the command: its usage, and nothing is opened or started
  if (wantsHelp(rest)) {
    console.log(USAGE[command])
    return 0
  }
  try {
    await run(command, rest)
    return 0
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`vetsync ${command}: ${e.message}\n\nusage:\n${USAGE[e.command ?? command]}`)
      return 2
    }
    console.error(`vetsync ${command}: ${e instanceof Error ? e.message : String(e)}`)
    // the JavaScript build (npm run build) holds the servers and the registry's commands only (of the
    // desk, the relay's read-model image builder: @vetsync/client exports nothing else there)
    const code = (e as { code?: unknown }).code
    if (code === "ERR_UNKNOWN_FILE_EXTENSION" || code === "ERR_PACKAGE_PATH_NOT_EXPORTED")
      console.error(`the built vetsync (dist/) has no ${command}: run it from the sources, npx vetsync ${command} ...`)
    return 1
  }
}
