/**
 * The desk API over HTTP as both ends see it: the desk's server (HttpTransport) and the page's
 * transport (ui/api/index.web.ts). Plain constants, no imports: the UI bundles this module.
 */

/** every API call is POST <API_PREFIX><command> */
export const API_PREFIX = "/api/"
/** the desk's events as Server-Sent Events (GET) */
export const EVENTS_PATH = "/api/events"
/** the header every API call carries the per-start secret in */
export const DESK_SECRET_HEADER = "x-vetsync-desk-secret"
/** the event stream's query parameter for the secret (EventSource sets no headers) */
export const EVENTS_SECRET_PARAM = "secret"
/** `<meta name=...>` in the page's head: how the desk's own page gets the secret */
export const DESK_SECRET_META = "vetsync-desk-secret"
