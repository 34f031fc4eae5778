import type { FieldError } from "@vetsync/shared/schema"
import type { ApiErrorCode, ApiResponse, DeskArgs, DeskCommand, OverlapView } from "../../core/api.js"
import type { PrintOptions, PrintResult } from "../../host/bridge.js"
import type { HostCommand, HostEvent, HostHandlers } from "../../setup/setupApi.js"
import type { DeskTransport } from "./transport.js"

/** A failed call, as the UI sees it: the code, the (English) message and per-field problems. */
export class ApiCallError extends Error {
  readonly code: ApiErrorCode
  readonly fields: FieldError[]
  /** code "overlap": the bookings of the same vet in the way */
  readonly overlaps: OverlapView[]
  constructor(code: ApiErrorCode, message: string, fields: FieldError[] = [], overlaps: OverlapView[] = []) {
    super(message)
    this.name = "ApiCallError"
    this.code = code
    this.fields = fields
    this.overlaps = overlaps
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
  /** prints the page as shown through the shell (Electron's main process, or the browser's dialog); pdf: saves one where canSavePdf */
  print(options?: PrintOptions): Promise<PrintResult>
  /** the shell saves PDFs itself (a "Save PDF" button makes sense) */
  readonly canSavePdf: boolean
  readonly transport: DeskTransport
}

/** An answer's value, or its error thrown as ApiCallError. */
const valueOf = <T>(response: ApiResponse<T>): T => {
  if (response.ok) return response.value
  const { code, message, fields, overlaps } = response.error
  throw new ApiCallError(code, message, fields ?? [], overlaps ?? [])
}

export const createClient = <H extends Handlers<H>>(transport: DeskTransport): TypedClient<H> => ({
  transport,
  canSavePdf: transport.canSavePdf,
  async call(command, ...args) {
    return valueOf(await transport.call(command as HostCommand, args[0])) as never
  },
  onEvent: listener => transport.onEvent(listener),
  async print(options = {}) {
    return valueOf(await transport.print(options))
  },
})

/** The desk API and the setup API (client/src/setup/setupApi.ts), over whichever transport. */
export type DeskClient = TypedClient<HostHandlers>
export type { DeskArgs, DeskCommand }
