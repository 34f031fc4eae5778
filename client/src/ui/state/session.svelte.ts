import type { StaffView } from "@vetsync/shared/schema"
import type { SessionView } from "../../core/api.js"
import type { HostEvent } from "../../setup/setupApi.js"
import { ApiCallError, type DeskClient } from "../api/client.js"

/** Why a sign-in failed, as the dialog says it (err.signIn.<code>) */
export type SignInProblem = "wrong-pin" | "locked" | "unknown-staff" | "no-pin" | "failed"

const PROBLEMS: readonly SignInProblem[] = ["wrong-pin", "locked", "unknown-staff", "no-pin"]

/**
 * Who works at the desk: the signed-in member, the clinic's staff to choose from, and the sign-in
 * dialog (open, chosen member, PIN, problem). The dialog opens by itself while the clinic needs a
 * sign-in and nobody is signed in.
 */
export class SessionState {
  session = $state<SessionView | null>(null)
  staff = $state<StaffView[]>([])
  open = $state(false)
  chosen = $state("")
  pin = $state("")
  problem = $state<SignInProblem | null>(null)
  busy = $state(false)
  /** refreshes started so far: an answer to an older one than the latest is not taken */
  #refreshes = 0

  constructor(readonly api: DeskClient) {}

  /** the members who may sign in: active ones */
  get members(): StaffView[] {
    return this.staff.filter(s => s.active)
  }

  /** subscribe to the desk's events; returns the unsubscribe */
  start(): () => void {
    const off = this.api.onEvent(e => this.onEvent(e))
    void this.refresh()
    return off
  }

  onEvent(e: HostEvent): void {
    if (e.type !== "session") return
    this.session = e.session
    void this.refresh()
  }

  async refresh(): Promise<void> {
    const mine = ++this.#refreshes
    try {
      const [session, staff] = await Promise.all([this.api.call("session.current"), this.api.call("staff.list")])
      // a session event came meanwhile and asked again: that answer is as new or newer
      if (mine !== this.#refreshes) return
      this.session = session
      this.staff = staff
      if (session.required && !session.staff && !this.open) this.show()
    } catch {
      // shown through the status indicator
    }
  }

  /** Opens the dialog, the signed-in member (or the first) chosen. */
  show(): void {
    this.chosen = this.session?.staff?.id ?? this.members[0]?.id ?? ""
    this.pin = ""
    this.problem = null
    this.open = true
  }

  close(): void {
    this.open = false
    this.pin = ""
    this.problem = null
  }

  async signIn(): Promise<boolean> {
    if (this.busy || !this.chosen) return false
    this.busy = true
    try {
      this.session = await this.api.call("session.signIn", { staffId: this.chosen, pin: this.pin })
      this.close()
      return true
    } catch (e) {
      const code = e instanceof ApiCallError ? e.fields[0]?.code : undefined
      this.problem = PROBLEMS.find(p => p === code) ?? "failed"
      this.pin = ""
      return false
    } finally {
      this.busy = false
    }
  }

  async signOut(): Promise<void> {
    try {
      this.session = await this.api.call("session.signOut")
    } catch {
      // shown through the status indicator
    }
    if (this.session?.required) this.show()
  }
}
