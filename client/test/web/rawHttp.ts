import { request } from "node:http"

export interface RawResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  /** the JSON body, or undefined */
  json: unknown
}

/**
 * One HTTP request with exactly the headers given (Host and Origin included, which fetch will not
 * let a caller choose), over a fresh socket. The body may be a Buffer of any size.
 */
export const raw = (
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string | Buffer; expectContinue?: boolean } = {},
): Promise<RawResponse> =>
  new Promise((ok, fail) => {
    const req = request(url, { method: options.method ?? "POST", headers: options.headers ?? {}, agent: false }, res => {
      const chunks: Buffer[] = []
      res.on("data", (c: Buffer) => chunks.push(c))
      res.on("end", () => {
        const body = Buffer.concat(chunks).toString("utf8")
        let json: unknown
        try {
          json = JSON.parse(body)
        } catch {
          json = undefined
        }
        ok({ status: res.statusCode ?? 0, headers: res.headers, body, json })
      })
      res.on("error", fail)
    })
    req.on("error", fail)
    if (options.expectContinue) {
      // the body goes only after "100 Continue"; a final answer instead means it is never sent
      req.on("continue", () => req.end(options.body))
      req.flushHeaders()
    } else req.end(options.body)
  })
