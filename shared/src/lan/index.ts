export * from "./clinicCerts.js"
export * from "./deskLanKey.js"
