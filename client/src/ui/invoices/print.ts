import type { DeskClient } from "../api/client.js"

/**
 * Prints the invoice on screen (the print stylesheet) through the desk's transport: Electron's
 * main process prints it or saves a PDF, a browser opens its print dialog. Answers what to tell
 * staff: where the PDF was saved, why printing failed, or null.
 */
export const printInvoice = async (api: Pick<DeskClient, "print">, pdf = false): Promise<string | null> => {
  try {
    return (await api.print({ pdf })).path ?? null
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
}
