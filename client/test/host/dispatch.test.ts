import { describe, expect, it } from "vitest"
import { DeskError } from "../../src/core/api.js"
import { dispatchCall, dispatchHostCall, type HostRoutes } from "../../src/host/dispatch.js"
import type { SetupCommand, SetupStatus } from "../../src/setup/setupApi.js"
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
      error: {
        code: "validation",
        message: "client is invalid",
        fields: [{ field: "name", code: "required", message: "is required" }],
      },
    })
    expect(await dispatchCall(new FakeCore(), "clients.get", { id: "x" })).toEqual({
      ok: false,
      error: { code: "not_found", message: "no such client" },
    })
  })

  it("turns any other throw into an internal error", async () => {
    expect(await dispatchCall(new FakeCore(), "invoices.void", { id: "x" })).toEqual({
      ok: false,
      error: { code: "internal", message: "boom" },
    })
  })
})

describe("dispatchHostCall", () => {
  const status = { phase: "needs-enrolment" } as SetupStatus
  const routes = (core: FakeCore | string) => {
    const setupCalls: [SetupCommand, unknown][] = []
    const r: HostRoutes = {
      setup: async (command, args) => {
        setupCalls.push([command, args])
        if (command === "setup.keepData")
          throw new DeskError("bad_request", "there is no other clinic's credential to throw away")
        return status
      },
      core: () => core,
    }
    return { r, setupCalls }
  }

  it("sends setup commands to the setup API whatever the desk's state, its errors as ApiResponse", async () => {
    const { r, setupCalls } = routes("not enrolled")
    expect(await dispatchHostCall(r, "setup.status", {})).toEqual({ ok: true, value: status })
    expect(await dispatchHostCall(r, "setup.keepData", undefined)).toEqual({
      ok: false,
      error: { code: "bad_request", message: "there is no other clinic's credential to throw away" },
    })
    expect(setupCalls).toEqual([
      ["setup.status", {}],
      ["setup.keepData", undefined],
    ])
  })

  it("sends desk commands to the open core, or answers unavailable with the reason; unknown names go nowhere", async () => {
    const core = new FakeCore()
    expect(await dispatchHostCall(routes(core).r, "clients.search", { query: "Ив" })).toEqual({
      ok: true,
      value: { echo: "clients.search", args: { query: "Ив" } },
    })
    expect(await dispatchHostCall(routes("the desk is not open for work (revoked)").r, "clients.search", {})).toEqual({
      ok: false,
      error: { code: "unavailable", message: "the desk is not open for work (revoked)" },
    })
    const { r, setupCalls } = routes(core)
    for (const name of ["setup", "toString", "__proto__", "clients.search ", ""])
      expect(await dispatchHostCall(r, name, {})).toMatchObject({ ok: false, error: { code: "bad_request" } })
    expect(setupCalls).toEqual([])
    expect(core.calls).toHaveLength(1)
  })
})
