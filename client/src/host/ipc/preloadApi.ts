import type { ApiResponse } from "../../core/api.js"
import type { HostEvent } from "../../setup/setupApi.js"
import type { DeskBridge, PrintResult } from "../bridge.js"
import { CHANNELS } from "./channels.js"

/**
 * The renderer's side of the IPC transport: what the preload (client/electron/preload.ts) exposes
 * as `window.vetsync`. Bundled into the sandboxed preload: nothing but types and CHANNELS here.
 */

/** The parts of ipcRenderer the preload uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
}

/** Exactly a DeskBridge (host/bridge.ts), the type the UI's Electron transport takes. */
export const createPreloadApi = (ipc: IpcRendererLike): DeskBridge => ({
  call: (command, args) => ipc.invoke(CHANNELS.call, String(command), args) as Promise<ApiResponse<unknown>>,
  onEvent(listener) {
    // never hand the IpcRendererEvent (it holds `sender`) to the page
    const wrapped = (_event: unknown, payload: unknown): void => listener(payload as HostEvent)
    ipc.on(CHANNELS.event, wrapped)
    return () => void ipc.removeListener(CHANNELS.event, wrapped)
  },
  print: options => ipc.invoke(CHANNELS.print, { pdf: options?.pdf === true }) as Promise<ApiResponse<PrintResult>>,
})
