import type { FieldError } from "@vetsync/shared/schema"
import { ApiCallError } from "../api/client.js"
import { scopeOf } from "./errors.js"

/** A form's submit state: busy flag, per-field problems from a DeskError, and a general message. */
export class FormState {
  busy = $state(false)
  fields = $state<FieldError[]>([])
  /** which record the field problems are about ("client", "patient", "appointment" ...) */
  scope = $state("")
  message = $state<string | null>(null)

  /**
   * The problem of one field. With `scope`, only problems of that record (a form with a client and a
   * patient both have a "name"); a field named "<scope>.<field>" matches too.
   */
  error(field: string, scope = ""): FieldError | undefined {
    if (!scope) return this.fields.find(f => f.field === field)
    const nested = this.fields.find(f => f.field === `${scope}.${field}`)
    if (nested) return nested
    return this.scope === scope || this.scope === "" ? this.fields.find(f => f.field === field) : undefined
  }

  reset(): void {
    this.fields = []
    this.scope = ""
    this.message = null
  }

  /** runs a submit; a DeskError's fields land next to the inputs, anything else in `message` */
  async run<T>(action: () => Promise<T>): Promise<T | undefined> {
    this.busy = true
    this.reset()
    try {
      return await action()
    } catch (e) {
      if (e instanceof ApiCallError) {
        this.fields = e.fields
        this.scope = scopeOf(e.message)
        this.message = e.fields.length > 0 ? null : e.message
      } else this.message = e instanceof Error ? e.message : String(e)
      return undefined
    } finally {
      this.busy = false
    }
  }
}
