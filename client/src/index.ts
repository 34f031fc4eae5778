export { DeskCore, type DeskOptions } from "./core/DeskCore.js"
export * from "./core/api.js"
export { startDesk, runDesk, type RunningDesk } from "./web/desk.js"
export { readDeskApiSecret, DESK_SECRET_HEADER } from "./web/deskApiSecret.js"
