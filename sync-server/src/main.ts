import { ConfigError } from "@vetsync/shared/config"
import { runRelayFromEnv } from "./startRelayFromEnv.js"

runRelayFromEnv().catch(e => {
  // a bad variable is explained in full; anything else with its stack
  console.error("[relay] failed to start:", e instanceof ConfigError ? e.message : e)
  process.exit(1)
})
