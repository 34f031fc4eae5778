import { existsSync } from "node:fs"
import * as path from "node:path"
import { parseArgs } from "node:util"
import { guardProcess } from "@vetsync/shared"
import { generateClinic, sampleProfile } from "@vetsync/test-kit/seed"
import { RelayServer, type Queryable } from "@vetsync/sync-server"
import { startDesk, type RunningDesk } from "@vetsync/client"
import { readModelImageBuilds } from "./relay/readModelImageBuilds.js"
import { seedRelayStorage } from "./seed.js"
import { createLogger, lineLog, rootLogger, setRootLogger, type Logger } from "@vetsync/shared/log"

/** how long each part (desk, bridge, relay) may take to stop before `npm start` goes on without it */
const STOP_PART_MS = 30_000

/** `npm start`'s lines: the process's logger (set by runDev), named "dev" */
const logOf = (): Logger => rootLogger()

interface Closable {
  /** what the stop's lines call it */
  name: string
  close(): Promise<void>
}

/**
 * `npm start`: a relay, the bridge (embedded PostgreSQL unless DATABASE_URL is set) and one
 * desk serving its UI, all on this machine under one data directory. A demo clinic is
 * generated on the first run.
 */
export const runDev = async (argv: string[]): Promise<void> => {
  setRootLogger(createLogger({ name: "dev" }))
  guardProcess("vetsync")
  const { values } = parseArgs({
    args: argv,
    options: {
      "data-dir": { type: "string", default: ".vetsync" },
      clinic: { type: "string", default: "demo" },
      clients: { type: "string", default: "2000" },
      "relay-port": { type: "string", default: "8787" },
      "desk-port": { type: "string", default: "4800" },
      "no-bridge": { type: "boolean", default: false },
    },
  })
  const log = logOf()
  const root = path.resolve(values["data-dir"])
  const clinicId = values.clinic
  const relayDir = path.join(root, "relay")
  const closables: Closable[] = []
  /** stops every part, the last started first; false when one failed or did not stop within STOP_PART_MS */
  const stop = async (): Promise<boolean> => {
    let clean = true
    // each part's stop said, so a stop that hangs names the part it hangs in
    for (const c of closables.reverse()) {
      const t = Date.now()
      log.info(`stopping the ${c.name}`)
      let timer: NodeJS.Timeout | undefined
      const late = new Promise<"late">(resolve => (timer = setTimeout(() => resolve("late"), STOP_PART_MS)))
      const done = await Promise.race([c.close().then(() => "stopped" as const), late]).catch((e: unknown) => {
        log.error({ err: e }, `stopping the ${c.name} failed`)
        return "failed" as const
      })
      clearTimeout(timer)
      if (done === "late") log.error(`the ${c.name} did not stop within ${STOP_PART_MS} ms: going on without it`)
      else if (done === "stopped") log.info(`the ${c.name} stopped in ${Date.now() - t} ms`)
      clean &&= done === "stopped"
    }
    return clean
  }
  const onSignal = (signal: NodeJS.Signals): void => {
    log.info(`${signal}: stopping`)
    void stop().then(
      clean => process.exit(clean ? 0 : 1),
      () => process.exit(1),
    )
  }
  process.once("SIGINT", onSignal)
  process.once("SIGTERM", onSignal)

  let pins: string[] = []
  await ensureUiBuilt()
  if (!existsSync(path.join(relayDir, "docs"))) {
    const clients = Number(values.clients)
    log.info(`generating a demo clinic "${clinicId}" with ${clients} clients ...`)
    const r = await seedRelayStorage({ dataDir: relayDir, clinicId, clients, patients: Math.round(clients * 1.33) })
    log.info(`${r.docs} documents, ${(r.bytes / 1e6).toFixed(1)} MB`)
  }
  const relay = await RelayServer.start({
    dataDir: relayDir,
    port: Number(values["relay-port"]),
    clinics: [clinicId],
    readModelImages: await readModelImageBuilds(),
    log: lineLog(log.child({ component: "relay" })),
  })
  closables.push({ name: "relay", close: () => relay.close() })
  log.info(`relay ${relay.syncUrl} (health: ${relay.url}/health)`)

  if (!values["no-bridge"]) {
    const { startBridge } = await import("@vetsync/bridge")
    const bridge = await startBridge({ dataDir: path.join(root, "bridge"), relayUrl: relay.syncUrl, clinics: [clinicId] })
    closables.push({ name: "bridge", close: () => bridge.stop() })
    // the price list lives in PostgreSQL (nomenclature); the bridge publishes it to the desks
    const { listPriceItems, setPrice } = await import("@vetsync/bridge")
    if ((await listPriceItems(bridge.pool, clinicId)).length === 0) {
      const { priceItems } = generateClinic({ seed: 1, clients: 0, patients: 0 })
      // one transaction: one notification of the change instead of one per item (each republishing the list)
      const db = await bridge.pool.connect()
      try {
        await db.query("BEGIN")
        for (const p of priceItems) await setPrice(db, clinicId, { code: p.code, name: p.name, kind: p.kind, price: p.price, unit: p.unit })
        await db.query("COMMIT")
      } catch (e) {
        await db.query("ROLLBACK").catch(() => undefined)
        throw e
      } finally {
        db.release()
      }
      await bridge.publishPriceList(clinicId)
      log.info(`price list: ${priceItems.length} items written to PostgreSQL`)
    }
    // a demo profile (invoice header, Moscow time) for a clinic that has none yet: `vetsync clinics set` changes it
    const { clinicSet, clinicShow } = await import("@vetsync/sync-server")
    if ((await clinicShow(bridge.pool, clinicId)).timeZone === "") {
      await clinicSet(bridge.pool, clinicId, { ...sampleProfile(clinicId), name: "Демо-клиника «Айболит»", timeZone: "Europe/Moscow" })
      log.info(`clinic profile of ${clinicId}: a demo one (vetsync clinics show|set ${clinicId})`)
    }
    pins = await demoStaff(bridge.pool, clinicId)
    log.info(`bridge running (${process.env.DATABASE_URL ? "DATABASE_URL" : "embedded PostgreSQL"})`)
  }

  const desk: RunningDesk = await startDesk({
    dataDir: path.join(root, "desk-1"),
    server: relay.syncUrl,
    clinicId,
    deskId: "desk-1",
    deskCode: "D1",
    // the emulated cash register (its journal: <desk>/fiscal-emulator.jsonl)
    fiscal: { kind: "emulator" },
    port: Number(values["desk-port"]),
  })
  closables.push({ name: "desk", close: () => desk.close() })
  log.info(`desk ready: open ${desk.url}`)
  if (pins.length > 0) log.info(`sign in at the desk with a demo PIN (vetsync staff list --clinic ${clinicId}):\n${pins.join("\n")}`)
}

