// The worker thread of buildClinicBinariesParallel when the product runs from its TypeScript
// sources (tsx, vitest): registers tsx's loader, as cli/vetsync.mjs does, then runs buildWorker.ts.
// Built JavaScript (npm run build) starts buildWorker.js directly.
import { register } from "tsx/esm/api"

register()
await import("./buildWorker.ts")
