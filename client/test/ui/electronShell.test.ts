import { describe, expect, it } from "vitest"
import type { DeskEvent } from "../../src/core/api.js"
import { parseShellConfig } from "../../electron/config.js"
import { CHANNELS, forwardEvents, registerDeskIpc, type IpcMainLike } from "../../electron/ipc.js"
import { createPreloadApi, type IpcRendererLike } from "../../electron/preload-api.js"
import { FakeCore } from "./fakeCore.js"

type Handler = (event: { sender: { id: number } }, ...args: unknown[]) => unknown
type Listener = (event: unknown, ...args: unknown[]) => void

/** main and renderer ends of a fake IPC, wired together */
const fakeIpc = () => {
  const handlers = new Map<string, Handler>()
  const listeners = new Map<string, Set<Listener>>()
  const ipcMain: IpcMainLike = { handle: (c, h) => void handlers.set(c, h) }
  const ipcRenderer: IpcRendererLike = {
    invoke: async (c, ...args) => {
      const h = handlers.get(c)
      if (!h) throw new Error(`no handler for ${c}`)
      return h({ sender: { id: 1 } }, ...args)
    },
    on: (c, l) => listeners.set(c, (listeners.get(c) ?? new Set()).add(l)),
    removeListener: (c, l) => listeners.get(c)?.delete(l),
  }
  const send = (c: string, payload: unknown): void => {
    for (const l of listeners.get(c) ?? []) l({ sender: "secret" }, payload)
  }
  return { handlers, ipcMain, ipcRenderer, send, listeners }
}

describe("Electron shell without the Electron binary", () => {
  it("registers one call channel dispatching to the core", async () => {
    const core = new FakeCore()
    const ipc = fakeIpc()
    registerDeskIpc(ipc.ipcMain, core)
    expect([...ipc.handlers.keys()]).toEqual([CHANNELS.call])
    const api = createPreloadApi(ipc.ipcRenderer)
    expect(await api.call("clients.search", { query: "Рекс" })).toEqual({ ok: true, value: { echo: "clients.search", args: { query: "Рекс" } } })
    expect(await api.call("clients.create", { name: "" })).toMatchObject({ ok: false, error: { code: "validation" } })
    const handler = ipc.handlers.get(CHANNELS.call)
    expect(await handler?.({ sender: { id: 1 } }, 42, {})).toMatchObject({ ok: false, error: { code: "bad_request" } })
  })

  it("exposes exactly call, onEvent and print through contextBridge, events without the IPC event", () => {
    const ipc = fakeIpc()
    const exposed = new Map<string, unknown>()
    const contextBridge = { exposeInMainWorld: (key: string, api: unknown) => void exposed.set(key, api) }
    contextBridge.exposeInMainWorld("vetsync", createPreloadApi(ipc.ipcRenderer))
    const api = exposed.get("vetsync") as ReturnType<typeof createPreloadApi>
    expect(Object.keys(api).sort()).toEqual(["call", "onEvent", "print"])
    const got: unknown[] = []
    const off = api.onEvent(e => got.push(e))
    const e: DeskEvent = { type: "records-changed", collections: ["invoices"] }
    ipc.send(CHANNELS.event, e)
    off()
    ipc.send(CHANNELS.event, e)
    expect(got).toEqual([e])
  })

  it("forwards core events to the window until it is destroyed", () => {
    const core = new FakeCore()
    const sent: unknown[] = []
    let destroyed = false
    forwardEvents(core, { send: (c, e) => sent.push([c, e]), isDestroyed: () => destroyed })
    const e: DeskEvent = { type: "records-changed", collections: ["clients"] }
    core.emit(e)
    destroyed = true
    core.emit(e)
    expect(sent).toEqual([[CHANNELS.event, e]])
    expect(core.listenerCount).toBe(0)
  })

  it("reads the desk configuration from flags or the environment", () => {
    expect(parseShellConfig(["electron", ".", "--data-dir", "/d", "--server=http://r:1"], {}, "/def")).toEqual({
      dataDir: "/d", server: "http://r:1", clinicId: "demo", deskId: "desk-1", deskCode: "D1",
    })
    expect(parseShellConfig([], { VETSYNC_CLINIC: "c1", VETSYNC_DESK_ID: "d9", VETSYNC_DESK_CODE: "K" }, "/def")).toEqual({
      dataDir: "/def", clinicId: "c1", deskId: "d9", deskCode: "K",
    })
  })
})