/**
 * The demo clinic's staff, added once: the generator's vets (their appointments name them), Mon–Sat
 * 09:00–18:00, and a receptionist, each with a demo PIN (printed at start: the demo is one
 * machine's). Returns "name: PIN" lines of the members added by the demo (their PINs never change
 * here), or none when the clinic has staff someone else added.
 */
const demoStaff = async (pool: Queryable, clinicId: string): Promise<string[]> => {
  const { staffAdd, staffList } = await import("@vetsync/sync-server")
  const { hashPin, parseWorkingHours } = await import("@vetsync/shared")
  const hours = parseWorkingHours("1-6 09:00-18:00")
  if (!hours.ok) throw new Error(hours.error)
  const { vets } = generateClinic({ seed: 1, clients: 0, patients: 0 })
  const wanted = [
    ...vets.map((name, i) => ({ id: `demo-vet-${i + 1}`, name, role: "vet" as const, pin: `${1001 + i}`, workingHours: hours.value })),
    { id: "demo-reception", name: "Иванова Мария Сергеевна", role: "reception" as const, pin: "1234", workingHours: {} },
  ]
  const have = await staffList(pool, clinicId)
  if (have.some(m => !m.id.startsWith("demo-"))) return []
  for (const w of wanted)
    if (!have.some(m => m.id === w.id)) await staffAdd(pool, clinicId, { ...w, pinHash: await hashPin(w.pin) })
  if (have.length === 0) logOf().info(`staff: ${vets.length} vets and a receptionist written to PostgreSQL`)
  return wanted.map(w => `  ${w.pin}  ${w.name} (${w.role})`)
}

/** Builds the Svelte UI once, when its output is missing. */
const ensureUiBuilt = async (): Promise<void> => {
  const log = logOf()
  const clientDir = path.resolve(import.meta.dirname, "../client")
  if (existsSync(path.join(clientDir, "dist/ui/index.html"))) return
  log.info("building the desk UI ...")
  const { build } = await import("vite")
  await build({ root: clientDir, configFile: path.join(clientDir, "vite.config.ts"), logLevel: "warn" })
}
