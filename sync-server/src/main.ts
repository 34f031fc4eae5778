import { runRelayFromEnv } from "./startRelayFromEnv.js"

runRelayFromEnv().catch(e => {
  console.error("[relay] failed to start", e)
  process.exit(1)
})
