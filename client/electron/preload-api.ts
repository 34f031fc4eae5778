import type { ApiResponse, DeskEvent } from "../src/core/api.js"
import type { VetsyncBridge } from "../src/ui/api/index.electron.js"
import { CHANNELS } from "./channels.js"

/** The parts of ipcRenderer the preload uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown
}

/** Exactly what the renderer gets as `window.vetsync`: the UI's VetsyncBridge, one definition for both ends. */
export type VetsyncPreloadApi = Required<VetsyncBridge>

export const createPreloadApi = (ipc: IpcRendererLike): VetsyncPreloadApi => ({
  call: (command, args) => ipc.invoke(CHANNELS.call, String(command), args) as Promise<ApiResponse<unknown>>,
  onEvent(listener) {
    // never hand the IpcRendererEvent (it holds `sender`) to the page
    const wrapped = (_event: unknown, payload: unknown): void => listener(payload as DeskEvent)
    ipc.on(CHANNELS.event, wrapped)
    return () => void ipc.removeListener(CHANNELS.event, wrapped)
  },
  print: options => ipc.invoke(CHANNELS.print, { pdf: options?.pdf === true }) as Promise<ApiResponse<{ path?: string }>>,
})
