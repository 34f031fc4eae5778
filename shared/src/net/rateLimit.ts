/** Per-socket limit on document messages (sync, request, ephemeral, doc-unavailable). */
export interface RateLimit {
  /** messages accepted at once; default 5000 (a desk announces every document it has on connect) */
  burst: number
  /** sustained messages per second; default 500 */
  perSecond: number
  /** consecutive messages over the limit before the socket is closed; default 100 */
  maxStrikes: number
}

export const DEFAULT_RATE_LIMIT: RateLimit = { burst: 5000, perSecond: 500, maxStrikes: 100 }
