import { describe, expect, it } from "vitest"
import { dispatchCall } from "../../src/web/dispatch.js"
import { FakeCore } from "./fakeCore.js"

describe("dispatchCall", () => {
  it("passes a known command and its args to the core", async () => {
    const core = new FakeCore()
    const r = await dispatchCall(core, "clients.search", { query: "Ив" })
    expect(r).toEqual({ ok: true, value: { echo: "clients.search", args: { query: "Ив" } } })
  })

  it("refuses unknown commands and non-object args without calling the core", async () => {
    const core = new FakeCore()
    expect(await dispatchCall(core, "constructor", {})).toMatchObject({ ok: false, error: { code: "bad_request" } })
    expect(await dispatchCall(core, "clients.search", [1])).toMatchObject({ ok: false, error: { code: "bad_request" } })
    expect(await dispatchCall(core, "clients.search", "x")).toMatchObject({ ok: false, error: { code: "bad_request" } })
    expect(core.calls).toHaveLength(0)
  })

  it("turns DeskError into code, message and fields", async () => {
    const r = await dispatchCall(new FakeCore(), "clients.create", { name: "" })
    expect(r).toEqual({
      ok: false,
      error: { code: "validation", message: "client is invalid", fields: [{ field: "name", code: "required", message: "is required" }] },
    })
    expect(await dispatchCall(new FakeCore(), "clients.get", { id: "x" })).toEqual({ ok: false, error: { code: "not_found", message: "no such client" } })
  })

  it("turns any other throw into an internal error", async () => {
    expect(await dispatchCall(new FakeCore(), "invoices.void", { id: "x" })).toEqual({ ok: false, error: { code: "internal", message: "boom" } })
  })
})
