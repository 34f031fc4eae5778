import type { ApiResponse } from "../../core/api.js"
import type { HostEvent } from "../../setup/setupApi.js"
import type { ApiTarget } from "../dispatch.js"
import { CHANNELS } from "./channels.js"

/**
 * The IPC transport, the Electron main process's side: every call of the desk API and the setup
 * API on one channel, to the same dispatch the HTTP transport uses (host/dispatch.ts), answered
 * only for the app's own page; the desk's events forwarded to the window. Printing: printIpc.ts.
 * Written against the parts of Electron it uses, so it is tested without the Electron binary.
 */

export { CHANNELS }

/** The part of an IPC event the shell looks at: which frame sent it (Electron's IpcMainInvokeEvent). */
export interface IpcEventLike {
  sender: { id: number }
  senderFrame: { url: string; parent: unknown } | null
}

/** The part of ipcMain the shell uses (so the dispatch is testable without Electron). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcEventLike, ...args: unknown[]) => unknown): void
}

/** The part of a webContents events are forwarded to. */
export interface EventSink {
  send(channel: string, event: HostEvent): void
  isDestroyed(): boolean
}

/**
 * Only the desk's own page may call the desk: the top frame, showing the UI's index.html from
 * the app (`appUrl`, a file: URL). Electron's security checklist: validate the sender of every
 * IPC message. The window also refuses to navigate anywhere else (main.ts), and contextIsolation
 * keeps the page from the preload's ipcRenderer; this check holds even if a foreign page or frame
 * ever got the preload's `window.vetsync`.
 */
export const trustedSender =
  (appUrl: string) =>
  (event: IpcEventLike): boolean =>
    event.senderFrame !== null && event.senderFrame.parent === null && isAppPage(appUrl, event.senderFrame.url)

/** `url` is the app's page (any query or fragment): the same file: path as `appUrl`. */
export const isAppPage = (appUrl: string, url: string): boolean => {
  try {
    const got = new URL(url)
    const want = new URL(appUrl)
    return got.protocol === "file:" && want.protocol === "file:" && got.host === want.host && got.pathname === want.pathname
  } catch {
    return false
  }
}

export const FOREIGN_SENDER: ApiResponse<never> = {
  ok: false,
  error: { code: "forbidden", message: "only the desk's own page may call the desk" },
}

/**
 * One handler for every command of the desk API and the setup API: ("vetsync:call", command, args)
 * -> ApiResponse. Never throws. `target` is the desk process's DeskHost (or a core: coreTarget).
 */
export const createCallHandler =
  (target: ApiTarget, isTrusted: (event: IpcEventLike) => boolean) =>
  (event: IpcEventLike, command: unknown, args: unknown): Promise<ApiResponse<unknown>> =>
    !isTrusted(event)
      ? Promise.resolve(FOREIGN_SENDER)
      : typeof command === "string"
        ? target.dispatch(command, args)
        : Promise.resolve({ ok: false, error: { code: "bad_request", message: "command must be a string" } })

export const registerDeskIpc = (ipcMain: IpcMainLike, target: ApiTarget, isTrusted: (event: IpcEventLike) => boolean): void => {
  const handler = createCallHandler(target, isTrusted)
  ipcMain.handle(CHANNELS.call, (event, command, args) => handler(event, command, args))
}

/** Forwards every event (the desk's, and setup phases) to a window until it is destroyed; returns the unsubscribe. */
export const forwardEvents = (target: Pick<ApiTarget, "onEvent">, sink: EventSink): (() => void) => {
  const off = target.onEvent(e => {
    if (sink.isDestroyed()) off()
    else sink.send(CHANNELS.event, e)
  })
  return off
}

/**
 * Sends a page that has just loaded what an event stream starts with (the setup phase, the desk's
 * status, the clinic's profile, who is signed in), as the HTTP transport's event stream does: events
 * sent while the page was loading reached no listener, and a profile or staff list that came then
 * was pushed to nobody. Called on the window's `did-finish-load`, after the page's script subscribed.
 */
export const sendCurrentEvents = async (target: Pick<ApiTarget, "initialEvents">, sink: EventSink): Promise<void> => {
  for (const e of await target.initialEvents()) {
    if (sink.isDestroyed()) return
    sink.send(CHANNELS.event, e)
  }
}
