import { tick } from "svelte"
import type { Action } from "svelte/action"

/**
 * Where the keyboard goes around a form that opens in place (a new client, an edit, a booking,
 * an invoice): into its first field when it opens, back to what opened it when it closes, and
 * Esc closes it (unless a field used the key first: a search box clears its text).
 */
export interface FormFocus {
  /** Esc: close the form (as its "cancel" does) */
  onclose?: () => void
  /** what gets the focus back when the form closes; default: what had it when the form opened */
  returnTo?: () => HTMLElement | null | undefined
}

/** fields staff type into or choose in (not radio buttons or check boxes: they are options, not the start of a form) */
const FIELDS = [
  'input:not([type="radio"]):not([type="checkbox"]):not([type="hidden"]):not([disabled])',
  "select:not([disabled])",
  "textarea:not([disabled])",
].join(", ")

export const firstField = (root: ParentNode): HTMLElement | null => root.querySelector<HTMLElement>(FIELDS)

/** After a refused submit: the keyboard to the first field with a problem. */
export const focusFirstProblem = async (root: HTMLElement | undefined): Promise<void> => {
  await tick()
  root?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus()
}

/** nothing has the focus any more (the element that had it went away with the form) */
const focusLost = (): boolean => {
  const active = document.activeElement
  return !active || active === document.body || !active.isConnected
}

export const formFocus: Action<HTMLElement, FormFocus | undefined> = (node, initial) => {
  let options = initial ?? {}
  const opener =
    document.activeElement instanceof HTMLElement && !node.contains(document.activeElement)
      ? document.activeElement
      : null
  firstField(node)?.focus()
  const keydown = (e: KeyboardEvent): void => {
    if (e.key !== "Escape" || e.defaultPrevented || !options.onclose) return
    e.preventDefault()
    options.onclose()
  }
  node.addEventListener("keydown", keydown)
  return {
    update(next) {
      options = next ?? {}
    },
    destroy() {
      node.removeEventListener("keydown", keydown)
      const returnTo = options.returnTo
      // once the page has settled without the form (the button that opened it may be drawn anew)
      setTimeout(() => {
        if (!focusLost()) return
        const target = returnTo?.() ?? opener
        if (target?.isConnected) target.focus()
      }, 0)
    },
  }
}
