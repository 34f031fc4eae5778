import { Rng } from "@vetsync/test-kit/seed"

export type CutMode = "drop" | "stall"

/** One episode of the fault lane; episodes run one after another. */
export type Fault =
  | { kind: "relay.kill9"; downMs: number }
  /** SIGTERM and start again on its data */
  | { kind: "relay.restart" }
  | { kind: "bridge.kill9"; downMs: number }
  | { kind: "bridge.cut"; mode: CutMode; holdMs: number }
  | { kind: "desk.kill9"; desk: number; downMs: number }
  | { kind: "desk.cut"; desk: number; mode: CutMode; holdMs: number }
  /**
   * Designated concurrent edit: a record made on desk a reaches desk b, b is cut off, then a
   * and b each write `field` (and a different field each: fieldA, fieldB); b heals after holdMs.
   */
  | {
      kind: "conflict"
      a: number
      b: number
      collection: "clients" | "patients"
      field: string
      fieldA: string
      fieldB: string
      mode: CutMode
      holdMs: number
    }
  /** faults piling up: desk cut off; meanwhile the relay is killed -9 and another desk too */
  | { kind: "pileup"; desk: number; mode: CutMode; holdMs: number; relayDownMs: number; killDesk: number; deskDownMs: number }
  | { kind: "calm"; ms: number }

export type FaultKind = Fault["kind"]

/** Every run starts with a designated concurrent edit, covers these next (in a seeded order), then draws by weight. */
const COVER: readonly FaultKind[] = ["relay.kill9", "bridge.kill9", "desk.kill9", "desk.cut", "relay.restart", "pileup"]
const WEIGHTS: readonly (readonly [FaultKind, number])[] = [
  ["conflict", 3],
  ["relay.kill9", 2],
  ["relay.restart", 1],
  ["bridge.kill9", 2],
  ["bridge.cut", 1],
  ["desk.kill9", 3],
  ["desk.cut", 3],
  ["pileup", 1],
]
const FIELDS = {
  clients: ["name", "phone", "email", "address"],
  patients: ["name", "breed", "chip"],
} as const

export interface FaultScheduleOptions {
  seed: number
  desks: number
  /** a long run: desks cut off for minutes, not seconds */
  long: boolean
}

/** The seeded fault lane: the same seed gives the same episodes in the same order. */
export class FaultSchedule {
  readonly #rng: Rng
  readonly #opts: FaultScheduleOptions
  readonly #cover: FaultKind[]
  #calmNext = false

  constructor(opts: FaultScheduleOptions) {
    this.#opts = opts
    this.#rng = new Rng(opts.seed, "faults")
    this.#cover = ["conflict", ...this.#rng.shuffled(COVER)]
  }

  /** The next episode (a calm spell between any two faults). */
  next(): Fault {
    const rng = this.#rng
    this.#calmNext = !this.#calmNext
    if (!this.#calmNext) return { kind: "calm", ms: this.#opts.long ? rng.int(2000, 15_000) : rng.int(500, 1500) }
    const kind = this.#cover.shift() ?? rng.weighted(WEIGHTS)
    return this.#episode(kind)
  }

  #episode(kind: FaultKind): Fault {
    const rng = this.#rng
    const long = this.#opts.long
    const down = (): number => (long ? rng.int(1000, 15_000) : rng.int(500, 3000))
    const hold = (): number => (long ? rng.int(30_000, 180_000) : rng.int(10_000, 16_000))
    const desk = (): number => rng.int(0, this.#opts.desks - 1)
    const mode = (): CutMode => (rng.chance(0.5) ? "drop" : "stall")
    switch (kind) {
      case "relay.kill9":
        return { kind, downMs: down() }
      case "relay.restart":
        return { kind }
      case "bridge.kill9":
        return { kind, downMs: down() }
      case "bridge.cut":
        return { kind, mode: mode(), holdMs: hold() }
      case "desk.kill9":
        return { kind, desk: desk(), downMs: down() }
      case "desk.cut":
        return { kind, desk: desk(), mode: mode(), holdMs: hold() }
      case "conflict": {
        const a = desk()
        const b = (a + rng.int(1, this.#opts.desks - 1)) % this.#opts.desks
        const collection = rng.chance(0.6) ? "clients" : "patients"
        const [field, fieldA, fieldB] = rng.shuffled(FIELDS[collection]) as [string, string, string]
        return { kind, a, b, collection, field, fieldA, fieldB, mode: mode(), holdMs: hold() }
      }
      case "pileup": {
        const d = desk()
        const other = (d + rng.int(1, this.#opts.desks - 1)) % this.#opts.desks
        return { kind, desk: d, mode: mode(), holdMs: hold(), relayDownMs: down(), killDesk: other, deskDownMs: down() }
      }
      case "calm":
        return { kind, ms: rng.int(1000, 3000) }
    }
  }
}
