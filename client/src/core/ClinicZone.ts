import {
  DEFAULT_TIME_ZONE,
  clinicToday,
  isTimeZone,
  localDate,
  type ClinicProfile,
  type DateContext,
} from "@vetsync/shared"
import type { ClinicProfileView } from "./api.js"
import type { ReadModel } from "./readmodel/ReadModel.js"

/**
 * The clinic's profile as this desk has it (from the server-owned `profile` document, kept in the
 * read model) and the time zone the desk counts days in: the profile's, or DEFAULT_TIME_ZONE
 * (Europe/Moscow) while the profile names none or a zone this machine's Intl does not know. Never
 * UTC and never the machine's own zone.
 */
export class ClinicZone {
  readonly #rm: ReadModel
  #profile: ClinicProfile | null

  constructor(rm: ReadModel) {
    this.#rm = rm
    this.#profile = rm.getProfile()
  }

  /** Re-reads the profile from the read model; true when it changed. */
  refresh(): boolean {
    const next = this.#rm.getProfile()
    if (JSON.stringify(next) === JSON.stringify(this.#profile)) return false
    this.#profile = next
    return true
  }

  /** the profile's zone, if it names one this machine knows */
  get #clinicZone(): string | undefined {
    const tz = this.#profile?.timeZone
    return tz && isTimeZone(tz) ? tz : undefined
  }

  timeZone(): string {
    return this.#clinicZone ?? DEFAULT_TIME_ZONE
  }

  /** "Today" for the validators: exact in the clinic's zone; undefined (the desk's clock with a day of slack) until it is known. */
  dates(now: () => Date): DateContext | undefined {
    const tz = this.#clinicZone
    return tz ? clinicToday(tz, now) : undefined
  }

  view(now: Date): ClinicProfileView {
    const tz = this.#clinicZone
    return {
      profile: this.#profile,
      timeZone: tz ?? DEFAULT_TIME_ZONE,
      timeZoneSource: tz ? "clinic" : "default",
      today: localDate(now, tz ?? DEFAULT_TIME_ZONE),
    }
  }
}
