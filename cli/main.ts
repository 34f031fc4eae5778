import * as path from "node:path"
import { parseArgs } from "node:util"
import { runDev } from "./dev.js"
import { seedRelayStorage } from "./seed.js"

const HELP = `vetsync — offline-first front desk for veterinary clinics

usage:
  vetsync dev      [--data-dir .vetsync] [--clients 2000]   relay + bridge + desk with its UI, embedded defaults (npm start)
  vetsync server                                          the relay (env: PORT, HOST, VETSYNC_DATA_DIR, VETSYNC_CLINICS)
  vetsync desk     --data-dir DIR --server URL [--port N] [--clinic ID] [--desk-id ID] [--desk-code CODE]
                                                          a desk, headless, serving its UI to a browser
  vetsync bridge                                          the PostgreSQL bridge (env: DATABASE_URL, VETSYNC_DATA_DIR, VETSYNC_RELAY_URL)
  vetsync price    set|list --clinic ID [--code C --price RUB]   the price list in PostgreSQL (published to desks)
  vetsync import   --clinic ID                            loads an existing clinic's client and patient rows into documents
  vetsync clinics  add ID [--name NAME] | list              the desk registry in PostgreSQL (env: DATABASE_URL, VETSYNC_DATA_DIR)
  vetsync desks    add --clinic ID [--desk-id ID] | list [--clinic ID] | revoke DESK_ID
  vetsync services add NAME | revoke NAME                  service credentials (the bridge)
  vetsync seed     --data-dir RELAY_DIR --clinic ID [--clients N] [--patients N]
                                                          writes a generated clinic into a relay's storage (demo, bench)
`

export const main = async (argv: string[]): Promise<number> => {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case "dev":
        await runDev(rest)
        return 0
      case "server": {
        const { runRelayFromEnv } = await import("@vetsync/sync-server")
        await runRelayFromEnv()
        return 0
      }
      case "desk": {
        const { runDesk } = await import("@vetsync/client")
        await runDesk(rest)
        return 0
      }
      case "bridge": {
        const { runBridgeFromEnv } = await import("@vetsync/bridge")
        await runBridgeFromEnv()
        return 0
      }
      case "price": {
        const { priceCommand } = await import("@vetsync/bridge")
        for (const line of await priceCommand(rest)) console.log(line)
        return 0
      }
      case "import": {
        const { importCommand } = await import("@vetsync/bridge")
        for (const line of await importCommand(rest)) console.log(line)
        return 0
      }
      case "clinics":
      case "desks":
      case "services": {
        const { registryCommand } = await import("@vetsync/sync-server")
        const { Database } = await import("@vetsync/bridge")
        const db = await Database.open({
          dataDir: path.resolve(process.env.VETSYNC_DATA_DIR || "data/bridge"),
          databaseUrl: process.env.DATABASE_URL || undefined,
        })
        try {
          for (const line of await registryCommand(command, rest, db.pool)) console.log(line)
        } finally {
          await db.close()
        }
        return 0
      }
      case "seed": {
        const { values } = parseArgs({
          args: rest,
          options: {
            "data-dir": { type: "string" },
            clinic: { type: "string", default: "demo" },
            clients: { type: "string", default: "61974" },
            patients: { type: "string" },
          },
        })
        if (!values["data-dir"]) throw new Error("--data-dir is required")
        const clients = Number(values.clients)
        const patients = Number(values.patients ?? Math.round(clients * 1.33))
        const r = await seedRelayStorage({ dataDir: values["data-dir"], clinicId: values.clinic, clients, patients, priceList: true })
        console.log(`seeded clinic ${values.clinic}: ${clients} clients, ${patients} patients, ${r.docs} documents, ${r.bytes} bytes`)
        return 0
      }
      case undefined:
      case "help":
      case "--help":
        console.log(HELP)
        return 0
      default:
        console.error(`unknown command ${command}\n\n${HELP}`)
        return 2
    }
  } catch (e) {
    console.error(`vetsync ${command}: ${e instanceof Error ? e.message : String(e)}`)
    return 1
  }
}
