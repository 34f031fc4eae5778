import { ConfigError } from "@vetsync/shared/config"
import { logStartFailure } from "@vetsync/shared/log"
import { runRelayFromEnv } from "./startRelayFromEnv.js"

runRelayFromEnv().catch(e => {
  // a bad variable is explained in full; anything else with its stack
  logStartFailure("relay", e, e instanceof ConfigError)
  process.exit(1)
})
