import type * as http from "node:http"

/** What a service tells its operator over HTTP. */
export interface OperationsEndpoints {
  /** `GET /health`: the process is alive (always 200) */
  health: () => unknown
  /** `GET /ready`: 200 when ok, 503 with the reasons otherwise */
  ready: () => Promise<{ ok: boolean }>
  /** `GET /metrics`: Prometheus text, for requests `metricsAllowed` lets through */
  metrics: { scrape: () => Promise<string>; contentType: string }
  metricsAllowed: (req: http.IncomingMessage) => boolean
}

const reply = (res: http.ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body))
}

/**
 * Answers `GET /health`, `GET /ready` and `GET /metrics` (the relay's and the bridge's, alike);
 * returns false, answering nothing, for any other request.
 */
export const answerOperations = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  o: OperationsEndpoints,
): boolean => {
  if (req.method !== "GET") return false
  const { pathname } = new URL(req.url ?? "/", "http://service.invalid")
  if (pathname === "/health") {
    reply(res, 200, o.health())
    return true
  }
  if (pathname === "/ready") {
    o.ready()
      .then(r => reply(res, r.ok ? 200 : 503, r))
      .catch((e: Error) => reply(res, 503, { ok: false, reasons: [e.message] }))
    return true
  }
  if (pathname === "/metrics") {
    if (!o.metricsAllowed(req)) reply(res, 403, { error: "metrics: loopback or the metrics token only" })
    else
      o.metrics
        .scrape()
        .then(text => res.writeHead(200, { "content-type": o.metrics.contentType }).end(text))
        .catch((e: Error) => reply(res, 500, { error: e.message }))
    return true
  }
  return false
}
