// The worker thread of EntryWorker when the relay runs from its TypeScript sources (tsx, vitest):
// registers tsx's loader, as cli/vetsync.mjs does, then runs entryThread.ts. Built JavaScript
// (npm run build) starts entryThread.js directly.
import { register } from "tsx/esm/api"

register()
await import("./entryThread.ts")
