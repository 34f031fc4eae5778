import type { NetworkAdapterEvents } from "@automerge/automerge-repo"

export type ConnectionState = "connecting" | "open" | "closed"

export interface ConnectionEvent {
  state: ConnectionState
  error?: string
}

export interface RetryEvent {
  /** 1 for the first retry after a failure, reset when a connection succeeds */
  attempt: number
  delayMs: number
}

export interface ResilientAdapterEvents extends NetworkAdapterEvents {
  /** the connection to the relay changed state ("open": the relay answered our join) */
  connection: (event: ConnectionEvent) => void
  /** a reconnection was scheduled after this delay */
  retry: (event: RetryEvent) => void
}
