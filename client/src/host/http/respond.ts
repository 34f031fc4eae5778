import type { IncomingMessage, ServerResponse } from "node:http"
import { MAX_BODY } from "./readBody.js"
import type { Refusal } from "./requestGuard.js"

/** A JSON answer no cache keeps and no other origin reads. */
export const sendJson = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void => {
  const text = JSON.stringify(body)
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "cache-control": "no-store",
    "cross-origin-resource-policy": "same-origin",
    ...headers,
  })
  res.end(text)
}

/** A refused request, answered as the API answers a failed call (ApiResponse). */
export const refuse = (res: ServerResponse, r: Refusal, headers: Record<string, string> = {}): void =>
  sendJson(res, r.status, { ok: false, error: { code: r.code, message: r.message } }, headers)

/** 413; `drained`: the whole body was read, else the client may still be sending and the connection cannot be reused */
export const refuseTooLarge = (res: ServerResponse, drained: boolean): void => {
  const message = `the request body is larger than ${MAX_BODY} bytes`
  refuse(res, { status: 413, code: "bad_request", message }, drained ? {} : { connection: "close" })
}

/** one request header as a string (a repeated header is refused as absent) */
export const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name]
  return typeof v === "string" ? v : undefined
}
