import { verifyPin, type StaffMember, type StaffView } from "@vetsync/shared"
import { DeskError, type SessionView } from "./api.js"

/** Wrong PINs in a row after which a member must wait LOCKOUT_MS before the next try. */
export const MAX_WRONG_PINS = 5
export const LOCKOUT_MS = 30_000

export interface DeskSessionOptions {
  /** the clinic's staff as the read model has them (the server-owned `staff` document), PIN hashes included */
  staff: () => StaffMember[] | null
  now: () => number
  /** who is signed in (or whether anyone must be) changed */
  changed: (s: SessionView) => void
}

const view = ({ pinHash: _hash, ...rest }: StaffMember): StaffView => rest

const byName = (a: StaffMember, b: StaffMember): number =>
  Number(b.active) - Number(a.active) || a.name.localeCompare(b.name, "ru") || a.id.localeCompare(b.id)

const refuse = (field: "staffId" | "pin", code: string, message: string): DeskError =>
  new DeskError("rejected", message, [{ field, code, message }])

/**
 * Who works at this desk now. The clinic's staff come from the server-owned `staff` document; a
 * member signs in with their PIN, checked here, offline, against its scrypt hash. Once any active
 * member has a PIN, changes need someone signed in (requireForWrite); a clinic without PINs works
 * as before. Five wrong PINs in a row for a member make them wait 30 s. Signing in as someone else
 * replaces the session in one step. The session lives as long as the desk process.
 */
export class DeskSession {
  readonly #o: DeskSessionOptions
  #staffId: string | null = null
  readonly #wrong = new Map<string, { count: number; lockedUntil: number }>()
  /** PIN checks one after another: parallel guesses cannot outrun the count */
  #queue: Promise<unknown> = Promise.resolve()

  constructor(o: DeskSessionOptions) {
    this.#o = o
  }

  #roster(): StaffMember[] {
    return this.#o.staff() ?? []
  }

  /** The clinic's staff without their PIN hashes: active first, then by name. */
  list(): StaffView[] {
    return [...this.#roster()].sort(byName).map(view)
  }

  /** Some active member has a PIN: changes need a signed-in member. */
  required(): boolean {
    return this.#roster().some(m => m.active && m.pinHash !== "")
  }

  current(): SessionView {
    const m = this.#staffId === null ? undefined : this.#roster().find(s => s.id === this.#staffId)
    return { required: this.required(), staff: m ? view(m) : null }
  }

  /** The signed-in member's id, "" when nobody is: what a change's message names. */
  staffId(): string {
    return this.#staffId ?? ""
  }

  /** Throws the DeskError the UI shows when a change needs a signed-in member and nobody is. */
  requireForWrite(): void {
    if (this.#staffId === null && this.required())
      throw new DeskError(
        "signed_out",
        "sign in first: changes at this clinic's desks name the staff member who makes them",
      )
  }

  signIn(staffId: string, pin: string): Promise<SessionView> {
    const run = this.#queue.then(() => this.#signIn(staffId, pin))
    this.#queue = run.catch(() => undefined)
    return run
  }

  async #signIn(staffId: string, pin: string): Promise<SessionView> {
    const m = this.#roster().find(s => s.id === staffId)
    if (!m || !m.active) throw refuse("staffId", "unknown-staff", `no active staff member ${staffId} at this clinic`)
    if (m.pinHash === "") {
      if (this.required())
        throw refuse("pin", "no-pin", `${m.name} has no PIN yet: an administrator sets one (vetsync staff set --pin)`)
      return this.#become(m.id)
    }
    const now = this.#o.now()
    const w = this.#wrong.get(m.id) ?? { count: 0, lockedUntil: 0 }
    if (w.lockedUntil > now)
      throw refuse("pin", "locked", `too many wrong PINs: wait ${Math.ceil((w.lockedUntil - now) / 1000)} s`)
    if (await verifyPin(pin, m.pinHash)) {
      this.#wrong.delete(m.id)
      return this.#become(m.id)
    }
    w.count++
    if (w.count >= MAX_WRONG_PINS) {
      this.#wrong.set(m.id, { count: 0, lockedUntil: now + LOCKOUT_MS })
      throw refuse("pin", "locked", `${MAX_WRONG_PINS} wrong PINs in a row: wait ${LOCKOUT_MS / 1000} s`)
    }
    this.#wrong.set(m.id, w)
    throw refuse(
      "pin",
      "wrong-pin",
      `wrong PIN (${MAX_WRONG_PINS - w.count} more tries before a ${LOCKOUT_MS / 1000} s wait)`,
    )
  }

  signOut(): SessionView {
    if (this.#staffId !== null) {
      this.#staffId = null
      this.#o.changed(this.current())
    }
    return this.current()
  }

  /** The staff document changed: a member who left (or is gone) is signed out; the UI re-reads the list. */
  refresh(): void {
    const m = this.#staffId === null ? undefined : this.#roster().find(s => s.id === this.#staffId)
    if (this.#staffId !== null && !m?.active) this.#staffId = null
    this.#o.changed(this.current())
  }

  #become(id: string): SessionView {
    this.#staffId = id
    const s = this.current()
    this.#o.changed(s)
    return s
  }
}
