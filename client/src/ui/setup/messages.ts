import { parseRelayAddress } from "../../setup/relayAddress.js"
import type { EnrolFailure } from "../../setup/setupApi.js"
import { t } from "../i18n/index.svelte.js"
import type { FieldProblem } from "../state/enrolForm.svelte.js"

/** The relay's host as staff typed it, for messages ("relay.example:443"). */
export const hostOf = (relay: string): string => {
  const a = parseRelayAddress(relay)
  return a.ok ? new URL(a.http).host : relay.trim()
}

/** A failed attempt in the UI's language. */
export const failureText = (f: EnrolFailure, relay: string): string => t(`setup.fail.${f.code}`, { host: hostOf(relay) })

/** What is wrong with a field, in the UI's language. */
export const problemText = (p: FieldProblem, relay: string): string =>
  p.kind === "address" ? t(`setup.addr.${p.problem}`) : p.kind === "token" ? t(`setup.tok.${p.problem}`) : failureText(p.failure, relay)
