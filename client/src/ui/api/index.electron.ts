import type { ApiResponse } from "../../core/api.js"
import type { HostCommand, HostEvent } from "../../setup/setupApi.js"
import type { DeskTransport } from "./transport.js"

/** What the Electron preload exposes as `window.vetsync` (see client/electron/preload.ts). */
export interface VetsyncBridge {
  call(command: HostCommand, args: unknown): Promise<ApiResponse<unknown>>
  onEvent(listener: (event: HostEvent) => void): () => void
  print?(options: { pdf?: boolean }): Promise<ApiResponse<{ path?: string }>>
}

export const electronBridge = (): VetsyncBridge | undefined =>
  (globalThis as { vetsync?: VetsyncBridge }).vetsync

export const createElectronTransport = (bridge: VetsyncBridge): DeskTransport => ({
  kind: "electron",
  call: (command, args) => bridge.call(command, args),
  onEvent: listener => bridge.onEvent(listener),
})
