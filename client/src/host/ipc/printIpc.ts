import { writeFile } from "node:fs/promises"
import type { ApiResponse } from "../../core/api.js"
import type { PrintResult } from "../bridge.js"
import { CHANNELS } from "./channels.js"
import { FOREIGN_SENDER, type IpcEventLike, type IpcMainLike } from "./ipcTransport.js"

/** The part of Electron's webContents printing uses. */
export interface PrintableContents {
  print(options: { printBackground: boolean }, callback: (success: boolean, failureReason: string) => void): void
  printToPDF(options: { pageSize: "A4"; printBackground: boolean }): Promise<Uint8Array>
}

/** The window that prints: its contents, and where a PDF of it goes (a save dialog; undefined: cancelled). */
export interface WindowPrinter {
  contents: PrintableContents
  choosePdfPath(): Promise<string | undefined>
}

const printed = (contents: PrintableContents): Promise<void> =>
  new Promise((ok, fail) =>
    // staff closing the print dialog is not a failure
    contents.print({ printBackground: true }, (success, reason) =>
      success || reason === "cancelled" ? ok() : fail(new Error(reason)),
    ),
  )

/**
 * The print side of the IPC transport: ("vetsync:print", { pdf }) -> the system print dialog, or
 * an A4 PDF saved where staff choose. Only for the app's own page, like every call. Never throws.
 */
export const createPrintHandler =
  (printer: WindowPrinter, isTrusted: (event: IpcEventLike) => boolean, write: typeof writeFile = writeFile) =>
  async (event: IpcEventLike, options: unknown): Promise<ApiResponse<PrintResult>> => {
    if (!isTrusted(event)) return FOREIGN_SENDER
    try {
      if ((options as { pdf?: unknown } | null | undefined)?.pdf) {
        const path = await printer.choosePdfPath()
        if (!path) return { ok: true, value: {} }
        const pdf = await printer.contents.printToPDF({ pageSize: "A4", printBackground: true })
        await write(path, pdf)
        return { ok: true, value: { path } }
      }
      await printed(printer.contents)
      return { ok: true, value: {} }
    } catch (e) {
      return { ok: false, error: { code: "internal", message: e instanceof Error ? e.message : String(e) } }
    }
  }

export const registerPrintIpc = (
  ipcMain: IpcMainLike,
  printer: WindowPrinter,
  isTrusted: (event: IpcEventLike) => boolean,
): void => {
  const handler = createPrintHandler(printer, isTrusted)
  ipcMain.handle(CHANNELS.print, (event, options) => handler(event, options))
}
