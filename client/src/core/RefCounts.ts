/** How many holders each key has right now (documents pinned by commands, changes being saved). */
export class RefCounts<K> {
  readonly #n = new Map<K, number>()

  add(key: K): void {
    this.#n.set(key, (this.#n.get(key) ?? 0) + 1)
  }

  release(key: K): void {
    const n = (this.#n.get(key) ?? 1) - 1
    if (n > 0) this.#n.set(key, n)
    else this.#n.delete(key)
  }

  has(key: K): boolean {
    return this.#n.has(key)
  }
}
