/** `@vetsync/shared/schema`: plain records, money and validation; no Automerge, no Node. The UI imports only this. */
export * from "./records.js"
export * from "./money.js"
export * from "./validate.js"
export * from "./today.js"
export * from "./phone.js"
export * from "./zone.js"
export * from "./requisites.js"
export * from "./profile.js"
