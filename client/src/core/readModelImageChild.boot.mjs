// The child process of ReadModelImageBuilder when the desk's code runs from its TypeScript sources
// (tsx, vitest): registers tsx's loader, as cli/vetsync.mjs does, then runs readModelImageChild.ts.
import { register } from "tsx/esm/api"

register()
await import("./readModelImageChild.ts")
