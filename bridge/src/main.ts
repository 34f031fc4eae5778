import { ConfigError } from "@vetsync/shared/config"
import { logStartFailure } from "@vetsync/shared/log"
import { runBridgeFromEnv } from "./startBridgeFromEnv.js"

runBridgeFromEnv().catch(e => {
  // a bad variable is explained in full; anything else with its stack
  logStartFailure("bridge", e, e instanceof ConfigError)
  process.exit(1)
})
