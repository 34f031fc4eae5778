/**
 * `@vetsync/test-kit/seed`: deterministic test, benchmark and demo data (`vetsync seed`, `npm start`):
 * `generateClinic({ seed })` gives a seed-scale clinic. Only `@vetsync/shared/schema` underneath; product
 * code never imports it, and test-kit's main index leaves it out (importing eventually() does not load it).
 */
export { generateClinic, SEED_SCALE, DEFAULT_SEED_NOW, type ClinicOptions, type GeneratedClinic } from "./generate.js"
export { Rng, mulberry32, hash32 } from "./prng.js"
export { VETS } from "./schedule.js"
export { sampleProfile, sampleInn, sampleOgrn, sampleKpp, sampleBik, sampleAccount } from "./profile.js"
