import * as fs from "node:fs"
import * as path from "node:path"
import { loadDeskCredential, saveDeskCredential, type DeskCredential } from "@vetsync/shared"
import { DeskError, isDeskCommand, type ApiResponse } from "../core/api.js"
import { DeskCore, type DeskOptions } from "../core/DeskCore.js"
import { dispatchCall, toErrorResponse, type ApiTarget } from "../web/dispatch.js"
import { dataDirClinic, moveAside, moveAsideTarget, OTHER_CLINIC_CREDENTIAL_FILE } from "./dataDir.js"
import { enrolAtRelay } from "./enrolAtRelay.js"
import { parseRelayAddress } from "./relayAddress.js"
import { enrolmentOffered } from "./relayProbe.js"
import { AccessWatch, type AccessLost } from "./AccessWatch.js"
import { parseSetupArgs } from "./setupArgs.js"
import { isSetupCommand, type ClinicMismatch, type EnrolFailure, type HostEvent, type SetupPhase, type SetupStatus } from "./setupApi.js"

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
  /** the relay (--server); overrides the credential's */
  server?: string
  /** a development identity (a relay without registry, or none): used only while the desk has no credential */
  identity?: DeskIdentity
  /** the invoice-number code of an enrolled desk whose credential carries none; default D1 */
  deskCode?: string
  /** further DeskCore options (tests) */
  core?: Pick<DeskOptions, "network" | "now" | "headers">
  log?: (line: string) => void
  enrolTimeoutMs?: number
}

const SETUP_PHASES_THAT_ENROL: readonly SetupPhase[] = ["needs-enrolment", "revoked"]

/**
 * The desk process before, during and after it has an identity. It serves the setup API
 * (setupApi.ts) always and the desk API while a DeskCore is open and `ready`; it opens the core
 * from the stored credential, from a development identity, or after staff enrol through the
 * first-run screen; it notices when the relay stops accepting the desk (revoked) or wants an
 * enrolment it does not have; and it never mixes two clinics' data in one data directory.
 */
export class DeskHost implements ApiTarget {
  readonly #o: DeskHostOptions
  readonly #log: (line: string) => void
  readonly #listeners = new Set<(e: HostEvent) => void>()
  #phase: SetupPhase = "starting"
  #core: DeskCore | undefined
  #offCore: (() => void) | undefined
  #watch: AccessWatch | undefined
  #relay: string | null
  #failure: EnrolFailure | null = null
  #mismatch: ClinicMismatch | null = null
  /** the identity of the desk while it has one (the revoked one too) */
  #identity: { deskId: string; clinicId: string } | null = null
  #since: string | null = null
  #waiting = 0
  /** transitions run one at a time */
  #queue: Promise<unknown> = Promise.resolve()
  #closed = false

  constructor(options: DeskHostOptions) {
    this.#o = options
    this.#log = options.log ?? (line => console.log(`[desk] ${line}`))
    this.#relay = options.server ?? null
  }

  /** The open desk core (ready or revoked), if any. */
  get core(): DeskCore | undefined {
    return this.#core
  }

  get phase(): SetupPhase {
    return this.#phase
  }

  /** Decides what the desk is: opens it (credential, development identity), or waits for enrolment. */
  start(): Promise<void> {
    return this.#serial(() => this.#start())
  }

  status(): SetupStatus {
    return {
      phase: this.#phase,
      relay: this.#relay,
      deskId: this.#identity?.deskId ?? null,
      clinicId: this.#identity?.clinicId ?? null,
      waitingRecords: this.#phase === "revoked" && this.#core ? this.#core.status().waitingRecords : this.#waiting,
      since: this.#since,
      failure: this.#failure,
      mismatch: this.#mismatch,
      dataDir: this.#o.dataDir,
    }
  }

