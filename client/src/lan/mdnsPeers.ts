import { isIPv4, isIPv6 } from "node:net"
import { LAN_NAME } from "@vetsync/shared/lan"
import { keepsConnection } from "./lanTls.js"

/** The DNS-SD service type desks publish and browse: `_vetsync._tcp.local`. */
export const MDNS_SERVICE_TYPE = "vetsync"

/** Who this desk is, as its mDNS record says (nothing secret: the TLS certificates decide trust). */
export interface MdnsSelf {
  clinicId: string
  deskId: string
}

/** What the mDNS browser hands over for a found service (bonjour-service's Service, as far as it is read here). */
export interface FoundService {
  port?: unknown
  addresses?: readonly unknown[]
  /** where the answer came from */
  referer?: { address?: unknown }
  /** the TXT record, decoded */
  txt?: unknown
}

export type DialVerdict =
  | { dial: true; deskId: string; address: string }
  | { dial: false; why: "malformed" | "other-clinic" | "self" | "they-dial" | "no-address"; deskId?: string }

/** The TXT record this desk publishes. */
export const serviceTxt = (self: MdnsSelf): Record<"clinic" | "desk", string> => ({ clinic: self.clinicId, desk: self.deskId })

/** The service instance's name: unique per desk of a clinic, at most 63 bytes (one DNS label), no dots. */
export const serviceName = (self: MdnsSelf): string => `vetsync ${self.clinicId} ${self.deskId}`.slice(0, 63)

const textField = (txt: unknown, key: string): string | undefined => {
  if (typeof txt !== "object" || txt === null) return undefined
  const v: unknown = Reflect.get(txt, key)
  return typeof v === "string" && LAN_NAME.test(v) ? v : undefined
}

const isLoopback = (a: string): boolean => (isIPv4(a) && a.startsWith("127.")) || a === "::1"

/**
 * The address to dial a found service at, `host:port`: the address its answer came from when the
 * record lists it (the one on the link we share) or when it came over loopback (a desk on this
 * machine), else the record's first IPv4 address, else its first routable IPv6 address (a
 * link-local one needs an interface to dial); undefined when the record gives none.
 */
export const dialAddress = (s: FoundService, port: number): string | undefined => {
  const listed = (s.addresses ?? []).filter((a): a is string => typeof a === "string" && (isIPv4(a) || isIPv6(a)))
  const from = typeof s.referer?.address === "string" ? s.referer.address : undefined
  if (from !== undefined && isIPv4(from) && (listed.includes(from) || isLoopback(from))) return `${from}:${port}`
  const v4 = listed.find(a => isIPv4(a))
  if (v4 !== undefined) return `${v4}:${port}`
  const v6 = listed.find(a => isIPv6(a) && !/^fe[89ab]/i.test(a))
  return v6 === undefined ? undefined : `[${v6}]:${port}`
}

/**
 * Whether to dial a service found by mDNS, and where: a desk of our clinic (by its TXT record)
 * that is not this desk, and that expects us to dial it (of each pair, the smaller desk id dials;
 * the other finds us too). Nothing here is trusted: the peer's certificate still decides.
 */
export const peerToDial = (s: FoundService, self: MdnsSelf): DialVerdict => {
  const clinic = textField(s.txt, "clinic")
  const deskId = textField(s.txt, "desk")
  const port = s.port
  if (clinic === undefined || deskId === undefined) return { dial: false, why: "malformed" }
  if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535) return { dial: false, why: "malformed", deskId }
  if (clinic !== self.clinicId) return { dial: false, why: "other-clinic", deskId }
  if (deskId === self.deskId) return { dial: false, why: "self", deskId }
  if (!keepsConnection(self.deskId, deskId)) return { dial: false, why: "they-dial", deskId }
  const address = dialAddress(s, port)
  return address === undefined ? { dial: false, why: "no-address", deskId } : { dial: true, deskId, address }
}

/**
 * Where a desk of our clinic found by mDNS listens (whichever of the pair dials for sync): a new
 * desk asks any of them for the clinic's snapshot (issue 15). Undefined for this desk, another
 * clinic's, or a record without a usable address.
 */
export const clinicPeer = (s: FoundService, self: MdnsSelf): { deskId: string; address: string } | undefined => {
  const v = peerToDial(s, self)
  if (v.dial) return { deskId: v.deskId, address: v.address }
  if (v.why !== "they-dial" || v.deskId === undefined || typeof s.port !== "number") return undefined
  const address = dialAddress(s, s.port)
  return address === undefined ? undefined : { deskId: v.deskId, address }
}
