import type { NetworkAdapterEvents } from "@automerge/automerge-repo"
import type { FailureKind } from "./failureKind.js"

export type ConnectionState = "connecting" | "open" | "closed"

export interface ConnectionEvent {
  state: ConnectionState
  error?: string
  /**
   * The relay refused this peer: it said why (an `error` frame) and closed the socket as a policy
   * violation (1008) or an oversized message (1009). The adapter then waits long before retrying.
   */
  refused?: string
}

export interface RetryEvent {
  /** 1 for the first retry after a failure, reset when a connection stayed up a while */
  attempt: number
  delayMs: number
  /** the next attempt's time (epoch ms) */
  at: number
  /** what ended the last attempt, which chose the delay (failureKind) */
  kind: FailureKind
}

/** The relay's copy of a document holds `heads` and is on its disk (fsync). */
export interface DurableEvent {
  documentId: string
  heads: string[]
}

export interface ResilientAdapterEvents extends NetworkAdapterEvents {
  /** the connection to the relay changed state ("open": the relay answered our join) */
  connection: (event: ConnectionEvent) => void
  /** a reconnection was scheduled after this delay */
  retry: (event: RetryEvent) => void
  /** what this desk announced for a document is durable on the relay */
  durable: (event: DurableEvent) => void
}
