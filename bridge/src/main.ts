import { runBridgeFromEnv } from "./startBridgeFromEnv.js"

await runBridgeFromEnv()
