import { exchangeEnrolmentToken, type DeskCredential, type EnrolmentAnswer } from "@vetsync/shared"
import { normalizeToken, parseRelayAddress, tokenProblem } from "./relayAddress.js"
import type { EnrolFailure, EnrolFailureCode } from "./setupApi.js"

export type EnrolOutcome = { ok: true; credential: DeskCredential } | { ok: false; failure: EnrolFailure }

const failure = (code: EnrolFailureCode, field: EnrolFailure["field"], detail: string): EnrolOutcome => ({
  ok: false,
  failure: { code, field, detail },
})

const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|EPROTO/

/** fetch's error (TypeError "fetch failed" with the socket's error as its cause, or an abort) as a failure. */
const networkFailure = (e: unknown): EnrolOutcome => {
  const err = e as Error & { cause?: Error & { code?: string } }
  if (err.name === "TimeoutError" || err.name === "AbortError") return failure("timeout", "relay", err.message)
  const code = err.cause?.code ?? ""
  const detail = [code, err.cause?.message ?? err.message].filter(Boolean).join(": ")
  if (TLS_CODES.test(code)) return failure("tls", "relay", detail)
  if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "ETIMEDOUT") return failure("timeout", "relay", detail)
  return failure("unreachable", "relay", detail)
}

/** The relay's refusal (sync-server/src/enrolRoute.ts), or whatever else answered at that address. */
const answerFailure = (a: Extract<EnrolmentAnswer, { ok: false }>): EnrolOutcome => {
  const said = a.error !== undefined ? `${a.status}: ${a.error}` : `HTTP ${a.status}`
  if (a.status >= 300 && a.status < 400) return failure("not-a-relay", "relay", `${said}, redirects to ${a.location ?? "?"}`)
  if (a.error === undefined) return failure(a.status >= 500 ? "relay-error" : "not-a-relay", a.status >= 500 ? null : "relay", said)
  if (a.status === 403) return failure("token-refused", "token", said)
  if (a.status === 404) return failure("no-registry", "relay", said)
  return failure("relay-error", null, said)
}

/**
 * Exchanges a one-time enrolment token at the relay staff named; nothing is stored. The address
 * and the token's shape are checked first (nothing is sent for a mistyped one). The credential
 * carries the relay's sync URL (and, when `lanPublicKey` was sent, the desk's LAN certificates).
 */
export const enrolAtRelay = async (
  relayInput: string,
  tokenInput: string,
  timeoutMs = 15_000,
  lanPublicKey?: string,
): Promise<EnrolOutcome> => {
  const address = parseRelayAddress(relayInput)
  if (!address.ok) return failure("invalid-address", "relay", address.problem)
  const token = normalizeToken(tokenInput)
  const bad = tokenProblem(token)
  if (bad) return failure("invalid-token", "token", bad)
  let answer: EnrolmentAnswer
  try {
    answer = await exchangeEnrolmentToken(address.http, token, {
      signal: AbortSignal.timeout(timeoutMs),
      ...(lanPublicKey !== undefined ? { lanPublicKey } : {}),
    })
  } catch (e) {
    return networkFailure(e)
  }
  return answer.ok ? { ok: true, credential: { ...answer.credential, server: address.sync } } : answerFailure(answer)
}
