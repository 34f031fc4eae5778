import type { Page } from "playwright-core"
import { fillSlotToday } from "@vetsync/client/e2e-harness/booking.js"
import { shown } from "@vetsync/client/e2e-harness/keyboard.js"

/** What a receptionist does at the desk, through its UI; each step waits for what staff would see. */

/** Clients → "New client": the client and the first pet in one form. */
export const registerClient = async (
  page: Page,
  c: { name: string; phone: string; pet: string; species: string },
): Promise<void> => {
  await page.click('[data-testid="nav-clients"]')
  await page.click('[data-testid="client-new"]')
  const form = '[data-testid="client-create"]'
  await page.focus(`${form} [name="name"]`)
  await page.keyboard.type(c.name)
  await page.fill(`${form} [name="phone"]`, c.phone)
  await page.fill(`${form} [name="petName"]`, c.pet)
  await page.fill(`${form} [name="species"]`, c.species)
  await page.keyboard.press("Enter")
  await shown(page, `[data-testid="client-card"] >> text=${c.name}`, `${c.name}'s card`)
}

/** Appointments → "New appointment" for today (the day in the clinic's `zone`), an existing client found by name. */
export const bookToday = async (page: Page, b: { client: string; vet: string; time: string; reason: string; zone: string }): Promise<void> => {
  await page.click('[data-testid="nav-appointments"]')
  await page.click('[data-testid="appt-new"]')
  await page.fill('[data-testid="picker-search-input"]', b.client)
  await page.click(`[data-testid="client-hit"] >> text=${b.client}`)
  await shown(page, `[data-testid="picked-client"] >> text=${b.client}`, `${b.client} picked`)
  await fillSlotToday(page, b.vet, b.time, b.zone)
  await page.fill('[data-testid="booking-form"] [name="reason"]', b.reason)
  await page.keyboard.press("Enter")
  await shown(page, `[data-testid="appointment"]:has-text("${b.client}"):has-text("${b.time}")`, `${b.client}'s appointment at ${b.time}`)
}

/** In today's list, the status of a client's appointment (once it is there: another desk may have booked it). */
export const setAppointmentStatus = async (page: Page, client: string, status: string): Promise<void> => {
  await page.click('[data-testid="nav-appointments"]')
  const row = `[data-testid="appointment"]:has-text("${client}")`
  await shown(page, row, `${client}'s appointment`, 90_000)
  await page.selectOption(`${row} [data-testid="appt-status"]`, status)
  await shown(page, `${row}.status-${status}`, `${client}'s appointment ${status}`)
}

/** Rubles as the invoice shows them ("3 850,50"), as a number. */
const rubles = (text: string): number => Number(text.replace(/[^\d,.-]/g, "").replace(",", "."))

/**
 * Invoices → "New invoice": the client, price-list items by their place in the list (each with
 * `qty`), issued; paid at once if `pay`. The number, total and whether it was paid, as shown.
 */
export const issueInvoice = async (
  page: Page,
  inv: { client: string; items: number[]; qty: string; pay: boolean },
): Promise<{ number: string; total: number; paid: boolean }> => {
  await page.click('[data-testid="nav-invoices"]')
  await page.click('[data-testid="invoice-new"]')
  await page.fill('[data-testid="picker-search-input"]', inv.client)
  await page.click(`[data-testid="client-hit"] >> text=${inv.client}`)
  await page.waitForSelector('[data-testid="price-item"]')
  const items = page.locator('[data-testid="price-item"]')
  for (const [i, at] of inv.items.entries()) {
    await items.nth(at).click()
    await page.fill(`[data-testid="draft-qty"] >> nth=${i}`, inv.qty)
  }
  await page.click('[data-testid="invoice-issue"]')
  await page.waitForSelector('[data-testid="invoice-doc"]')
  const heading = (await page.textContent('[data-testid="invoice-number"]')) ?? ""
  const number = /D\d+-\d{4}-\d+/.exec(heading)?.[0]
  if (!number) throw new Error(`no invoice number in "${heading}"`)
  const total = rubles((await page.textContent('[data-testid="invoice-total"]')) ?? "")
  if (inv.pay) {
    // the payment dialog: card, the whole amount due (as it opens), confirmed
    await page.click('[data-testid="invoice-pay"]')
    await shown(page, '[data-testid="money-dialog"]', `the payment dialog of ${number}`)
    await page.selectOption('[data-testid="money-method"]', "card")
    await page.click('[data-testid="money-confirm"]')
    await shown(page, '[data-testid="invoice-doc"][data-status="paid"]', `invoice ${number} paid`)
  }
  return { number, total, paid: inv.pay }
}
