import { freePort, TcpProxy } from "@vetsync/test-kit"

/** How a LAN link is cut: as TcpProxy drops or stalls. */
export type LinkCut = "drop" | "stall"

/** The LAN link between two desks: the dialling desk reaches the other's LAN port through `proxy` alone. */
export interface LanLink {
  /** the desks' indexes, a < b */
  a: number
  b: number
  /** the one that dials (the smaller desk id: the listener refuses the other's dial, client/src/lan/lanTls.ts keepsConnection) */
  dialer: number
  proxy: TcpProxy
}

/**
 * The clinic's LAN in the chaos cluster (issue 15): every desk listens on its own LAN port, and each
 * pair of desks is joined by one TcpProxy in front of the listener's port, which the dialler has as
 * its only static LAN peer for that desk (mDNS off), so a LAN link is cut and healed like a desk's
 * link to the relay. The LAN's mutual TLS passes through the proxy unchanged; a desk checks its
 * peer's certificate (clinic and desk), never the address it dialled.
 */
export class LanLinks {
  readonly ports: readonly number[]
  readonly links: readonly LanLink[]

  private constructor(ports: number[], links: LanLink[]) {
    this.ports = ports
    this.links = links
  }

  /** A LAN port for each desk (by index) and a proxy for each pair. */
  static async start(deskIds: readonly string[]): Promise<LanLinks> {
    const ports: number[] = []
    for (let i = 0; i < deskIds.length; i++) ports.push(await freePort())
    const links: LanLink[] = []
    try {
      for (let a = 0; a < deskIds.length; a++)
        for (let b = a + 1; b < deskIds.length; b++) {
          const dialer = (deskIds[a] ?? "") < (deskIds[b] ?? "") ? a : b
          const listener = dialer === a ? b : a
          links.push({ a, b, dialer, proxy: await TcpProxy.start(ports[listener] ?? 0) })
        }
    } catch (e) {
      for (const l of links) await l.proxy.close()
      throw e
    }
    return new LanLinks(ports, links)
  }

  /** Desk i's static LAN peers: the proxies of the links it dials (`host:port` each). */
  peersOf(i: number): string[] {
    return this.links.filter(l => l.dialer === i).map(l => `127.0.0.1:${l.proxy.port}`)
  }

  /** `vetsync desk`'s LAN flags for desk i: its port, mDNS off, and the proxies of the links it dials. */
  flagsOf(i: number): string[] {
    const peers = this.peersOf(i)
    return ["--lan-port", String(this.ports[i] ?? 0), "--lan-mdns", "off", ...(peers.length ? ["--lan-peers", peers.join(",")] : [])]
  }

  /** The links of desk i. */
  linksOf(i: number): LanLink[] {
    return this.links.filter(l => l.a === i || l.b === i)
  }

  /** Cuts every link of desk i (the desk alone on its LAN). */
  isolate(i: number, how: LinkCut): void {
    for (const l of this.linksOf(i)) l.proxy[how]()
  }

  /** Cuts every link between desks of different groups and heals those within a group. */
  partition(groups: readonly (readonly number[])[], how: LinkCut): void {
    const group = new Map<number, number>()
    for (const [g, desks] of groups.entries()) for (const d of desks) group.set(d, g)
    for (const l of this.links) {
      if (group.get(l.a) === group.get(l.b)) l.proxy.heal()
      else l.proxy[how]()
    }
  }

  /** The desks desk i can reach over the LAN now (its links that pass). */
  reachable(i: number): number {
    return this.linksOf(i).filter(l => l.proxy.mode === "pass").length
  }

  heal(): void {
    for (const l of this.links) l.proxy.heal()
  }

  async close(): Promise<void> {
    for (const l of this.links) await l.proxy.close()
  }
}
