import type { ApiResponse } from "../../core/api.js"
import type { HostCommand, HostEvent } from "../../setup/setupApi.js"
import type { DeskTransport } from "./transport.js"

/** The header the desk API requires (client/src/web/deskApiSecret.ts DESK_SECRET_HEADER). */
const SECRET_HEADER = "x-vetsync-desk-secret"

/** The desk API secret the desk put into this page (`<meta name="vetsync-desk-secret">`), or "" (vite's dev proxy adds it). */
export const pageSecret = (): string =>
  typeof document === "undefined"
    ? ""
    : (document.querySelector<HTMLMetaElement>('meta[name="vetsync-desk-secret"]')?.content ?? "")

/**
 * The browser transport: POST /api/<command> with JSON args and the page's secret, and
 * Server-Sent Events on /api/events (the secret in the query: EventSource sets no headers).
 */
export const createWebTransport = (base = "", secret = pageSecret()): DeskTransport => {
  const listeners = new Set<(event: HostEvent) => void>()
  let source: EventSource | null = null
  const open = (): void => {
    if (source) return
    source = new EventSource(`${base}/api/events${secret ? `?secret=${encodeURIComponent(secret)}` : ""}`)
    source.onmessage = message => {
      const event = JSON.parse(String(message.data)) as HostEvent
      for (const listener of listeners) listener(event)
    }
  }
  return {
    kind: "web",
    async call(command: HostCommand, args: unknown): Promise<ApiResponse<unknown>> {
      try {
        const res = await fetch(`${base}/api/${command}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(secret ? { [SECRET_HEADER]: secret } : {}) },
          body: JSON.stringify(args ?? {}),
        })
        return (await res.json()) as ApiResponse<unknown>
      } catch (e) {
        return { ok: false, error: { code: "internal", message: `desk unreachable: ${String(e)}` } }
      }
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
