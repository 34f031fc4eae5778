import { electronBridge } from "../api/index.electron.js"

/** Electron: the main process prints (or saves a PDF); browser: window.print() with the print stylesheet. */
export const printInvoice = async (pdf = false): Promise<string | null> => {
  const bridge = electronBridge()
  if (bridge?.print) {
    const r = await bridge.print({ pdf })
    return r.ok ? (r.value.path ?? null) : r.error.message
  }
  window.print()
  return null
}

export const canSavePdf = (): boolean => !!electronBridge()?.print