  async dispatch(command: string, args: unknown): Promise<ApiResponse<unknown>> {
    if (isSetupCommand(command)) {
      try {
        return { ok: true, value: await this.#setup(command, args) }
      } catch (e) {
        return toErrorResponse(e)
      }
    }
    if (!isDeskCommand(command)) return { ok: false, error: { code: "bad_request", message: `unknown command: ${command}` } }
    const core = this.#core
    if (!core || this.#phase !== "ready")
      return { ok: false, error: { code: "unavailable", message: `the desk is not open for work (${this.#phase}): see setup.status` } }
    return dispatchCall(core, command, args)
  }

  onEvent(listener: (event: HostEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async initialEvents(): Promise<HostEvent[]> {
    const setup: HostEvent = { type: "setup", setup: this.status() }
    return this.#core && this.#phase === "ready" ? [setup, { type: "status", status: this.#core.status() }] : [setup]
  }

  async close(): Promise<void> {
    this.#closed = true
    await this.#queue.catch(() => undefined)
    await this.#closeCore()
  }

  async #setup(command: string, args: unknown): Promise<SetupStatus> {
    switch (command) {
      case "setup.status":
        parseSetupArgs(command, args)
        return this.status()
      case "setup.enrol": {
        const { relay, token } = parseSetupArgs(command, args)
        return this.#serial(() => this.#enrol(relay, token))
      }
      case "setup.moveAside": {
        const { dataClinicId } = parseSetupArgs(command, args)
        return this.#serial(() => this.#moveAside(dataClinicId))
      }
      default:
        parseSetupArgs("setup.keepData", args)
        return this.#serial(() => this.#keepData())
    }
  }

  async #start(): Promise<void> {
    this.#failure = null
    this.#mismatch = null
    this.#identity = null
    this.#waiting = 0
    const dir = this.#o.dataDir
    fs.mkdirSync(dir, { recursive: true })
    const cred = loadDeskCredential(dir)
    // `vetsync desk --enrol` into a directory of another clinic: the same choice as on the screen
    const theirs = dataDirClinic(dir)
    if (cred && theirs && theirs.clinicId !== cred.clinicId) {
      fs.renameSync(path.join(dir, "credential.json"), path.join(dir, OTHER_CLINIC_CREDENTIAL_FILE))
      this.#log(`the data directory belongs to clinic ${theirs.clinicId}, the credential to ${cred.clinicId}: staff decide on the desk's page`)
    }
    const other = loadDeskCredential(dir, OTHER_CLINIC_CREDENTIAL_FILE)
    if (other) {
      await this.#offerMoveAside(other)
      return
    }
    // --server overrides the credential's relay (a proxy, a new address)
    if (cred) return this.#open(this.#enrolled(cred), this.#o.server ?? cred.server)
    if (this.#o.identity) return this.#open(this.#o.identity, this.#o.server)
    const relay = this.#o.server ? parseRelayAddress(this.#o.server) : undefined
    // a relay without a registry (development) takes a desk that says who it is
    if (relay?.ok && (await enrolmentOffered(relay.http)) === false) {
      this.#log(`${this.#o.server ?? ""} has no desk registry: the desk runs as ${DEV_IDENTITY.deskId} of ${DEV_IDENTITY.clinicId}`)
      return this.#open(DEV_IDENTITY, this.#o.server)
    }
    this.#setPhase("needs-enrolment")
  }

  #enrolled(cred: DeskCredential): DeskIdentity & { credential: string } {
    return { clinicId: cred.clinicId, deskId: cred.deskId, deskCode: this.#o.deskCode ?? DEV_IDENTITY.deskCode, credential: cred.credential }
  }

  async #open(identity: DeskIdentity & { credential?: string }, server: string | undefined): Promise<void> {
    const { credential } = identity
    const address = server ? parseRelayAddress(server) : undefined
    // "http://relay:8787" and "relay.example" mean the relay's sync socket
    if (server) server = address?.ok ? address.sync : server
    if (server) this.#relay = server
    const core = await DeskCore.open({
      ...this.#o.core,
      dataDir: this.#o.dataDir,
      clinicId: identity.clinicId,
      deskId: identity.deskId,
      deskCode: identity.deskCode,
      ...(server ? { server } : {}),
      ...(credential ? { credential } : {}),
    })
    this.#core = core
    this.#identity = { deskId: identity.deskId, clinicId: identity.clinicId }
    this.#since = null
    this.#watch = new AccessWatch(core, lost => void this.#serial(() => this.#lost(core, lost)).catch(() => undefined))
    this.#offCore = core.onEvent(e => {
      this.#emit(e)
      if (e.type === "status") this.#watch?.status(e.status)
    })
    this.#setPhase("ready")
  }

  /** The relay refused the open desk's socket and, asked, said why: revoked, or it wants an enrolment. */
  async #lost(core: DeskCore, lost: AccessLost): Promise<void> {
    if (core !== this.#core || this.#phase !== "ready") return
    this.#since = lost.since
    this.#relay = core.opts.server ?? this.#relay
    this.#log(lost.kind === "revoked" ? `desk ${core.opts.deskId} was revoked: enrol it again` : "the relay enrols desks: enrol this one")
    this.#setPhase(lost.kind)
  }

