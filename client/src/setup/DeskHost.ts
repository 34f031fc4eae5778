import * as fs from "node:fs"
import * as path from "node:path"
import { loadDeskCredential, saveDeskCredential, type DeskCredential } from "@vetsync/shared"
import { loadOrCreateDeskLanKey } from "@vetsync/shared/lan"
import { DeskError, type ApiResponse } from "../core/api.js"
import type { DeskCore } from "../core/DeskCore.js"
import { currentEvents, dispatchHostCall, type ApiTarget } from "../host/dispatch.js"
import type { AccessLost } from "./AccessWatch.js"
import { clinicMismatch, dataDirClinic, moveAside, OTHER_CLINIC_CREDENTIAL_FILE } from "./dataDir.js"
import { enrolAtRelay } from "./enrolAtRelay.js"
import { DEV_IDENTITY, type DeskHostOptions, type DeskIdentity } from "./hostOptions.js"
import { ensureLanCertificate } from "./lanCertificate.js"
import { OpenDesk } from "./OpenDesk.js"
import { parseRelayAddress } from "./relayAddress.js"
import { enrolmentOffered } from "./relayProbe.js"
import { routeSetupCall } from "./setupArgs.js"
import type {
  ClinicMismatch,
  EnrolFailure,
  HostEvent,
  SetupCommand,
  SetupPhase,
  SetupStatus,
} from "./setupApi.js"
import { lineLog, rootLogger, type LineLog } from "@vetsync/shared/log"

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
  readonly #log: LineLog
  readonly #listeners = new Set<(e: HostEvent) => void>()
  #phase: SetupPhase = "starting"
  #desk: OpenDesk | undefined
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
    this.#log = options.log ?? lineLog(rootLogger())
    this.#relay = options.server ?? null
  }

  /** The open desk core (ready or revoked), if any. */
  get core(): DeskCore | undefined {
    return this.#desk?.core
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
      waitingRecords: this.#phase === "revoked" && this.core ? this.core.status().waitingRecords : this.#waiting,
      since: this.#since,
      failure: this.#failure,
      mismatch: this.#mismatch,
      dataDir: this.#o.dataDir,
    }
  }

  dispatch(command: string, args: unknown): Promise<ApiResponse<unknown>> {
    return dispatchHostCall(
      {
        setup: (c, a) => this.#setup(c, a),
        core: () =>
          this.core && this.#phase === "ready"
            ? this.core
            : `the desk is not open for work (${this.#phase}): see setup.status`,
      },
      command,
      args,
    )
  }

  onEvent(listener: (event: HostEvent) => void): () => void {
    this.#listeners.add(listener)
    return () => this.#listeners.delete(listener)
  }

  async initialEvents(): Promise<HostEvent[]> {
    const setup: HostEvent = { type: "setup", setup: this.status() }
    return this.core && this.#phase === "ready" ? [setup, ...(await currentEvents(this.core))] : [setup]
  }

  async close(): Promise<void> {
    this.#closed = true
    await this.#queue.catch(() => undefined)
    await this.#closeCore()
  }

  #setup(command: SetupCommand, args: unknown): Promise<SetupStatus> {
    return routeSetupCall(command, args, {
      "setup.status": () => Promise.resolve(this.status()),
      "setup.enrol": ({ relay, token }) => this.#serial(() => this.#enrol(relay, token)),
      "setup.moveAside": ({ dataClinicId }) => this.#serial(() => this.#moveAside(dataClinicId)),
      "setup.keepData": () => this.#serial(() => this.#keepData()),
    })
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
    if (cred) {
      // the relay that issued the credential is the desk's; --server only for a credential that does not say
      const server = cred.server ?? this.#o.server
      if (this.#o.server && cred.server && this.#o.server !== cred.server)
        this.#log(`--server ${this.#o.server} is not used: this desk was enrolled at ${cred.server} (enrol again to move it)`)
      return this.#open(this.#enrolled(cred), server)
    }
    if (this.#o.identity) return this.#open(this.#o.identity, this.#o.server)
    const relay = this.#o.server ? parseRelayAddress(this.#o.server) : undefined
    // a relay without a registry (development) takes a desk that says who it is
    if (relay?.ok && (await enrolmentOffered(relay.http, 5_000)) === false) {
      this.#log(`${this.#o.server ?? ""} has no desk registry: the desk runs as ${DEV_IDENTITY.deskId} of ${DEV_IDENTITY.clinicId}`)
      return this.#open(DEV_IDENTITY, this.#o.server)
    }
    this.#setPhase("needs-enrolment")
  }

  /** The identity the registry gave the desk: its credential's clinic, desk id and desk code (the invoice numbers' prefix). */
  #enrolled(cred: DeskCredential): DeskIdentity & { credential: string } {
    // a credential from before desks had codes names none: --desk-code, else D1
    const deskCode = cred.deskCode ?? this.#o.deskCode ?? DEV_IDENTITY.deskCode
    return { clinicId: cred.clinicId, deskId: cred.deskId, deskCode, credential: cred.credential }
  }

  async #open(identity: DeskIdentity & { credential?: string }, server: string | undefined): Promise<void> {
    const { credential } = identity
    const address = server ? parseRelayAddress(server) : undefined
    // "http://relay:8787" and "relay.example" mean the relay's sync socket
    if (server) server = address?.ok ? address.sync : server
    if (server) this.#relay = server
    if (this.#o.lan && credential) await this.#fetchLanCertificate(server)
    const desk: OpenDesk = await OpenDesk.open(
      {
        ...this.#o.core,
        ...(this.#o.fiscal ? { fiscal: this.#o.fiscal } : {}),
        dataDir: this.#o.dataDir,
        clinicId: identity.clinicId,
        deskId: identity.deskId,
        deskCode: identity.deskCode,
        ...(server ? { server } : {}),
        ...(credential ? { credential } : {}),
      },
      { event: e => this.#emit(e), lost: lost => void this.#serial(() => this.#lost(desk, lost)).catch(() => undefined) },
      this.#lanOf(identity),
    )
    this.#desk = desk
    this.#identity = { deskId: identity.deskId, clinicId: identity.clinicId }
    this.#since = null
    this.#setPhase("ready")
  }

  /** The relay refused the open desk's socket and, asked, said why: revoked, or it wants an enrolment. */
  async #lost(desk: OpenDesk, lost: AccessLost): Promise<void> {
    if (desk !== this.#desk || this.#phase !== "ready") return
    this.#since = lost.since
    this.#relay = desk.core.opts.server ?? this.#relay
    this.#log(lost.kind === "revoked" ? `desk ${desk.core.opts.deskId} was revoked: enrol it again` : "the relay enrols desks: enrol this one")
    this.#setPhase(lost.kind)
  }

  /** LAN sync is on and the desk was enrolled before LAN certificates: ask the relay for one once, when it can be reached. */
  async #fetchLanCertificate(server: string | undefined): Promise<void> {
    const got = await ensureLanCertificate(this.#o.dataDir, server)
    if (!got.ok) this.#log(`no LAN certificate from the relay: ${got.detail}`)
    else if (got.fetched) this.#log("got this desk's LAN certificate from the relay")
  }

  /** LAN sync's identity and options when it is turned on and the stored credential carries LAN certificates. */
  #lanOf(identity: DeskIdentity): Parameters<typeof OpenDesk.open>[2] {
    const lan = this.#o.lan
    const certs = lan ? loadDeskCredential(this.#o.dataDir)?.lan : undefined
    if (!lan || !certs) {
      if (lan) this.#log("LAN sync is on but this desk has no LAN certificate: enrol it again to get one")
      return undefined
    }
    const keyPem = loadOrCreateDeskLanKey(this.#o.dataDir).privateKeyPem
    return {
      id: { clinicId: identity.clinicId, deskId: identity.deskId, certs, keyPem },
      options: { port: lan.port, peers: lan.peers, log: line => this.#log(line) },
      ...(lan.mdns ? { mdns: lan.mdnsSocket ? { socket: lan.mdnsSocket } : {} } : {}),
      ...(lan.bootstrapAfterMs !== undefined ? { bootstrapAfterMs: lan.bootstrapAfterMs } : {}),
    }
  }

  async #enrol(relay: string, token: string): Promise<SetupStatus> {
    const before = this.#phase
    if (!SETUP_PHASES_THAT_ENROL.includes(before))
      throw new DeskError("bad_request", `the desk cannot enrol now (${before})`)
    this.#failure = null
    this.#relay = relay.trim()
    this.#setPhase("enrolling")
    const lanKey = loadOrCreateDeskLanKey(this.#o.dataDir).publicKeyPem
    const outcome = await enrolAtRelay(relay, token, this.#o.enrolTimeoutMs, lanKey)
    if (!outcome.ok) {
      this.#failure = outcome.failure
      this.#log(`enrolment failed: ${outcome.failure.code} (${outcome.failure.detail})`)
      this.#setPhase(before)
      return this.status()
    }
    const cred = outcome.credential
    this.#relay = cred.server ?? this.#relay
    this.#log(`enrolled as desk ${cred.deskId}${cred.deskCode ? ` (${cred.deskCode})` : ""} of clinic ${cred.clinicId}`)
    const theirs = this.core ? { clinicId: this.core.opts.clinicId } : dataDirClinic(this.#o.dataDir)
    if (!theirs || theirs.clinicId === cred.clinicId) return this.#switchTo(cred, before)
    await this.#closeCore()
    saveDeskCredential(this.#o.dataDir, cred, OTHER_CLINIC_CREDENTIAL_FILE)
    return this.#offerMoveAside(cred)
  }

  /** Stores the credential, closes the old desk (its data stays: same clinic) and opens the new one. */
  async #switchTo(cred: DeskCredential, fallback: SetupPhase): Promise<SetupStatus> {
    try {
      saveDeskCredential(this.#o.dataDir, cred)
      fs.rmSync(path.join(this.#o.dataDir, OTHER_CLINIC_CREDENTIAL_FILE), { force: true })
      await this.#closeCore()
      await this.#open(this.#enrolled(cred), cred.server ?? this.#o.server)
    } catch (e) {
      this.#failure = { code: "internal", field: null, detail: (e as Error).message }
      this.#setPhase(fallback)
    }
    return this.status()
  }

  /** The new credential (kept in OTHER_CLINIC_CREDENTIAL_FILE) is for another clinic than the data's: staff decide. */
  async #offerMoveAside(cred: DeskCredential): Promise<SetupStatus> {
    const mismatch = clinicMismatch(this.#o.dataDir, cred)
    // nothing to move (the data went away meanwhile): just take it
    if (!mismatch) return this.#switchTo(cred, "needs-enrolment")
    this.#identity = { deskId: cred.deskId, clinicId: cred.clinicId }
    this.#waiting = mismatch.waitingRecords
    this.#mismatch = mismatch
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
    const { to, moved } = moveAside(this.#o.dataDir, m.moveTo)
    this.#log(`clinic ${m.dataClinicId}'s data (${moved.join(", ")}; ${m.waitingRecords} records not on the relay) moved to ${to}`)
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
    const desk = this.#desk
    this.#desk = undefined
    await desk?.close()
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
