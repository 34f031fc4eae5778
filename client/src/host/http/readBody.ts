import type { IncomingMessage } from "node:http"

/** The largest request body the desk API reads. */
export const MAX_BODY = 2 * 1024 * 1024
/**
 * How much of an oversized body is read and thrown away before the 413 is answered. A client
 * that is still sending when the server answers and closes gets a TCP reset instead of the
 * answer, so the rest of the body is drained first; past this much the socket is closed anyway.
 */
export const MAX_DRAIN = 64 * 1024 * 1024

export type BodyResult =
  | { ok: true; text: string }
  /** `drained`: the whole body was read, so the 413 reaches the client; else close the connection */
  | { ok: false; tooLarge: true; drained: boolean }

/** Reads a request body of at most `max` bytes; an oversized one is drained (up to MAX_DRAIN), never buffered. */
export const readBody = (req: IncomingMessage, max = MAX_BODY): Promise<BodyResult> =>
  new Promise((ok, fail) => {
    const declared = Number(req.headers["content-length"])
    if (Number.isFinite(declared) && declared > MAX_DRAIN) {
      ok({ ok: false, tooLarge: true, drained: false })
      return
    }
    let size = 0
    let chunks: Buffer[] | null = []
    req.on("data", (c: Buffer) => {
      size += c.length
      if (size > MAX_DRAIN) {
        req.pause()
        ok({ ok: false, tooLarge: true, drained: false })
      } else if (size > max) chunks = null
      else chunks?.push(c)
    })
    req.on("end", () =>
      ok(chunks ? { ok: true, text: Buffer.concat(chunks).toString("utf8") } : { ok: false, tooLarge: true, drained: true }),
    )
    req.on("error", fail)
  })
