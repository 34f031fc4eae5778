import * as fs from "node:fs"
import * as path from "node:path"
import Database from "better-sqlite3"
import type { DeskCredential } from "@vetsync/shared"
import { DESK_API_SECRET_FILE } from "../host/http/deskApiSecret.js"
import type { ClinicMismatch } from "./setupApi.js"

/**
 * The desk's data directory as the setup sees it: which clinic its data belongs to, what has not
 * reached the relay, and moving it aside (never deleting it) when the desk changes clinics.
 */

/** A credential for another clinic than the data's, kept until staff decide (its token is used up). */
export const OTHER_CLINIC_CREDENTIAL_FILE = "credential.other-clinic.json"
/** where moved-aside data goes, inside the data directory (always writable by the desk) */
export const MOVED_ASIDE_DIR = "moved-aside"

export interface DataDirClinic {
  clinicId: string
  /** records with local changes the relay has not acknowledged (the read model's last count) */
  waitingRecords: number
}

/** The clinic the data directory's read model belongs to, or undefined for a directory without data. */
export const dataDirClinic = (dataDir: string): DataDirClinic | undefined => {
  const file = path.join(dataDir, "readmodel.sqlite")
  if (!fs.existsSync(file)) return undefined
  const db = new Database(file, { fileMustExist: true })
  try {
    const meta = db.prepare("SELECT v FROM meta WHERE k = 'clinicId'").get() as { v: string } | undefined
    if (!meta) return undefined
    const waiting = db.prepare("SELECT coalesce(sum(waiting), 0) AS n FROM dirty_docs").get() as { n: number }
    return { clinicId: meta.v, waitingRecords: Number(waiting.n) }
  } finally {
    db.close()
  }
}

const stamp = (d: Date): string => d.toISOString().replace(/[-:]/g, "").replace(/\.\d+Z$/, "Z")

/** Where moveAside would put this clinic's data now: `<dataDir>/moved-aside/<clinic>-<UTC time>`. */
export const moveAsideTarget = (dataDir: string, clinicId: string, now = new Date()): string =>
  path.join(dataDir, MOVED_ASIDE_DIR, `${clinicId.replace(/[^A-Za-z0-9_-]/g, "_")}-${stamp(now)}`)

/** The data directory holds another clinic's data than the credential's: what staff are told before they decide. */
export const clinicMismatch = (dataDir: string, cred: DeskCredential): ClinicMismatch | undefined => {
  const theirs = dataDirClinic(dataDir)
  if (!theirs || theirs.clinicId === cred.clinicId) return undefined
  return {
    dataClinicId: theirs.clinicId,
    waitingRecords: theirs.waitingRecords,
    newClinicId: cred.clinicId,
    newDeskId: cred.deskId,
    moveTo: moveAsideTarget(dataDir, theirs.clinicId),
  }
}

/** Entries that stay: earlier moved-aside data, the pending credential, this start's API secret. */
const STAYS = new Set([MOVED_ASIDE_DIR, OTHER_CLINIC_CREDENTIAL_FILE, DESK_API_SECRET_FILE])

/**
 * Moves everything of the old clinic (documents, read model, its credential) into `target` (or
 * `target-2` ... if it exists) by renaming: same file system, nothing is copied or deleted. The
 * desk must be closed. Returns where it went and what was moved.
 */
export const moveAside = (dataDir: string, target: string): { to: string; moved: string[] } => {
  let to = target
  for (let n = 2; fs.existsSync(to); n++) to = `${target}-${n}`
  fs.mkdirSync(to, { recursive: true })
  const moved: string[] = []
  for (const name of fs.readdirSync(dataDir)) {
    if (STAYS.has(name) || name.startsWith(`.${DESK_API_SECRET_FILE}`)) continue
    fs.renameSync(path.join(dataDir, name), path.join(to, name))
    moved.push(name)
  }
  return { to, moved }
}
