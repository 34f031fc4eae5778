export { eventually, EventuallyError, type EventuallyOptions } from "./eventually.js"
