import type { ApiResponse } from "../../core/api.js"
import type { PrintResult } from "../../host/bridge.js"
import {
  API_PREFIX,
  DESK_SECRET_HEADER,
  DESK_SECRET_META,
  EVENTS_PATH,
  EVENTS_SECRET_PARAM,
} from "../../host/http/protocol.js"
import type { HostCommand, HostEvent } from "../../setup/setupApi.js"
import type { DeskTransport } from "./transport.js"

/** The desk API secret the desk put into this page (`<meta name="vetsync-desk-secret">`), or "" (vite's dev proxy adds it). */
export const pageSecret = (): string =>
  typeof document === "undefined"
    ? ""
    : (document.querySelector<HTMLMetaElement>(`meta[name="${DESK_SECRET_META}"]`)?.content ?? "")

/**
 * The browser transport, the page's side of host/http: POST /api/<command> with JSON args and the
 * page's secret, Server-Sent Events on /api/events (the secret in the query: EventSource sets no
 * headers), and the browser's own print dialog.
 */
export const createWebTransport = (base = "", secret = pageSecret()): DeskTransport => {
  const listeners = new Set<(event: HostEvent) => void>()
  let source: EventSource | null = null
  const open = (): void => {
    if (source) return
    source = new EventSource(
      `${base}${EVENTS_PATH}${secret ? `?${EVENTS_SECRET_PARAM}=${encodeURIComponent(secret)}` : ""}`,
    )
    source.onmessage = message => {
      const event = JSON.parse(String(message.data)) as HostEvent
      for (const listener of listeners) listener(event)
    }
  }
  return {
    kind: "web",
    canSavePdf: false,
    async call(command: HostCommand, args: unknown): Promise<ApiResponse<unknown>> {
      try {
        const res = await fetch(`${base}${API_PREFIX}${command}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(secret ? { [DESK_SECRET_HEADER]: secret } : {}) },
          body: JSON.stringify(args ?? {}),
        })
        return (await res.json()) as ApiResponse<unknown>
      } catch (e) {
        return { ok: false, error: { code: "internal", message: `desk unreachable: ${String(e)}` } }
      }
    },
    async print(): Promise<ApiResponse<PrintResult>> {
      // the page as shown, through the print stylesheet; the dialog also saves PDFs
      window.print()
      return { ok: true, value: {} }
    },
    onEvent(listener) {
      listeners.add(listener)
      open()
      return () => {
        listeners.delete(listener)
        if (listeners.size === 0 && source) {
          source.close()
          source = null
        }
      }
    },
  }
}
