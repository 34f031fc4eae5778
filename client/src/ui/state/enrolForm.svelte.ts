import { normalizeToken, parseRelayAddress, tokenProblem, type AddressProblem, type TokenProblem } from "../../setup/relayAddress.js"
import type { EnrolFailure } from "../../setup/setupApi.js"

/** What is wrong with one field: found as staff type, or the desk's answer to the last attempt. */
export type FieldProblem =
  | { kind: "address"; problem: AddressProblem }
  | { kind: "token"; problem: TokenProblem }
  | { kind: "failure"; failure: EnrolFailure }

export type EnrolField = "relay" | "token"

/**
 * The enrolment form: the relay address and the token, checked as staff type (shown once a field
 * was left or the form sent), and the desk's answer to the last attempt, shown next to the field
 * it is about until that field changes.
 */
export class EnrolFormState {
  relay = $state("")
  token = $state("")
  busy = $state(false)
  failure = $state<EnrolFailure | null>(null)
  #touched = $state<Record<EnrolField, boolean>>({ relay: false, token: false })
  /** the values the failure was about */
  #failedWith = { relay: "", token: "" }

  readonly address = $derived(parseRelayAddress(this.relay))
  readonly tokenIssue = $derived(tokenProblem(normalizeToken(this.token)))

  constructor(relay: string | null) {
    this.relay = relay ?? ""
  }

  touch(field: EnrolField): void {
    this.#touched[field] = true
  }

  /** the problem shown next to a field, or null */
  problem(field: EnrolField): FieldProblem | null {
    const f = this.failure
    if (f && f.field === field && this[field] === this.#failedWith[field]) {
      if (f.code === "invalid-address") return { kind: "address", problem: f.detail as AddressProblem }
      if (f.code === "invalid-token") return { kind: "token", problem: f.detail as TokenProblem }
      return { kind: "failure", failure: f }
    }
    if (!this.#touched[field]) return null
    if (field === "relay") return this.address.ok ? null : { kind: "address", problem: this.address.problem }
    return this.tokenIssue === null ? null : { kind: "token", problem: this.tokenIssue }
  }

  /** a failure about no field (the relay failed, this desk failed) */
  get general(): EnrolFailure | null {
    return this.failure && this.failure.field === null ? this.failure : null
  }

  /** Before sending: shows every field's problem; the first field with one, or null when the form may be sent. */
  check(): EnrolField | null {
    this.#touched = { relay: true, token: true }
    this.failure = null
    return !this.address.ok ? "relay" : this.tokenIssue !== null ? "token" : null
  }

  failed(failure: EnrolFailure): void {
    this.failure = failure
    this.#failedWith = { relay: this.relay, token: this.token }
  }
}
