import { ConfigError } from "@vetsync/shared/config"
import { runBridgeFromEnv } from "./startBridgeFromEnv.js"

runBridgeFromEnv().catch(e => {
  // a bad variable is explained in full; anything else with its stack
  console.error("[bridge] failed to start:", e instanceof ConfigError ? e.message : e)
  process.exit(1)
})
