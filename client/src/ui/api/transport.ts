import type { ApiResponse } from "../../core/api.js"
import type { HostCommand, HostEvent } from "../../setup/setupApi.js"

/** What the UI needs from wherever the desk core runs: one call per command, and a stream of events. */
export interface DeskTransport {
  readonly kind: "web" | "electron" | "memory"
  call(command: HostCommand, args: unknown): Promise<ApiResponse<unknown>>
  onEvent(listener: (event: HostEvent) => void): () => void
}