  async #enrol(relay: string, token: string): Promise<SetupStatus> {
    const before = this.#phase
    if (!SETUP_PHASES_THAT_ENROL.includes(before))
      throw new DeskError("bad_request", `the desk cannot enrol now (${before})`)
    this.#failure = null
    this.#relay = relay.trim()
    this.#setPhase("enrolling")
    const outcome = await enrolAtRelay(relay, token, this.#o.enrolTimeoutMs)
    if (!outcome.ok) {
      this.#failure = outcome.failure
      this.#log(`enrolment failed: ${outcome.failure.code} (${outcome.failure.detail})`)
      this.#setPhase(before)
      return this.status()
    }
    const cred = outcome.credential
    this.#relay = cred.server ?? this.#relay
    this.#log(`enrolled as desk ${cred.deskId} of clinic ${cred.clinicId}`)
    const theirs = this.#core ? { clinicId: this.#core.opts.clinicId } : dataDirClinic(this.#o.dataDir)
    if (theirs && theirs.clinicId !== cred.clinicId) {
      await this.#closeCore()
      saveDeskCredential(this.#o.dataDir, cred, OTHER_CLINIC_CREDENTIAL_FILE)
      return this.#offerMoveAside(cred)
    }
    return this.#switchTo(cred, before)
  }

  /** Stores the credential, closes the old desk (its data stays: same clinic) and opens the new one. */
  async #switchTo(cred: DeskCredential, fallback: SetupPhase): Promise<SetupStatus> {
    try {
      saveDeskCredential(this.#o.dataDir, cred)
      fs.rmSync(path.join(this.#o.dataDir, OTHER_CLINIC_CREDENTIAL_FILE), { force: true })
      await this.#closeCore()
      // enrolled on the screen: the relay staff named
      await this.#open(this.#enrolled(cred), cred.server ?? this.#o.server)
    } catch (e) {
      this.#failure = { code: "internal", field: null, detail: (e as Error).message }
      this.#setPhase(fallback)
    }
    return this.status()
  }

  /** The new credential (kept in OTHER_CLINIC_CREDENTIAL_FILE) is for another clinic than the data's: staff decide. */
  async #offerMoveAside(cred: DeskCredential): Promise<SetupStatus> {
    const theirs = dataDirClinic(this.#o.dataDir)
    // nothing to move (the data went away meanwhile): just take it
    if (!theirs || theirs.clinicId === cred.clinicId) return this.#switchTo(cred, "needs-enrolment")
    this.#identity = { deskId: cred.deskId, clinicId: cred.clinicId }
    this.#waiting = theirs.waitingRecords
    this.#mismatch = {
      dataClinicId: theirs.clinicId,
      waitingRecords: theirs.waitingRecords,
      newClinicId: cred.clinicId,
      newDeskId: cred.deskId,
      moveTo: moveAsideTarget(this.#o.dataDir, theirs.clinicId),
    }
    this.#setPhase("other-clinic")
    return this.status()
  }

  async #moveAside(dataClinicId: string): Promise<SetupStatus> {
    const m = this.#mismatch
    if (this.#phase !== "other-clinic" || !m) throw new DeskError("bad_request", "there is no other clinic's data to move aside")
    if (dataClinicId !== m.dataClinicId) throw new DeskError("bad_request", `the data directory belongs to clinic ${m.dataClinicId}, not ${dataClinicId}`)
    const cred = loadDeskCredential(this.#o.dataDir, OTHER_CLINIC_CREDENTIAL_FILE)
    if (!cred) throw new DeskError("internal", "the new credential is gone: enrol again")
    await this.#closeCore()
    const target = moveAsideTarget(this.#o.dataDir, m.dataClinicId)
    const moved = moveAside(this.#o.dataDir, target)
    this.#log(`clinic ${m.dataClinicId}'s data (${moved.join(", ")}; ${m.waitingRecords} records not on the relay) moved to ${target}`)
    this.#mismatch = null
    this.#waiting = 0
    return this.#switchTo(cred, "needs-enrolment")
  }

  async #keepData(): Promise<SetupStatus> {
    if (this.#phase !== "other-clinic") throw new DeskError("bad_request", "there is no other clinic's credential to throw away")
    fs.rmSync(path.join(this.#o.dataDir, OTHER_CLINIC_CREDENTIAL_FILE), { force: true })
    this.#log("the other clinic's credential was thrown away; the data stays")
    await this.#start()
    return this.status()
  }

  async #closeCore(): Promise<void> {
    this.#offCore?.()
    this.#offCore = undefined
    this.#watch?.close()
    this.#watch = undefined
    const core = this.#core
    this.#core = undefined
    await core?.close()
  }

  #setPhase(phase: SetupPhase): void {
    this.#phase = phase
    this.#emit({ type: "setup", setup: this.status() })
  }

  #emit(e: HostEvent): void {
    for (const l of this.#listeners) {
      try {
        l(e)
      } catch (err) {
        this.#log(`an event listener failed: ${String(err)}`)
      }
    }
  }

  #serial<T>(fn: () => Promise<T> | T): Promise<T> {
    const next = this.#queue.then(() => {
      if (this.#closed) throw new DeskError("unavailable", "the desk is closing")
      return fn()
    })
    this.#queue = next.catch(() => undefined)
    return next
  }
}
