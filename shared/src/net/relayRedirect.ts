/** redirects followed in a row to reach the relay that holds a clinic (there is one holder: one hop is normal) */
export const MAX_RELAY_HOPS = 3

/**
 * The address a relay's 307/308 names, if a desk may follow it with its credential: resolved
 * against the address that answered, in the configured address's scheme (ws/wss for the sync
 * socket, http/https for the clinic's requests: never from TLS down to plain text, never to
 * another scheme), with no user or password in it; the configured query is kept when the
 * location names none. Undefined: not to be followed.
 */
export const followableRedirect = (
  location: string | undefined,
  answeredBy: string,
  configured: string,
): string | undefined => {
  if (location === undefined || location === "") return undefined
  let to: URL
  let base: URL
  try {
    base = new URL(configured)
    to = new URL(location, answeredBy)
  } catch {
    return undefined
  }
  if (to.protocol !== base.protocol || to.username !== "" || to.password !== "") return undefined
  if (to.search === "") to.search = base.search
  return to.toString()
}

/**
 * `fetch` to a relay's clinic endpoint, following the relay's 307/308 to the relay that holds the
 * clinic's lease (at most MAX_RELAY_HOPS, under followableRedirect's rule) with the same method,
 * headers and body. fetch's own following would drop the credential on the way to another port.
 */
export const fetchFollowingRelay = async (url: string, init: RequestInit): Promise<Response> => {
  let at = url
  for (let hop = 0; ; hop++) {
    const res = await fetch(at, { ...init, redirect: "manual" })
    if (res.status !== 307 && res.status !== 308) return res
    const to = followableRedirect(res.headers.get("location") ?? undefined, at, url)
    if (to === undefined || hop >= MAX_RELAY_HOPS) return res
    await res.body?.cancel()
    at = to
  }
}
