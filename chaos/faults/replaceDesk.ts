import { readFileSync, rmSync } from "node:fs"
import { join } from "node:path"
import { READ_MODEL_VERSION } from "@vetsync/client/read-model-image"
import { eventually } from "@vetsync/test-kit"
import { desksAdd, green, vetsync } from "../admin.js"
import type { Cluster } from "../Cluster.js"
import type { DeskHolds } from "../workload/DeskHolds.js"

/** How long a replaced desk may take to answer, and to take its clinic from the relay. */
const BOOTSTRAP_MS = 180_000

/** What a desk's log says of where its read model came from (client/src/core/Bootstrapper.ts). */
const BOOTSTRAP_LINE = /the read model taken whole from [^"\n]*|the snapshot from [^"\n]* applied[^"\n]*/

/** desk-2 → desk-2r1, desk-2r1 → desk-2r2: the next name of a replaced desk. */
export const replacementOf = (name: string): string => {
  const m = /^(.*?)(?:r(\d+))?$/.exec(name)
  return `${m?.[1] ?? name}r${Number(m?.[2] ?? 0) + 1}`
}

/**
 * Asks the relay for its read-model image as desk `dataDir` (its credential) until it answers with
 * one: an image close to the clinic as it is (ReadModelImages builds one when it has none, or when
 * it lacks many records).
 */
const freshImage = async (cluster: Cluster, dataDir: string, label: string): Promise<void> => {
  const { credential } = JSON.parse(readFileSync(join(dataDir, "credential.json"), "utf8")) as { credential: string }
  const url = `http://127.0.0.1:${cluster.relayPort}/clinics/${encodeURIComponent(cluster.clinicId)}/read-model?version=${READ_MODEL_VERSION}`
  await eventually(
    `the relay's read-model image of the clinic as it is (${label})`,
    async () => {
      const res = await fetch(url, { headers: { authorization: `Bearer ${credential}` } })
      await res.body?.cancel()
      return res.status === 200
    },
    BOOTSTRAP_MS,
    { pollMs: 1000 },
  )
}

/**
 * The "desk.replace" fault (FaultSchedule): desk i's receptionist held between two ops; once the desk
 * has nothing waiting (everything it acknowledged is durable on the relay) it is killed -9 and its disk
 * wiped; the administrator revokes it (`vetsync desks revoke`) and adds a desk in its place (`vetsync
 * desks add --desk-id`), which enrols in the same directory, behind the same proxy and LAN links, and
 * takes the clinic from the relay (with `image`, once the relay has an image close to the clinic
 * just before: that image; else the snapshot, or an image if one is close enough). The receptionist
 * carries on at the new desk, under its new name, so the ledger asks of it only what it acknowledged
 * itself; the oracle asks every record of it at the end.
 * Returns the line the report gives the episode, or why the desk was left as it was.
 */
export const replaceDesk = async (cluster: Cluster, holds: DeskHolds, f: { desk: number; image: boolean }, label: string): Promise<string> => {
  const i = f.desk
  const d = cluster.desks[i]
  if (!d) throw new Error(`no desk ${i}`)
  await holds.hold(i)
  try {
    try {
      await green(d, `before it is replaced (${label})`)
    } catch (e) {
      return `${label}: ${d.name} not replaced: ${(e as Error).message}`
    }
    const old = { name: d.name, deskId: d.deskId, code: d.code }
    const deskId = replacementOf(old.deskId)
    // the LAN's links dial by desk id order (LanLinks): the new id must sort as the old one did
    for (const other of cluster.desks)
      if (other !== d && old.deskId < other.deskId !== deskId < other.deskId)
        throw new Error(`${label}: ${deskId} would sort on the other side of ${other.deskId} than ${old.deskId}`)
    // half the time a clinic where a desk was set up lately: the relay's image is fresh, and the new desk takes it
    if (f.image) await freshImage(cluster, d.dataDir, label)
    await d.proc.kill9()
    rmSync(d.dataDir, { recursive: true, force: true })
    const revoked = await vetsync(cluster, ["desks", "revoke", old.deskId])
    if (revoked.code !== 0) throw new Error(`${label}: desks revoke ${old.deskId} exited ${revoked.code}: ${revoked.stderr}`)
    const added = await desksAdd(cluster, deskId)
    await cluster.replaceDesk(i, replacementOf(old.name), added)
    const how = await eventually(
      `${d.name} to take the clinic from the relay (${label})`,
      () => BOOTSTRAP_LINE.exec(d.proc.logOfThisStart())?.[0],
      BOOTSTRAP_MS,
      { pollMs: 250, describe: () => d.proc.logOfThisStart().slice(-1200) },
    )
    return `${label}: ${old.name} (${old.deskId}, code ${old.code}) replaced by ${d.name} (${added.deskId}, code ${added.code}): ${how}`
  } finally {
    holds.release(i)
  }
}
