import type { FieldError } from "@vetsync/shared/schema"
import { ApiCallError } from "../api/client.js"

/** A failure that is about no field: its code (the UI says it in its language) and the desk's English detail. */
export interface Failure {
  code: string
  detail: string
}

/**
 * A form's submit state. Its fields are checked all at once before anything is sent (`checks`,
 * the form's own reading of every field: see forms/checks.ts), and, once staff tried to send,
 * again as they type, so a fixed field's message goes away. The desk's answer lands next to the
 * same fields: its problems are named by their path in the command's arguments ("name",
 * "patients[0].birthDate", "lines[1].qtyMilli"; an update's "patch.phone" is the field "phone").
 */
export class FormState {
  busy = $state(false)
  /** staff pressed the form's button once: its problems show, and follow what they type */
  tried = $state(false)
  /** the desk's field problems from the last attempt */
  remote = $state<FieldError[]>([])
  failure = $state<Failure | null>(null)
  /**
   * the paths some field of the form shows; problems of any other path are listed under the form
   * (a plain record, not state: fields note their paths as they are drawn)
   */
  readonly #shown: Record<string, true> = {}

  readonly local = $derived.by(() => (this.tried ? this.checks() : []))
  readonly fields = $derived([...this.local, ...this.remote.filter(r => !this.local.some(l => l.field === pathOf(r)))])

  constructor(private readonly checks: () => FieldError[] = () => []) {}

  /** the problem of the field at `path` (and the field shows it: it is not listed under the form) */
  error(path: string): FieldError | undefined {
    this.#shown[path] = true
    return this.fields.find(f => pathOf(f) === path)
  }

  /** problems no field of the form shows (the desk found something the form has no field for) */
  get unplaced(): FieldError[] {
    return this.fields.filter(f => !this.#shown[pathOf(f)])
  }

  reset(): void {
    this.tried = false
    this.remote = []
    this.failure = null
  }

  /** Staff pressed the button: shows every problem of the form; true when there is none. */
  attempt(): boolean {
    this.tried = true
    this.remote = []
    this.failure = null
    return this.checks().length === 0
  }

  /** runs a submit; the desk's field problems land next to the inputs, anything else in `failure` */
  async run<T>(action: () => Promise<T>): Promise<T | undefined> {
    this.busy = true
    this.remote = []
    this.failure = null
    try {
      return await action()
    } catch (e) {
      if (e instanceof ApiCallError) {
        this.remote = e.fields
        this.failure = e.fields.length > 0 ? null : { code: e.code, detail: e.message }
      } else this.failure = { code: "unreachable", detail: e instanceof Error ? e.message : String(e) }
      return undefined
    } finally {
      this.busy = false
    }
  }
}

/** an update's arguments hold the record's fields under "patch." */
const pathOf = (e: FieldError): string => e.field.replace(/^patch\./, "")
