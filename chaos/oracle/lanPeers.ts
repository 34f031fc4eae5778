import type { Problem } from "./Oracle.js"

/** What a desk reported of its LAN peers (status.lanPeers; undefined: no status). */
export interface LanPeersSeen {
  name: string
  lanPeers: number | undefined
}

/**
 * Once things settle, each desk's count of LAN peers (status.lanPeers) is the number of its LAN
 * links the harness has open (LanLinks.reachable; 0 for every desk of a cluster without LAN sync).
 */
export const lanPeerProblems = (desks: readonly LanPeersSeen[], open: ReadonlyMap<string, number>): Problem[] =>
  desks.flatMap(d => {
    const links = open.get(d.name) ?? 0
    return d.lanPeers === links
      ? []
      : [{ kind: "lan-peers", desk: d.name, detail: `${d.name} reports ${d.lanPeers ?? "no status, so no"} LAN peers; the harness has ${links} of its LAN links open` }]
  })
