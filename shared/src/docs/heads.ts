/** Two sets of document heads (hex change hashes) name the same document state. */
export const sameHeads = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every(h => b.includes(h))
