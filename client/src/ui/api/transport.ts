import type { DeskBridge } from "../../host/bridge.js"

/**
 * What the UI needs from wherever the desk core runs: the shells' DeskBridge (one call per
 * command, a stream of events, printing), and what this shell can do.
 */
export interface DeskTransport extends DeskBridge {
  readonly kind: "web" | "electron" | "memory"
  /** print({ pdf: true }) saves a PDF (Electron); a browser's own print dialog does that instead */
  readonly canSavePdf: boolean
}
