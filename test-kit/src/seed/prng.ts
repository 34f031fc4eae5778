/**
 * Small, fast, seedable pseudo-random numbers for test and benchmark data. Not for
 * anything secret. Same seed and label -> same sequence, on every machine.
 */

/** 32-bit string hash (cyrb53 folded to 32 bits): turns "seed:label" into a stream seed. */
export const hash32 = (text: string): number => {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ ch, 2654435761)
    h2 = Math.imul(h2 ^ ch, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return (h1 ^ h2) >>> 0
}

/** mulberry32: one 32-bit state word, period 2^32. Returns a function giving uint32 values. */
export const mulberry32 = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return (t ^ (t >>> 14)) >>> 0
  }
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"))

export class Rng {
  readonly #next: () => number

  /** A stream for (seed, label): streams with different labels are independent. */
  constructor(seed: number | string, label = "") {
    this.#next = mulberry32(hash32(`${String(seed)}:${label}`))
  }

  uint32(): number {
    return this.#next()
  }

  /** [0, 1) */
  float(): number {
    return this.#next() / 4294967296
  }

  /** Whole number in [min, max] (both included). */
  int(min: number, max: number): number {
    return min + Math.floor(this.float() * (max - min + 1))
  }

  chance(p: number): boolean {
    return this.float() < p
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error("pick from an empty list")
    return items[Math.floor(this.float() * items.length)] as T
  }

  /** Picks by weight: `[[value, weight], ...]`. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0
    for (const [, w] of items) total += w
    let r = this.float() * total
    for (const [v, w] of items) {
      r -= w
      if (r < 0) return v
    }
    const last = items[items.length - 1]
    if (!last) throw new Error("pick from an empty list")
    return last[0]
  }

  /** `n` decimal digits (leading zeros allowed). */
  digits(n: number): string {
    let s = ""
    for (let i = 0; i < n; i++) s += String(this.#next() % 10)
    return s
  }

  /** A random-looking, version-4-shaped uuid (lowercase), fully determined by the stream. */
  uuid(): string {
    const b: number[] = []
    for (let i = 0; i < 4; i++) {
      const w = this.#next()
      b.push(w >>> 24, (w >>> 16) & 0xff, (w >>> 8) & 0xff, w & 0xff)
    }
    b[6] = ((b[6] ?? 0) & 0x0f) | 0x40
    b[8] = ((b[8] ?? 0) & 0x3f) | 0x80
    const h = b.map(x => HEX[x] as string).join("")
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`
  }

  /** Fisher-Yates shuffle of a copy. */
  shuffled<T>(items: readonly T[]): T[] {
    const out = items.slice()
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.float() * (i + 1))
      const tmp = out[i] as T
      out[i] = out[j] as T
      out[j] = tmp
    }
    return out
  }
}
