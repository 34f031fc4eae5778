import type { SetupPhase, SetupStatus } from "../../setup/setupApi.js"
import type { DeskClient } from "../api/client.js"

/** The screens the setup shows; `enrolling` and `starting` keep the screen that was up. */
export type SetupView = "starting" | "first-run" | "revoked" | "other-clinic" | "desk"

const viewOf = (phase: SetupPhase, previous: SetupView): SetupView => {
  switch (phase) {
    case "ready":
      return "desk"
    case "needs-enrolment":
      return "first-run"
    case "revoked":
      return "revoked"
    case "other-clinic":
      return "other-clinic"
    case "enrolling":
      return previous === "desk" || previous === "starting" ? "first-run" : previous
    case "starting":
      return previous
  }
}

/** The desk process's setup phase as the UI's root sees it: which screen, and the calls its screens make. */
export class SetupState {
  status = $state<SetupStatus | null>(null)
  view = $state<SetupView>("starting")
  /** a setup call failed: the desk process did not answer, or refused the call (shown as is) */
  callError = $state<string | null>(null)
  /** changes whenever the desk's identity changes: the desk's views start afresh */
  identity = $state("")

  constructor(readonly api: DeskClient) {}

  /** subscribes to setup events; returns the unsubscribe */
  start(): () => void {
    const off = this.api.onEvent(e => {
      if (e.type === "setup") this.apply(e.setup)
    })
    void this.refresh()
    // events can be missed while the event stream reconnects: ask now and then, more often before the desk is open
    const poll = setInterval(() => {
      if (this.view !== "desk" || this.callError) void this.refresh()
    }, 3000)
    return () => {
      off()
      clearInterval(poll)
    }
  }

  apply(s: SetupStatus): void {
    this.status = s
    this.callError = null
    this.view = viewOf(s.phase, this.view)
    if (s.phase === "ready") this.identity = `${s.clinicId ?? ""}/${s.deskId ?? ""}`
  }

  async refresh(): Promise<void> {
    try {
      this.apply(await this.api.call("setup.status"))
    } catch (e) {
      this.callError = e instanceof Error ? e.message : String(e)
    }
  }

  /** the desk's answer once the attempt is over (ready, other clinic, or a failure to show) */
  async enrol(relay: string, token: string): Promise<SetupStatus | undefined> {
    return this.#run(() => this.api.call("setup.enrol", { relay, token }))
  }

  async moveAside(dataClinicId: string): Promise<SetupStatus | undefined> {
    return this.#run(() => this.api.call("setup.moveAside", { dataClinicId }))
  }

  async keepData(): Promise<SetupStatus | undefined> {
    return this.#run(() => this.api.call("setup.keepData"))
  }

  async #run(call: () => Promise<SetupStatus>): Promise<SetupStatus | undefined> {
    try {
      const s = await call()
      this.apply(s)
      return s
    } catch (e) {
      this.callError = e instanceof Error ? e.message : String(e)
      return undefined
    }
  }
}
