/**
 * What staff type on the first-run screen, checked the same way in the UI (as they type) and in
 * the desk process (before anything is sent). Pure: no Node, no DOM.
 */

export type AddressProblem = "empty" | "scheme" | "path" | "host" | "userinfo" | "query"

export type RelayAddress =
  | {
      ok: true
      /** where POST /enrol goes: http(s)://host[:port] */
      http: string
      /** the sync socket: ws(s)://host[:port]/sync */
      sync: string
      /** TLS (https/wss) */
      encrypted: boolean
      /** this computer (localhost, 127.x, ::1) */
      loopback: boolean
    }
  | { ok: false; problem: AddressProblem }

const isLoopbackHost = (hostname: string): boolean => {
  const h = hostname.replace(/^\[|\]$/g, "").toLowerCase()
  return h === "localhost" || h === "::1" || /^127(\.\d{1,3}){3}$/.test(h)
}

/**
 * A relay address as staff may write it: `relay.example`, `https://relay.example`,
 * `wss://relay.example/sync`, `http://192.168.1.10:8787`. Without a scheme it is https (wss),
 * except on this computer (http). The path may only be empty or /sync: the relay's endpoints are
 * at its root.
 */
export const parseRelayAddress = (input: string): RelayAddress => {
  const text = input.trim()
  if (text === "") return { ok: false, problem: "empty" }
  if (/\s/.test(text)) return { ok: false, problem: "host" }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase()
  // "relay.example:8787" parses as scheme "relay.example": a scheme is only one followed by //
  const hasScheme = scheme !== undefined && text.slice(scheme.length + 1).startsWith("//")
  if (scheme !== undefined && !hasScheme && !/^[^:/]+:\d+(\/.*)?$/.test(text)) return { ok: false, problem: "scheme" }
  let url: URL
  try {
    url = hasScheme ? new URL(text) : new URL(`${isLoopbackHost(new URL(`http://${text}`).hostname) ? "http" : "https"}://${text}`)
  } catch {
    return { ok: false, problem: "host" }
  }
  if (!["http:", "https:", "ws:", "wss:"].includes(url.protocol)) return { ok: false, problem: "scheme" }
  if (url.username !== "" || url.password !== "") return { ok: false, problem: "userinfo" }
  if (url.search !== "" || url.hash !== "" || text.endsWith("?") || text.endsWith("#")) return { ok: false, problem: "query" }
  if (url.hostname === "") return { ok: false, problem: "host" }
  const path = url.pathname.replace(/\/+$/, "")
  if (path !== "" && path !== "/sync") return { ok: false, problem: "path" }
  const encrypted = url.protocol === "https:" || url.protocol === "wss:"
  return {
    ok: true,
    http: `${encrypted ? "https" : "http"}://${url.host}`,
    sync: `${encrypted ? "wss" : "ws"}://${url.host}/sync`,
    encrypted,
    loopback: isLoopbackHost(url.hostname),
  }
}

export type TokenProblem = "empty" | "desk-credential" | "service-credential" | "shape"

/** A token as pasted: line breaks and spaces a terminal or a messenger added are not part of it. */
export const normalizeToken = (input: string): string => input.replace(/\s+/g, "")

/** The shape `vetsync desks add` prints: vse1.<desk id>.<43 characters> (sync-server/src/registry/tokens.ts). */
const ENROLMENT_TOKEN = /^vse1\.[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{43}$/

/** Why a (normalized) token cannot be an enrolment token, or null. */
export const tokenProblem = (token: string): TokenProblem | null => {
  if (token === "") return "empty"
  if (ENROLMENT_TOKEN.test(token)) return null
  if (token.startsWith("vsd1.")) return "desk-credential"
  if (token.startsWith("vss1.")) return "service-credential"
  return "shape"
}
