import type { Identity } from "./Authenticator.js"

/** A service's clinic when it names none: it sees every clinic. */
export const EVERY_CLINIC = "*"

const NAME = /^[A-Za-z0-9_.-]{1,64}$/

/**
 * A service's connection may name one clinic (`?clinic=ID` on its URL; the bridge does, one socket
 * per clinic): it is then served like that clinic's desks (let in only by the relay holding the
 * clinic's lease, sent to it by the others, cut off when the lease moves) and sees that clinic's
 * documents only. A service naming none (or `all`, `*`) sees every clinic, as before. Narrowing
 * what a service sees needs no proof: it may see every clinic anyway. A desk's identity is its own.
 */
export const scopeService = (identity: Identity, requestUrl: string | undefined): Identity => {
  if (identity.role !== "service") return identity
  const named = new URL(requestUrl ?? "/", "http://relay.invalid").searchParams.get("clinic") ?? identity.clinicId
  const clinicId = named !== "all" && NAME.test(named) ? named : EVERY_CLINIC
  return clinicId === identity.clinicId ? identity : { ...identity, clinicId }
}

/** Whether the identity is served for one clinic only (a desk, or a service naming its clinic). */
export const servesOneClinic = (identity: Identity): boolean =>
  identity.role === "desk" || identity.clinicId !== EVERY_CLINIC
