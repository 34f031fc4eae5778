import { ValidationError } from "@vetsync/shared"
import {
  DeskError,
  type ApiResponse,
  type ClinicProfileView,
  type DeskArgs,
  type DeskCommand,
  type DeskEvent,
  type DeskResult,
  type DeskStatus,
  type SessionView,
} from "../core/api.js"
import { isDeskCommand } from "../core/handlers.js"
import type { HostEvent, SetupCommand, SetupStatus } from "../setup/setupApi.js"
import { isSetupCommand } from "../setup/setupArgs.js"

/**
 * The dispatch every transport (host/http, host/ipc) hands its calls to: an untrusted command
 * name and arguments in, an ApiResponse out (a typed value, or a coded error), never a throw.
 */

/** The part of DeskCore the transports use. */
export interface DeskCoreLike {
  call<C extends DeskCommand>(command: C, args: DeskArgs<C>): Promise<Awaited<DeskResult<C>>>
  onEvent(listener: (event: DeskEvent) => void): () => void
  close(): Promise<void> | void
}

/** Any thrown value -> the ApiResponse error every transport answers with. */
export const toErrorResponse = (e: unknown): ApiResponse<never> => {
  if (e instanceof DeskError) {
    const extra = { ...(e.fields ? { fields: e.fields } : {}), ...(e.overlaps ? { overlaps: e.overlaps } : {}) }
    return { ok: false, error: { code: e.code, message: e.message, ...extra } }
  }
  if (e instanceof ValidationError) return { ok: false, error: { code: "validation", message: e.message, fields: e.errors } }
  const message = e instanceof Error ? e.message : String(e)
  return { ok: false, error: { code: "internal", message } }
}

const unknownCommand = (command: string): ApiResponse<never> => ({
  ok: false,
  error: { code: "bad_request", message: `unknown command: ${command}` },
})

/** Dispatches one untrusted (command, args) pair to the core; never throws. */
export const dispatchCall = async (core: DeskCoreLike, command: string, args: unknown): Promise<ApiResponse<unknown>> => {
  if (!isDeskCommand(command)) return unknownCommand(command)
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

/** Where the desk process (DeskHost) sends a call: the setup API always, the desk API to its open core. */
export interface HostRoutes {
  setup(command: SetupCommand, args: unknown): Promise<SetupStatus>
  /** the core that answers desk commands now, or (a sentence) why the desk is not open for work */
  core(): DeskCoreLike | string
}

/** Dispatches one untrusted (command, args) pair to the desk process: setup API, else desk API; never throws. */
export const dispatchHostCall = async (routes: HostRoutes, command: string, args: unknown): Promise<ApiResponse<unknown>> => {
  if (isSetupCommand(command)) {
    try {
      return { ok: true, value: await routes.setup(command, args) }
    } catch (e) {
      return toErrorResponse(e)
    }
  }
  if (!isDeskCommand(command)) return unknownCommand(command)
  const core = routes.core()
  if (typeof core === "string") return { ok: false, error: { code: "unavailable", message: core } }
  return dispatchCall(core, command, args)
}

/**
 * What a transport (the desk's HTTP server, the Electron IPC host) serves: untrusted calls by
 * name, and a stream of events. The desk process's DeskHost (desk API + setup API), or a bare
 * desk core (coreTarget).
 */
export interface ApiTarget {
  dispatch(command: string, args: unknown): Promise<ApiResponse<unknown>>
  onEvent(listener: (event: HostEvent) => void): () => void
  /** what a new event stream starts with (the current status) */
  initialEvents(): Promise<HostEvent[]>
}

/**
 * The state a desk core pushes as events, as it is now (its status, the clinic's profile and who is
 * signed in): what a new event stream starts with. A page's EventSource connects a moment after the
 * page asked for them; a profile that arrived in between (a new desk's snapshot) was pushed to nobody,
 * and the page counted days in the default zone until the profile changed again (invoicePrint in CI).
 * The staff document is the same: arriving in that moment, it left the page with no staff to choose
 * and no sign-in asked for until the next session event.
 */
export const currentEvents = async (core: DeskCoreLike): Promise<DeskEvent[]> => {
  const [status, profile, session] = await Promise.all([
    dispatchCall(core, "status", undefined),
    dispatchCall(core, "clinic.profile", undefined),
    dispatchCall(core, "session.current", undefined),
  ])
  return [
    ...(status.ok ? [{ type: "status" as const, status: status.value as DeskStatus }] : []),
    ...(profile.ok ? [{ type: "profile" as const, profile: profile.value as ClinicProfileView }] : []),
    ...(session.ok ? [{ type: "session" as const, session: session.value as SessionView }] : []),
  ]
}

/** A desk core alone as an ApiTarget: the desk API, no setup. */
export const coreTarget = (core: DeskCoreLike): ApiTarget => ({
  dispatch: (command, args) => dispatchCall(core, command, args),
  onEvent: listener => core.onEvent(listener),
  initialEvents: () => currentEvents(core),
})
