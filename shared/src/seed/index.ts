/** Deterministic test and benchmark data: `generateClinic({ seed })` gives a seed-scale clinic. */
export { generateClinic, SEED_SCALE, DEFAULT_SEED_NOW, type ClinicOptions, type GeneratedClinic } from "./generate.js"
export { Rng, mulberry32, hash32 } from "./prng.js"
export { VETS } from "./schedule.js"
export { sampleProfile, sampleInn, sampleOgrn, sampleKpp, sampleBik, sampleAccount } from "./profile.js"
