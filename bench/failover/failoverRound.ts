import type pg from "pg"
import { logTimes, type BridgeProcess } from "../../test/helpers/BridgeProcess.js"
import type { FailoverCluster, RelayProc, TestDesk } from "../../test/helpers/FailoverCluster.js"

/** One failover, every time in ms from the kill -9 (undefined: not seen). */
export interface FailoverTimes {
  how: FailoverKind
  killed: string
  /** when the killed relay's lease of the clinic ran out (kill -9: its expires_at, PostgreSQL's clock; SIGTERM: its release, polled) */
  leaseExpired: number | undefined
  /** when PostgreSQL first showed the other relay holding it (polled every 25 ms) */
  leaseTaken: number | undefined
  /** the desk joined a relay again */
  deskJoined: number | undefined
  /** the desk's edit made right after the kill, acknowledged as stored */
  deskAcked: number
  /** the bridge joined the clinic's relay again (its log) */
  bridgeJoined: number | undefined
  /** the edit is a row in PostgreSQL (the bridge's projection; polled every 25 ms) */
  inPostgres: number
}

const POLL_MS = 25

/** How the relay goes: killed (-9), or stopped cleanly (SIGTERM, a planned restart) */
export type FailoverKind = "kill -9" | "SIGTERM"

/**
 * Kills the relay holding the desk's clinic with -9 (or stops it with SIGTERM) and times the way back: the lease's expiry and
 * takeover, the desk's rejoin and its next edit's acknowledgement, the bridge's rejoin and that
 * edit's row in PostgreSQL. The desk and the bridge must be joined to the holder, the clinic's
 * earlier edits in PostgreSQL.
 */
export const failoverRound = async (
  cluster: FailoverCluster,
  pool: pg.Pool,
  desk: TestDesk,
  bridge: BridgeProcess,
  how: FailoverKind,
): Promise<FailoverTimes> => {
  const clinicId = desk.clinicId
  const holder = await cluster.holderOf(clinicId)
  const killed: RelayProc | undefined = cluster.relays.find(r => r.id === holder)
  if (!killed) throw new Error(`nobody holds clinic ${clinicId}'s lease`)
  const rowsOf = async (): Promise<number> =>
    Number(
      (await pool.query<{ n: string }>("SELECT count(*) AS n FROM clients WHERE clinic_id = $1", [clinicId])).rows[0]?.n,
    )
  const before = await rowsOf()
  let deskJoined: number | undefined
  const t0 = Date.now()
  const onConnection = (e: { state: string }) => {
    if (e.state === "open" && deskJoined === undefined) deskJoined = Date.now() - t0
  }
  desk.adapter.on("connection", onConnection)
  let leaseExpired: number | undefined
  let leaseTaken: number | undefined
  let inPostgres: number | undefined
  let polling = true
  const poll = async () => {
    while (polling) {
      const now = Date.now() - t0
      if (leaseTaken === undefined) {
        const h = await cluster.holderOf(clinicId)
        if (h !== killed.id) leaseExpired ??= now
        if (h !== undefined && h !== killed.id) leaseTaken = now
      }
      if (inPostgres === undefined && (await rowsOf()) > before) inPostgres = now
      if (inPostgres !== undefined && leaseTaken !== undefined) return
      await new Promise(resolve => setTimeout(resolve, POLL_MS))
    }
  }
  let polled: Promise<void> | undefined
  if (how === "kill -9") {
    await killed.proc.kill9()
    // dead: its lease row is final now
    const { rows } = await pool.query<{ exp: number }>(
      "SELECT extract(epoch FROM expires_at) * 1000 AS exp FROM clinic_leases WHERE role = 'relay' AND clinic_id = $1",
      [clinicId],
    )
    leaseExpired = Number(rows[0]?.exp) - t0
    polled = poll()
  } else {
    // the release is seen by polling, while the relay closes
    polled = poll()
    await killed.proc.stop()
  }
  try {
    await cluster.addClient(desk, 60_000)
    const deskAcked = Date.now() - t0
    const deadline = Date.now() + 60_000
    while (inPostgres === undefined && Date.now() < deadline) await new Promise(resolve => setTimeout(resolve, POLL_MS))
    if (inPostgres === undefined) throw new Error("the edit made after the kill never reached PostgreSQL")
    const bridgeJoined = logTimes(bridge.proc, `clinic ${clinicId}: joined the relay at`).find(t => t > t0)
    return {
      how,
      killed: killed.id,
      leaseExpired,
      leaseTaken,
      deskJoined,
      deskAcked,
      bridgeJoined: bridgeJoined === undefined ? undefined : bridgeJoined - t0,
      inPostgres,
    }
  } finally {
    polling = false
    await polled
    desk.adapter.off("connection", onConnection)
  }
}
