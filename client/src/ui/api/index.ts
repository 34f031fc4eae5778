import type { HostHandlers } from "../../setup/setupApi.js"
import { createClient, type DeskClient } from "./client.js"
import { createElectronTransport, electronBridge } from "./index.electron.js"
import { createWebTransport } from "./index.web.js"

export { ApiCallError, createClient, type DeskClient } from "./client.js"

/** Picks the transport at startup: the Electron preload when present, else the desk's HTTP endpoint. */
export const connectDesk = (): DeskClient => {
  const bridge = electronBridge()
  return createClient<HostHandlers>(bridge ? createElectronTransport(bridge) : createWebTransport())
}
