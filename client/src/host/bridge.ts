import type { ApiResponse } from "../core/api.js"
import type { HostCommand, HostEvent } from "../setup/setupApi.js"

/**
 * What a shell gives the desk's page: the one declaration both ends are checked against. The
 * Electron preload implements it (host/ipc/preloadApi.ts, exposed as `window.vetsync`); the UI's
 * transports (ui/api) consume it, the browser's over HTTP. Types only: the UI and the sandboxed
 * preload both import it.
 */

export interface PrintOptions {
  /** save the page as a PDF (where the shell can: DeskTransport.canSavePdf) instead of printing it */
  pdf?: boolean
}

export interface PrintResult {
  /** where the PDF was saved; absent when printed, or when staff cancelled the save dialog */
  path?: string
}

export interface DeskBridge {
  /** one call of the desk API or the setup API */
  call(command: HostCommand, args: unknown): Promise<ApiResponse<unknown>>
  /** the desk process's events; returns the unsubscribe */
  onEvent(listener: (event: HostEvent) => void): () => void
  /** prints the page as shown (the print stylesheet), or saves it as a PDF */
  print(options: PrintOptions): Promise<ApiResponse<PrintResult>>
}
