/**
 * A bridge in a child process, for the crash test: env VETSYNC_DATA_DIR, DATABASE_URL,
 * VETSYNC_CLINICS. Prints one line per committed document projection.
 */
import { Bridge } from "../../src/Bridge.js"

const bridge = await Bridge.start({
  dataDir: process.env.VETSYNC_DATA_DIR ?? "",
  databaseUrl: process.env.DATABASE_URL,
  onProjected: (_clinic, r) => process.stdout.write(`projected ${r.docKey} rows=${r.rows}\n`),
})
for (const c of (process.env.VETSYNC_CLINICS ?? "").split(",").filter(Boolean)) await bridge.addClinic(c)
await bridge.idle()
process.stdout.write("idle\n")
