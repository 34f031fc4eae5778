/** a lone UTF-16 surrogate (Automerge stores U+FFFD instead) */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Text every store keeps as it was given: no NUL (PostgreSQL refuses it), no lone surrogate. */
export const storable = (s: string): boolean => !s.includes("\u0000") && !LONE_SURROGATE.test(s)
