import { eventually } from "@vetsync/test-kit"

/** How long a receptionist may take to finish the op she is on, and a desk may stay held. */
const HOLD_MS = 300_000

/**
 * The fault lane's way to have a desk's receptionist stop between two ops and wait (a desk about
 * to be replaced must first send the relay everything it acknowledged, with nothing new coming in),
 * then carry on. One per run, shared by the receptionists and the fault runner.
 */
export class DeskHolds {
  /** desks held: their receptionists send nothing */
  readonly #held = new Set<number>()
  /** receptionists between ops, or stopped, that will send nothing until released */
  readonly #idle = new Set<number>()

  /** Holds desk i: resolves once its receptionist is between ops (or has stopped for good). */
  async hold(i: number): Promise<void> {
    this.#held.add(i)
    await eventually(`the receptionist of desk ${i + 1} to stop between two ops`, () => this.#idle.has(i), HOLD_MS, { pollMs: 50 })
  }

  release(i: number): void {
    this.#held.delete(i)
  }

  /** The receptionist of desk i, before each op: waits here while the desk is held. */
  async gate(i: number, stopped: () => boolean): Promise<void> {
    if (!this.#held.has(i)) return
    this.#idle.add(i)
    try {
      await eventually(`desk ${i + 1} to be released`, () => stopped() || !this.#held.has(i), HOLD_MS, { pollMs: 50 })
    } finally {
      this.#idle.delete(i)
    }
  }

  /** The receptionist of desk i has stopped for good: a hold need not wait for her. */
  stopped(i: number): void {
    this.#idle.add(i)
  }
}
