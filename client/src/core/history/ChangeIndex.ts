import * as A from "@automerge/automerge"

/** One change that touched an object: its hash, and the keys of the object it wrote. */
export interface ObjectChange {
  hash: string
  keys: string[]
}

/** What a change says of itself: its time (Automerge's, seconds since the epoch) and message. */
export interface ChangeMeta {
  hash: string
  actor: string
  time: number
  message: string | null
  deps: string[]
}

interface ActorRange {
  startOp: number
  hash: string
}

/** A change of this many ops or more (an import's) is not decoded (ChangeIndex.update). */
export const BIG_CHANGE_OPS = 2_000

/**
 * One document's changes, indexed by the objects they touch and by their op ids, kept
 * incrementally: `update` decodes only the changes since the heads it last saw (the whole history
 * once, then each new change once), so a record's history reads the few changes of its own object
 * instead of decoding the document's history again for every question.
 */
export class ChangeIndex {
  #heads: A.Heads = []
  readonly #byObject = new Map<string, ObjectChange[]>()
  readonly #meta = new Map<string, ChangeMeta>()
  readonly #byActor = new Map<string, ActorRange[]>()
  readonly #order = new Map<string, number>()
  readonly #big: ObjectChange[] = []

  /** Takes the document's changes since the heads this index last saw. */
  update<T>(doc: A.Doc<T>): void {
    const heads = A.getHeads(doc)
    if (sameHeads(heads, this.#heads)) return
    const backend = A.getBackend(doc)
    for (const m of A.getChangesMetaSince(doc, this.#heads)) {
      if (this.#meta.has(m.hash)) continue
      this.#meta.set(m.hash, { hash: m.hash, actor: m.actor, time: m.time, message: m.message, deps: m.deps })
      this.#order.set(m.hash, this.#order.size)
      this.#addRange(m.actor, m.startOp, m.hash)
      // an import's change writes thousands of records: decoding it costs seconds at the seeds'
      // scale, so it is not decoded; every history looks at it for its own record instead
      if (m.maxOp - m.startOp >= BIG_CHANGE_OPS) this.#big.push({ hash: m.hash, keys: [] })
      else {
        const c = backend.getDecodedChangeByHash(m.hash)
        if (c) this.#take(c)
      }
    }
    this.#heads = heads
  }

  #take(c: A.DecodedChange): void {
    const keysByObj = new Map<string, Set<string>>()
    for (const op of c.ops) {
      let keys = keysByObj.get(op.obj)
      if (!keys) keysByObj.set(op.obj, (keys = new Set()))
      if (op.key !== undefined) keys.add(op.key)
    }
    for (const [obj, keys] of keysByObj) {
      let list = this.#byObject.get(obj)
      if (!list) this.#byObject.set(obj, (list = []))
      list.push({ hash: c.hash, keys: [...keys] })
    }
  }

  #addRange(actor: string, startOp: number, hash: string): void {
    let ranges = this.#byActor.get(actor)
    if (!ranges) this.#byActor.set(actor, (ranges = []))
    ranges.push({ startOp, hash })
    // changes arrive in causal order, so an actor's usually come in sequence already
    const n = ranges.length
    if (n > 1 && ranges[n - 2]!.startOp > startOp) ranges.sort((x, y) => x.startOp - y.startOp)
  }

  /** The changes that wrote into the object, in the order this index took them (causal order). */
  changesOf(objId: string): readonly ObjectChange[] {
    return this.#byObject.get(objId) ?? []
  }

  /** The changes too big to decode (imports), in causal order: a record's history checks each for its record. */
  bigChanges(): readonly ObjectChange[] {
    return this.#big
  }

  /** The position of a change in the order this index took them (causal order). */
  orderOf(hash: string): number {
    return this.#order.get(hash) ?? -1
  }

  meta(hash: string): ChangeMeta | undefined {
    return this.#meta.get(hash)
  }

  /** The change that made the op `counter@actor` (what A.getConflicts names each value by). */
  changeOfOp(opId: string): ChangeMeta | undefined {
    const at = opId.indexOf("@")
    if (at < 0) return undefined
    const counter = Number(opId.slice(0, at))
    // an actor's changes number their ops one after the other: the op is in the last change that starts at or before it
    const ranges = this.#byActor.get(opId.slice(at + 1)) ?? []
    let found: ActorRange | undefined
    for (const r of ranges) if (r.startOp <= counter) found = r
    return found ? this.#meta.get(found.hash) : undefined
  }
}

const sameHeads = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every(h => b.includes(h))
