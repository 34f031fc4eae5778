import { Rng } from "@vetsync/test-kit/seed"

export type CutMode = "drop" | "stall"

/**
 * A designated concurrent edit: a record made on desk a reaches desk b, then a and b, unable to
 * reach each other, each write `field` (and a different field each: fieldA, fieldB).
 */
export interface DesignatedEdit {
  a: number
  b: number
  collection: "clients" | "patients"
  field: string
  fieldA: string
  fieldB: string
}

/**
 * The relay killed -9 `atMs` into a LAN partition's hold and started again `downMs` later: an
 * outage that overlaps the partition and may outlast it (the desks back on the LAN, the relay not yet).
 */
export interface RelayOutage {
  atMs: number
  downMs: number
}

/** One episode of the fault lane; episodes run one after another. */
export type Fault =
  | { kind: "relay.kill9"; downMs: number }
  /** SIGTERM and start again on its data */
  | { kind: "relay.restart" }
  | { kind: "bridge.kill9"; downMs: number }
  | { kind: "bridge.cut"; mode: CutMode; holdMs: number }
  | { kind: "desk.kill9"; desk: number; downMs: number }
  /**
   * a desk replaced, as a clinic replaces a broken computer: once it has sent the relay everything it
   * acknowledged, killed -9 and its disk wiped; the administrator revokes it and enrols a new desk
   * in its place, which takes the clinic from the relay (`image`: once the relay has a fresh
   * read-model image, which it takes; else the snapshot, or an image if one is close enough)
   */
  | { kind: "desk.replace"; desk: number; image: boolean }
  /** a desk cut off: from the relay and, with LAN sync, from every other desk */
  | { kind: "desk.cut"; desk: number; mode: CutMode; holdMs: number }
  /** Designated concurrent edit (DesignatedEdit): b is cut off (desk.cut's way) for the writes; b heals after holdMs. */
  | ({ kind: "conflict"; mode: CutMode; holdMs: number } & DesignatedEdit)
  /**
   * LAN partition (issue 15): no desk reaches the relay, and the desks are split into groups whose
   * desks see each other over the LAN but no desk of another group, for holdMs; then healed. With
   * `edit` (a and b in different groups), a designated concurrent edit across the split.
   */
  | { kind: "lan.partition"; groups: number[][]; mode: CutMode; holdMs: number; edit?: DesignatedEdit; relay?: RelayOutage }
  /** faults piling up: desk cut off; meanwhile the relay is killed -9 and another desk too */
  | { kind: "pileup"; desk: number; mode: CutMode; holdMs: number; relayDownMs: number; killDesk: number; deskDownMs: number }
  | { kind: "calm"; ms: number }

export type FaultKind = Fault["kind"]

/** A partition's grouping whatever the order of its groups: {A,C} | {B} is {B} | {A,C}. */
export const groupingOf = (groups: readonly (readonly number[])[]): string =>
  JSON.stringify(groups.map(g => [...g].sort((x, y) => x - y)).sort((x, y) => (x[0] ?? 0) - (y[0] ?? 0)))

/**
 * Every run starts with a designated concurrent edit, then (with LAN sync) a LAN partition, covers
 * these next (in a seeded order; with LAN sync a second LAN partition, of another grouping and with
 * a relay outage overlapping it, after the first two of them), then draws by weight. In a long run
 * the covering episodes other than LAN partitions hold COVER_HOLD_MS at most, so that a ten-minute
 * run covers every kind (with holds of up to three minutes, two ten-minute runs in a row never
 * reached desk.replace); the LAN partitions, and every episode drawn after, hold minutes.
 */
const COVER: readonly FaultKind[] = ["relay.kill9", "bridge.kill9", "desk.kill9", "desk.cut", "relay.restart", "pileup", "desk.replace"]
const COVER_HOLD_MS = { min: 15_000, max: 45_000 }
const WEIGHTS: readonly (readonly [FaultKind, number])[] = [
  ["conflict", 3],
  ["relay.kill9", 2],
  ["relay.restart", 1],
  ["bridge.kill9", 2],
  ["bridge.cut", 1],
  ["desk.kill9", 3],
  ["desk.cut", 3],
  ["pileup", 1],
  ["desk.replace", 1],
  ["lan.partition", 3],
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
  /** the desks sync over the LAN too: LAN partitions are drawn */
  lan: boolean
}

/** The seeded fault lane: the same seed gives the same episodes in the same order. */
export class FaultSchedule {
  readonly #rng: Rng
  readonly #opts: FaultScheduleOptions
  readonly #cover: FaultKind[]
  readonly #weights: readonly (readonly [FaultKind, number])[]
  #calmNext = false
  /** the last LAN partition's grouping: the next one is drawn different */
  #lastGroups = ""
  /** LAN partitions drawn so far */
  #partitions = 0

