import type { IncomingMessage } from "node:http"
import type { Authenticator, Identity } from "./Authenticator.js"

const NAME = /^[A-Za-z0-9_.-]{1,64}$/

/**
 * Development authenticator: trusts whatever the request says. Reads `clinic`, `desk`
 * and `role` from the query string, or the `x-vetsync-clinic`, `x-vetsync-desk` and
 * `x-vetsync-role` headers (role "desk" by default, or "service", whose clinic is "*").
 * Refuses requests without a valid clinic and desk. Real
 * enrolment (credentials checked against PostgreSQL) replaces it later.
 */
export class DevAuthenticator implements Authenticator {
  authenticate(req: IncomingMessage): Identity | null {
    const url = new URL(req.url ?? "/", "http://relay.invalid")
    const pick = (param: string, header: string): string | undefined => {
      const q = url.searchParams.get(param)
      if (q) return q
      const h = req.headers[header]
      return Array.isArray(h) ? h[0] : h
    }
    const role = pick("role", "x-vetsync-role") ?? "desk"
    const deskId = pick("desk", "x-vetsync-desk")
    if (role !== "desk" && role !== "service") return null
    // a service serves every clinic: its clinic is "*" unless given
    const clinicId = pick("clinic", "x-vetsync-clinic") ?? (role === "service" ? "*" : undefined)
    if (!clinicId || !deskId || !NAME.test(deskId)) return null
    if (!NAME.test(clinicId) && !(role === "service" && clinicId === "*")) return null
    return { clinicId, deskId, role }
  }
}
