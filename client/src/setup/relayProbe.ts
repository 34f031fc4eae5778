import { WebSocket } from "ws"

/**
 * Two questions the desk asks a relay when its sync socket is refused, answered without side
 * effects: does it enrol desks (a registry), and does it still accept this desk's credential.
 * Each answers undefined when the relay could not be asked (unreachable, timeout, odd answer).
 */

/**
 * `POST /enrol {}`: a relay with a registry answers 400 (no token in the body) without touching
 * its database; one without (the development authenticator) answers 404.
 */
export const enrolmentOffered = async (relayHttp: string, timeoutMs = 10_000): Promise<boolean | undefined> => {
  try {
    const res = await fetch(new URL("/enrol", relayHttp), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    })
    const body = (await res.json().catch(() => null)) as { error?: unknown } | null
    if (typeof body?.error !== "string") return undefined
    return res.status === 400 ? true : res.status === 404 ? false : undefined
  } catch {
    return undefined
  }
}

/**
 * Opens the sync socket with the credential and closes it at once, before joining: true when the
 * relay takes the upgrade, false when it answers 401 (revoked, or unknown to its registry).
 */
export const credentialAccepted = (syncUrl: string, credential: string, timeoutMs = 10_000): Promise<boolean | undefined> =>
  new Promise(resolve => {
    let socket: WebSocket
    try {
      socket = new WebSocket(syncUrl, { headers: { authorization: `Bearer ${credential}` }, handshakeTimeout: timeoutMs })
    } catch {
      resolve(undefined)
      return
    }
    socket.on("open", () => {
      socket.close(1000, "probe")
      resolve(true)
    })
    socket.on("unexpected-response", (req, res) => {
      resolve(res.statusCode === 401 ? false : undefined)
      req.destroy()
    })
    socket.on("error", () => resolve(undefined))
  })
