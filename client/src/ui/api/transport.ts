import type { ApiResponse, DeskCommand, DeskEvent } from "../../core/api.js"

/** What the UI needs from wherever the desk core runs: one call per command, and a stream of events. */
export interface DeskTransport {
  readonly kind: "web" | "electron" | "memory"
  call(command: DeskCommand, args: unknown): Promise<ApiResponse<unknown>>
  onEvent(listener: (event: DeskEvent) => void): () => void
}
