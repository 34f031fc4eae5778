import type { ApiResponse, DeskEvent } from "../src/core/api.js"
import { dispatchCall, type DeskCoreLike } from "../src/web/dispatch.js"

import { CHANNELS } from "./channels.js"

export { CHANNELS }

/** The part of ipcMain the shell uses (so the dispatch is testable without Electron). */
export interface IpcMainLike {
  handle(channel: string, listener: (event: { sender: { id: number } }, ...args: unknown[]) => unknown): void
}

/** The part of a webContents events are forwarded to. */
export interface EventSink {
  send(channel: string, event: DeskEvent): void
  isDestroyed(): boolean
}

/** One handler for every desk command: ("vetsync:call", command, args) -> ApiResponse. Never throws. */
export const createCallHandler =
  (core: DeskCoreLike) =>
  (_event: unknown, command: unknown, args: unknown): Promise<ApiResponse<unknown>> =>
    typeof command === "string"
      ? dispatchCall(core, command, args)
      : Promise.resolve({ ok: false, error: { code: "bad_request", message: "command must be a string" } })

export const registerDeskIpc = (ipcMain: IpcMainLike, core: DeskCoreLike): void => {
  const handler = createCallHandler(core)
  ipcMain.handle(CHANNELS.call, (event, command, args) => handler(event, command, args))
}

/** Forwards every desk event to a window until it is destroyed; returns the unsubscribe. */
export const forwardEvents = (core: DeskCoreLike, sink: EventSink): (() => void) => {
  const off = core.onEvent(e => {
    if (sink.isDestroyed()) off()
    else sink.send(CHANNELS.event, e)
  })
  return off
}
