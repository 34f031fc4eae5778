import { describe, expect, it } from "vitest"
import type { DeskEvent } from "../../src/core/api.js"
import { CHANNELS, forwardEvents, isAppPage, registerDeskIpc, sendCurrentEvents, trustedSender, type IpcEventLike, type IpcMainLike } from "../../src/host/ipc/ipcTransport.js"
import { createPreloadApi, type IpcRendererLike } from "../../src/host/ipc/preloadApi.js"
import { createPrintHandler, registerPrintIpc, type WindowPrinter } from "../../src/host/ipc/printIpc.js"
import type { writeFile } from "node:fs/promises"
import * as path from "node:path"
import { DeskHost } from "../../src/setup/DeskHost.js"
import type { HostEvent } from "../../src/setup/setupApi.js"
import { coreTarget } from "../../src/host/dispatch.js"
import { tmpDir } from "../core/fixtures.js"
import { FakeCore } from "./fakeCore.js"

type Handler = (event: IpcEventLike, ...args: unknown[]) => unknown

const APP = "file:///opt/VetSync/resources/app.asar/dist/ui/index.html"
const fromApp: IpcEventLike = { sender: { id: 1 }, senderFrame: { url: `${APP}#/clients`, parent: null } }
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
      return h(fromApp, ...args)
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
    registerDeskIpc(ipc.ipcMain, coreTarget(core), trustedSender(APP))
    expect([...ipc.handlers.keys()]).toEqual([CHANNELS.call])
    const api = createPreloadApi(ipc.ipcRenderer)
    expect(await api.call("clients.search", { query: "Рекс" })).toEqual({ ok: true, value: { echo: "clients.search", args: { query: "Рекс" } } })
    expect(await api.call("clients.create", { name: "" })).toMatchObject({ ok: false, error: { code: "validation" } })
    const handler = ipc.handlers.get(CHANNELS.call)
    expect(await handler?.(fromApp, 42, {})).toMatchObject({ ok: false, error: { code: "bad_request" } })
  })

  it("answers only the app's own top frame: a foreign page, a subframe or no frame is forbidden and the core is not called", async () => {
    const core = new FakeCore()
    const ipc = fakeIpc()
    registerDeskIpc(ipc.ipcMain, coreTarget(core), trustedSender(APP))
    const handler = ipc.handlers.get(CHANNELS.call)
    const foreign: IpcEventLike[] = [
      { sender: { id: 1 }, senderFrame: { url: "https://evil.example/", parent: null } },
      { sender: { id: 1 }, senderFrame: { url: "file:///tmp/evil.html", parent: null } },
      { sender: { id: 1 }, senderFrame: { url: APP, parent: { url: APP } } },
      { sender: { id: 1 }, senderFrame: null },
    ]
    for (const event of foreign)
      expect(await handler?.(event, "clients.delete", { id: "x" })).toMatchObject({ ok: false, error: { code: "forbidden" } })
    expect(core.calls).toEqual([])
    expect(await handler?.(fromApp, "clients.delete", { id: "x" })).toMatchObject({ ok: true })
    expect(isAppPage(APP, `${APP}?x=1#/invoices`)).toBe(true)
    expect(isAppPage(APP, "http://127.0.0.1:4800/")).toBe(false)
    expect(isAppPage(APP, "not a url")).toBe(false)
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

  it("starts a page that has loaded with the desk's status, the clinic's profile and who is signed in", async () => {
    const sent: HostEvent[] = []
    let destroyed = false
    const sink = { send: (_c: string, e: HostEvent) => sent.push(e), isDestroyed: () => destroyed }
    await sendCurrentEvents(coreTarget(new FakeCore()), sink)
    expect(sent.map(e => e.type)).toEqual(["status", "profile", "session"])
    expect(sent[2]).toMatchObject({ session: { echo: "session.current" } })
    destroyed = true
    await sendCurrentEvents(coreTarget(new FakeCore()), sink)
    expect(sent).toHaveLength(3)
  })

  it("serves the desk process before enrolment: the setup API to the app's page only, setup phases to the window", async () => {
    const host = new DeskHost({ dataDir: path.join(tmpDir("electron-setup"), "desk"), log: () => undefined })
    await host.start()
    try {
      const ipc = fakeIpc()
      registerDeskIpc(ipc.ipcMain, host, trustedSender(APP))
      const sent: HostEvent[] = []
      forwardEvents(host, { send: (_c, e) => sent.push(e), isDestroyed: () => false })
      const api = createPreloadApi(ipc.ipcRenderer)
      expect(await api.call("setup.status", {})).toMatchObject({ ok: true, value: { phase: "needs-enrolment" } })
      expect(await api.call("clients.search", { query: "x" })).toMatchObject({ ok: false, error: { code: "unavailable" } })
      const handler = ipc.handlers.get(CHANNELS.call)
      const foreign: IpcEventLike = { sender: { id: 1 }, senderFrame: { url: "https://evil.example/", parent: null } }
      expect(await handler?.(foreign, "setup.enrol", { relay: "https://evil.example", token: "x" })).toMatchObject({ ok: false, error: { code: "forbidden" } })
      expect(sent).toEqual([])
      // the app's own page: checked, refused before anything is sent, and the window hears the phases
      const r = await api.call("setup.enrol", { relay: "ftp://relay.example", token: "x" })
      expect(r).toMatchObject({ ok: true, value: { phase: "needs-enrolment", failure: { code: "invalid-address", detail: "scheme" } } })
      expect(sent.map(e => (e.type === "setup" ? e.setup.phase : e.type))).toEqual(["enrolling", "needs-enrolment"])
    } finally {
      await host.close()
    }
  })

  it("prints for the app's own page only: the print dialog (closing it is no failure), or a PDF saved where staff choose", async () => {
    const log: unknown[] = []
    let outcome: [boolean, string] = [true, ""]
    let chosen: string | undefined = "/home/reception/invoice.pdf"
    const printer: WindowPrinter = {
      contents: {
        print: (options, done) => {
          log.push(["print", options])
          done(...outcome)
        },
        printToPDF: async options => {
          log.push(["pdf", options])
          return new Uint8Array([37, 80, 68, 70])
        },
      },
      choosePdfPath: async () => chosen,
    }
    const written: unknown[] = []
    const write = (async (file: unknown, data: unknown) => void written.push([file, data])) as typeof writeFile
    const handler = createPrintHandler(printer, trustedSender(APP), write)
    const foreign: IpcEventLike = { sender: { id: 1 }, senderFrame: { url: "https://evil.example/", parent: null } }
    expect(await handler(foreign, { pdf: true })).toMatchObject({ ok: false, error: { code: "forbidden" } })
    expect(log).toEqual([])

    expect(await handler(fromApp, { pdf: false })).toEqual({ ok: true, value: {} })
    outcome = [false, "cancelled"]
    expect(await handler(fromApp, {})).toEqual({ ok: true, value: {} })
    outcome = [false, "no printer"]
    expect(await handler(fromApp, undefined)).toEqual({ ok: false, error: { code: "internal", message: "no printer" } })
    expect(log).toEqual(Array(3).fill(["print", { printBackground: true }]))

    log.length = 0
    expect(await handler(fromApp, { pdf: true })).toEqual({ ok: true, value: { path: "/home/reception/invoice.pdf" } })
    expect(written).toEqual([["/home/reception/invoice.pdf", new Uint8Array([37, 80, 68, 70])]])
    chosen = undefined
    expect(await handler(fromApp, { pdf: true })).toEqual({ ok: true, value: {} })
    expect(log).toEqual([["pdf", { pageSize: "A4", printBackground: true }]])
    expect(written).toHaveLength(1)
  })

  it("the preload's print reaches the window's printer over the print channel", async () => {
    const ipc = fakeIpc()
    let printed = 0
    registerPrintIpc(
      ipc.ipcMain,
      {
        contents: {
          print: (_options, done) => {
            printed++
            done(true, "")
          },
          printToPDF: async () => new Uint8Array(),
        },
        choosePdfPath: async () => undefined,
      },
      trustedSender(APP),
    )
    expect([...ipc.handlers.keys()]).toEqual([CHANNELS.print])
    expect(await createPreloadApi(ipc.ipcRenderer).print({})).toEqual({ ok: true, value: {} })
    expect(printed).toBe(1)
  })
})
