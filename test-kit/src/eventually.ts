/** A wait that gave up: says what it waited for, for how long, and what it saw last. */
export class EventuallyError extends Error {
  constructor(what: string, ms: number, last: string) {
    super(`timed out after ${ms} ms waiting for ${what}${last ? `; last seen: ${last}` : ""}`)
    this.name = "EventuallyError"
  }
}

export interface EventuallyOptions {
  /** poll interval; default 25 ms */
  pollMs?: number
  /** describes the state seen last, for the failure message */
  describe?: () => string | Promise<string>
}

/**
 * Polls `check` until it returns something other than undefined, null or false, and returns
 * that. After `ms` it fails with an EventuallyError naming `what` (and the last error `check`
 * threw, or what `describe` says). The one way tests wait: never a bare sleep, never a wait
 * without a deadline.
 */
export const eventually = async <T>(
  what: string,
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  ms: number,
  opts: EventuallyOptions = {},
): Promise<T> => {
  const deadline = Date.now() + ms
  const pollMs = opts.pollMs ?? 25
  let last = ""
  for (;;) {
    try {
      const v = await check()
      if (v !== undefined && v !== null && v !== false) return v
      last = ""
    } catch (e) {
      last = (e as Error).message ?? String(e)
    }
    if (Date.now() >= deadline) {
      if (opts.describe) {
        try {
          last = await opts.describe()
        } catch (e) {
          last = `(describe failed: ${(e as Error).message})`
        }
      }
      throw new EventuallyError(what, ms, last)
    }
    await new Promise(r => setTimeout(r, Math.min(pollMs, Math.max(1, deadline - Date.now()))))
  }
}
