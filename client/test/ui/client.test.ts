import { afterEach, describe, expect, it, vi } from "vitest"
import type { ApiResponse, DeskHandlers } from "../../src/core/api.js"
import type { DeskBridge, PrintOptions, PrintResult } from "../../src/host/bridge.js"
import type { HostCommand, HostEvent } from "../../src/setup/setupApi.js"
import { ApiCallError, createClient } from "../../src/ui/api/client.js"
import { createElectronTransport } from "../../src/ui/api/index.electron.js"
import { createWebTransport } from "../../src/ui/api/index.web.js"
import type { DeskTransport } from "../../src/ui/api/transport.js"
import { printInvoice } from "../../src/ui/invoices/print.js"

const memory = (
  answer: (command: HostCommand, args: unknown) => ApiResponse<unknown>,
  printed: (options: PrintOptions) => ApiResponse<PrintResult> = () => ({ ok: true, value: {} }),
): DeskTransport & { sent: unknown[] } => {
  const sent: unknown[] = []
  return {
    kind: "memory",
    canSavePdf: true,
    sent,
    call: async (command, args) => {
      sent.push([command, args])
      return answer(command, args)
    },
    onEvent: (_l: (e: HostEvent) => void) => () => undefined,
    print: async options => {
      sent.push(["print", options])
      return printed(options)
    },
  }
}

describe("the UI's typed command client", () => {
  it("returns the value of an ok answer and sends the command with its args", async () => {
    const t = memory(() => ({ ok: true, value: { hits: [{ id: "1", name: "Иванов", phone: "", patients: [] }], total: 1 } }))
    const api = createClient<DeskHandlers>(t)
    const { hits } = await api.call("clients.search", { query: "Ив" })
    expect(hits[0]?.name).toBe("Иванов")
    expect(t.sent).toEqual([["clients.search", { query: "Ив" }]])
    await api.call("status")
    expect(t.sent[1]).toEqual(["status", undefined])
  })

  it("throws ApiCallError carrying the code and the field problems", async () => {
    const t = memory(() => ({
      ok: false,
      error: {
        code: "validation",
        message: "client is invalid: patients[0].species is required",
        fields: [{ field: "patients[0].species", code: "required", message: "is required" }],
      },
    }))
    const api = createClient<DeskHandlers>(t)
    const err = await api.call("clients.create", { name: "x" }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiCallError)
    const e = err as ApiCallError
    expect(e.code).toBe("validation")
    // a nested record's problem is named by its argument path: the form puts it next to the pet's field
    expect(e.fields.map(f => f.field)).toEqual(["patients[0].species"])
    expect(e.field("species")?.code).toBe("required")
  })
})

describe("printing through the transport", () => {
  afterEach(() => vi.unstubAllGlobals())

  it("asks the transport to print, and tells staff where the PDF went or why it failed", async () => {
    const saved = memory(
      () => ({ ok: true, value: null }),
      o => ({ ok: true, value: o.pdf ? { path: "/home/reception/invoice.pdf" } : {} }),
    )
    const api = createClient<DeskHandlers>(saved)
    expect(api.canSavePdf).toBe(true)
    expect(await printInvoice(api)).toBeNull()
    expect(await printInvoice(api, true)).toBe("/home/reception/invoice.pdf")
    expect(saved.sent).toEqual([
      ["print", { pdf: false }],
      ["print", { pdf: true }],
    ])
    const failing = createClient<DeskHandlers>(memory(() => ({ ok: true, value: null }), () => ({ ok: false, error: { code: "internal", message: "no printer" } })))
    expect(await printInvoice(failing)).toBe("no printer")
    await expect(failing.print()).rejects.toBeInstanceOf(ApiCallError)
  })

  it("Electron: the preload's bridge prints and saves PDFs", async () => {
    const asked: PrintOptions[] = []
    const bridge: DeskBridge = {
      call: async () => ({ ok: true, value: null }),
      onEvent: () => () => undefined,
      print: async options => {
        asked.push(options)
        return { ok: true, value: { path: "/tmp/i.pdf" } }
      },
    }
    const api = createClient<DeskHandlers>(createElectronTransport(bridge))
    expect(api.canSavePdf).toBe(true)
    expect(await api.print({ pdf: true })).toEqual({ path: "/tmp/i.pdf" })
    expect(asked).toEqual([{ pdf: true }])
  })

  it("browser: the page's own print dialog, no PDF button", async () => {
    const print = vi.fn()
    vi.stubGlobal("window", { print })
    const api = createClient<DeskHandlers>(createWebTransport("http://127.0.0.1:1", "s"))
    expect(api.canSavePdf).toBe(false)
    expect(await printInvoice(api)).toBeNull()
    expect(print).toHaveBeenCalledTimes(1)
  })
})
