import { DEFAULT_TIME_ZONE, localDate } from "@vetsync/shared"
import type { Page } from "playwright-core"

/** The clinic's today as the booking form reads dates (ДД.ММ.ГГГГ), in its zone (the test clinics count Moscow days). */
export const clinicToday = (zone = DEFAULT_TIME_ZONE): string => {
  const d = localDate(Date.now(), zone)
  return `${d.slice(8, 10)}.${d.slice(5, 7)}.${d.slice(0, 4)}`
}

/**
 * In the open booking form: the vet from the roster's list, then today's date in the clinic's
 * `zone` and the time (the form proposes the vet's next free slot, which may be another day; what
 * staff type stands).
 */
export const fillSlotToday = async (page: Page, vet: string, time: string, zone = DEFAULT_TIME_ZONE): Promise<void> => {
  const form = '[data-testid="booking-form"]'
  await page.selectOption('[data-testid="book-vet"]', vet)
  await page.fill(`${form} [name="date"]`, clinicToday(zone))
  await page.fill(`${form} [name="time"]`, time)
}