  constructor(opts: FaultScheduleOptions) {
    this.#opts = opts
    this.#rng = new Rng(opts.seed, "faults")
    const cover = this.#rng.shuffled(COVER)
    this.#cover = opts.lan
      ? ["conflict", "lan.partition", ...cover.slice(0, 2), "lan.partition", ...cover.slice(2)]
      : ["conflict", ...cover]
    this.#weights = opts.lan ? WEIGHTS : WEIGHTS.filter(([k]) => k !== "lan.partition")
  }

  /** The next episode (a calm spell between any two faults). */
  next(): Fault {
    const rng = this.#rng
    this.#calmNext = !this.#calmNext
    if (!this.#calmNext) return { kind: "calm", ms: this.#opts.long ? rng.int(2000, 15_000) : rng.int(500, 1500) }
    const covering = this.#cover.shift()
    return this.#episode(covering ?? rng.weighted(this.#weights), covering !== undefined)
  }

  #episode(kind: FaultKind, covering: boolean): Fault {
    const rng = this.#rng
    const long = this.#opts.long
    const down = (): number => (long ? rng.int(1000, 15_000) : rng.int(500, 3000))
    const hold = (): number =>
      !long ? rng.int(10_000, 16_000) : covering && kind !== "lan.partition" ? rng.int(COVER_HOLD_MS.min, COVER_HOLD_MS.max) : rng.int(30_000, 180_000)
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
      case "desk.replace":
        return { kind, desk: desk(), image: rng.chance(0.5) }
      case "conflict": {
        const a = desk()
        return { kind, ...this.#edit(a, (a + rng.int(1, this.#opts.desks - 1)) % this.#opts.desks), mode: mode(), holdMs: hold() }
      }
      case "lan.partition": {
        const groups = this.#newGroups()
        const [g0, g1] = groups
        // across the split, when there is one: a in one group, b in another
        const edit = g0 && g1 && rng.chance(0.5) ? this.#edit(rng.pick(g0), rng.pick(g1)) : undefined
        const holdMs = hold()
        // the second partition always, later ones half the time: the relay killed during the hold,
        // back only around or after the heal
        const relay = ++this.#partitions === 2 || rng.chance(0.5) ? { atMs: rng.int(0, Math.floor(holdMs / 2)), downMs: rng.int(Math.ceil(holdMs / 2), holdMs + 5000) } : undefined
        return { kind, groups, mode: mode(), holdMs, ...(edit ? { edit } : {}), ...(relay ? { relay } : {}) }
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

  #edit(a: number, b: number): DesignatedEdit {
    const collection = this.#rng.chance(0.6) ? "clients" : "patients"
    const [field, fieldA, fieldB] = this.#rng.shuffled(FIELDS[collection]) as [string, string, string]
    return { a, b, collection, field, fieldA, fieldB }
  }

  /** Seeded groups other than the last partition's (when the desks can be grouped another way). */
  #newGroups(): number[][] {
    let groups = this.#groups()
    for (let i = 0; i < 20 && this.#opts.desks > 1 && groupingOf(groups) === this.#lastGroups; i++) groups = this.#groups()
    // twenty draws can all repeat it (two desks: a split four times in five): then the other extreme,
    // every desk alone after one group, else one group
    if (this.#opts.desks > 1 && groupingOf(groups) === this.#lastGroups) {
      const all = Array.from({ length: this.#opts.desks }, (_, i) => i)
      groups = groups.length === 1 ? all.map(i => [i]) : [all]
    }
    this.#lastGroups = groupingOf(groups)
    return groups
  }

  /**
   * The desks in seeded groups: one group (all on one LAN, the relay out of reach) as often as
   * every desk alone; mostly two or more groups (each desk index in exactly one, none empty).
   */
  #groups(): number[][] {
    const rng = this.#rng
    const n = this.#opts.desks
    const count = Math.min(n, rng.weighted([[1, 1], [2, 3], [3, 1]] as const))
    const order = rng.shuffled(Array.from({ length: n }, (_, i) => i))
    // count - 1 distinct cut points in 1..n-1
    const cuts = rng.shuffled(Array.from({ length: n - 1 }, (_, i) => i + 1)).slice(0, count - 1).sort((x, y) => x - y)
    return [0, ...cuts].map((from, g) => order.slice(from, cuts[g] ?? n).sort((x, y) => x - y))
  }
}
