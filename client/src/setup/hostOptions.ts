import type { LineLog } from "@vetsync/shared/log"
import type { DeskOptions } from "../core/DeskCore.js"
import type { MdnsSocketOptions } from "../lan/LanDiscovery.js"

export interface DeskIdentity {
  clinicId: string
  deskId: string
  /** short code unique in the clinic, used in invoice numbers */
  deskCode: string
}

/** Who `vetsync desk --server <development relay>` is without a credential or flags (as before enrolment existed). */
export const DEV_IDENTITY: DeskIdentity = { clinicId: "demo", deskId: "desk-1", deskCode: "D1" }

export interface DeskHostOptions {
  dataDir: string
  /** the relay (--server): where a desk without a credential (or with one that does not name its relay) connects, and the address the first-run screen starts with */
  server?: string
  /** a development identity (a relay without registry, or none): used only while the desk has no credential */
  identity?: DeskIdentity
  /** the invoice-number code of an enrolled desk whose credential carries none (enrolled before desk codes); default D1 */
  deskCode?: string
  /** the desk's cash register (DeskCore's `fiscal`) */
  fiscal?: DeskOptions["fiscal"]
  /**
   * LAN sync with the clinic's desks (opt-in): its port and static peers, and mDNS discovery when
   * `mdns` is true (`--lan-mdns`, on by default there; absent here: off), on the socket `mdnsSocket`
   * says (tests: loopback); needs a credential with LAN certificates. `bootstrapAfterMs`: how long a
   * new desk waits for the relay's snapshot before it takes one from a LAN peer (default 15 s)
   */
  lan?: { port: number; peers: string[]; mdns?: boolean; mdnsSocket?: MdnsSocketOptions; bootstrapAfterMs?: number }
  /** further DeskCore options (tests) */
  core?: Pick<DeskOptions, "network" | "now" | "headers" | "reportMs">
  log?: LineLog
  enrolTimeoutMs?: number
}
