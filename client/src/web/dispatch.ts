import { ValidationError } from "@vetsync/shared"
import { DeskError, isDeskCommand, type ApiResponse, type DeskArgs, type DeskCommand, type DeskEvent, type DeskResult } from "../core/api.js"

/** The part of DeskCore the web server and the Electron main process use. */
export interface DeskCoreLike {
  call<C extends DeskCommand>(command: C, args: DeskArgs<C>): Promise<Awaited<DeskResult<C>>>
  onEvent(listener: (event: DeskEvent) => void): () => void
  close(): Promise<void> | void
}

/** Any thrown value -> the ApiResponse error every transport answers with. */
export const toErrorResponse = (e: unknown): ApiResponse<never> => {
  if (e instanceof DeskError) {
    return { ok: false, error: { code: e.code, message: e.message, ...(e.fields ? { fields: e.fields } : {}) } }
  }
  if (e instanceof ValidationError) return { ok: false, error: { code: "validation", message: e.message, fields: e.errors } }
  const message = e instanceof Error ? e.message : String(e)
  return { ok: false, error: { code: "internal", message } }
}

/** Dispatches one untrusted (command, args) pair to the core; never throws. */
export const dispatchCall = async (core: DeskCoreLike, command: string, args: unknown): Promise<ApiResponse<unknown>> => {
  if (!isDeskCommand(command)) return { ok: false, error: { code: "bad_request", message: `unknown command: ${command}` } }
  if (args !== undefined && args !== null && (typeof args !== "object" || Array.isArray(args))) {
    return { ok: false, error: { code: "bad_request", message: "arguments must be a JSON object" } }
  }
  try {
    const value = await core.call(command, (args ?? undefined) as DeskArgs<typeof command>)
    return { ok: true, value }
  } catch (e) {
    return toErrorResponse(e)
  }
}
