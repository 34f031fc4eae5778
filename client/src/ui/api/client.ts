import type { FieldError } from "@vetsync/shared"
import type { ApiErrorCode, DeskArgs, DeskCommand } from "../../core/api.js"
import type { HostCommand, HostEvent, HostHandlers } from "../../setup/setupApi.js"
import type { DeskTransport } from "./transport.js"

/** A failed call, as the UI sees it: the code, the (English) message and per-field problems. */
export class ApiCallError extends Error {
  readonly code: ApiErrorCode
  readonly fields: FieldError[]
  constructor(code: ApiErrorCode, message: string, fields: FieldError[] = []) {
    super(message)
    this.name = "ApiCallError"
    this.code = code
    this.fields = fields
  }
  /** the first problem of one field, for showing next to it */
  field(name: string): FieldError | undefined {
    return this.fields.find(f => f.field === name || f.field.endsWith(`.${name}`))
  }
}

type Handlers<H> = { [K in keyof H]: (...args: never[]) => unknown }
type ArgsOf<H extends Handlers<H>, C extends keyof H> = Parameters<H[C]> extends [infer A] ? A : undefined

/** The typed command client every component uses: `await api.call("clients.search", { query })`. */
export interface TypedClient<H extends Handlers<H>> {
  call<C extends keyof H & string>(command: C, ...args: ArgsOf<H, C> extends undefined ? [] : [ArgsOf<H, C>]): Promise<Awaited<ReturnType<H[C]>>>
  onEvent(listener: (event: HostEvent) => void): () => void
  readonly transport: DeskTransport
}

export const createClient = <H extends Handlers<H>>(transport: DeskTransport): TypedClient<H> => ({
  transport,
  async call(command, ...args) {
    const response = await transport.call(command as HostCommand, args[0])
    if (response.ok) return response.value as never
    const { code, message, fields } = response.error
    throw new ApiCallError(code, message, fields ?? [])
  },
  onEvent: listener => transport.onEvent(listener),
})

/** The desk API and the setup API (client/src/setup/setupApi.ts), over whichever transport. */
export type DeskClient = TypedClient<HostHandlers>
export type { DeskArgs, DeskCommand }
