import type { DeskBridge } from "../../host/bridge.js"
import type { DeskTransport } from "./transport.js"

/** The Electron preload's `window.vetsync` (client/electron/preload.ts), if this page has one. */
export const electronBridge = (): DeskBridge | undefined => (globalThis as { vetsync?: DeskBridge }).vetsync

/** The Electron transport: the preload's bridge; its main process prints, and saves PDFs. */
export const createElectronTransport = (bridge: DeskBridge): DeskTransport => ({
  kind: "electron",
  canSavePdf: true,
  call: (command, args) => bridge.call(command, args),
  onEvent: listener => bridge.onEvent(listener),
  print: options => bridge.print(options),
})
