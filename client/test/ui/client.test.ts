import { describe, expect, it } from "vitest"
import type { ApiResponse, DeskHandlers } from "../../src/core/api.js"
import type { HostCommand, HostEvent } from "../../src/setup/setupApi.js"
import { ApiCallError, createClient } from "../../src/ui/api/client.js"
import type { DeskTransport } from "../../src/ui/api/transport.js"
import { scopeOf } from "../../src/ui/state/errors.js"

const memory = (answer: (command: HostCommand, args: unknown) => ApiResponse<unknown>): DeskTransport & { sent: unknown[] } => {
  const sent: unknown[] = []
  return {
    kind: "memory",
    sent,
    call: async (command, args) => {
      sent.push([command, args])
      return answer(command, args)
    },
    onEvent: (_l: (e: HostEvent) => void) => () => undefined,
  }
}

describe("the UI's typed command client", () => {
  it("returns the value of an ok answer and sends the command with its args", async () => {
    const t = memory(() => ({ ok: true, value: [{ id: "1", name: "Иванов", phone: "", patients: [] }] }))
    const api = createClient<DeskHandlers>(t)
    const hits = await api.call("clients.search", { query: "Ив" })
    expect(hits[0]?.name).toBe("Иванов")
    expect(t.sent).toEqual([["clients.search", { query: "Ив" }]])
    await api.call("status")
    expect(t.sent[1]).toEqual(["status", undefined])
  })

  it("throws ApiCallError carrying the code and the field problems", async () => {
    const t = memory(() => ({
      ok: false,
      error: { code: "validation", message: "patient 1 is invalid: species is required", fields: [{ field: "species", code: "required", message: "is required" }] },
    }))
    const api = createClient<DeskHandlers>(t)
    const err = await api.call("clients.create", { name: "x" }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiCallError)
    const e = err as ApiCallError
    expect(e.code).toBe("validation")
    expect(e.field("species")?.code).toBe("required")
    expect(scopeOf(e.message)).toBe("patient")
    expect(scopeOf("client is invalid: name is required")).toBe("client")
    expect(scopeOf("desk unreachable")).toBe("")
  })
})
