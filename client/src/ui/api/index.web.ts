import type { ApiResponse, DeskCommand, DeskEvent } from "../../core/api.js"
import type { DeskTransport } from "./transport.js"

/** The browser transport: POST /api/<command> with JSON args, and Server-Sent Events on /api/events. */
export const createWebTransport = (base = ""): DeskTransport => {
  const listeners = new Set<(event: DeskEvent) => void>()
  let source: EventSource | null = null
  const open = (): void => {
    if (source) return
    source = new EventSource(`${base}/api/events`)
    source.onmessage = message => {
      const event = JSON.parse(String(message.data)) as DeskEvent
      for (const listener of listeners) listener(event)
    }
  }
  return {
    kind: "web",
    async call(command: DeskCommand, args: unknown): Promise<ApiResponse<unknown>> {
      try {
        const res = await fetch(`${base}/api/${command}`, {
          method: "POST",
          headers: { "content-type": "application/json" },
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
