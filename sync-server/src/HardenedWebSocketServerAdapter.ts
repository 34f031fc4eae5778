// the adapter's one home is @vetsync/shared/net (the relay and the desks' LAN server share it)
export { HardenedWebSocketServerAdapter, type HardenedAdapterOptions } from "@vetsync/shared/net"
