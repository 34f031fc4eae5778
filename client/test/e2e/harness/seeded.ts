import { SEED_SCALE, type ClinicOptions } from "@vetsync/test-kit/seed"

/** Today at noon UTC: "now" for generated clinics, stable for a day (so built documents can be cached). */
export const todayNoon = (): string => `${new Date().toISOString().slice(0, 10)}T12:00:00.000Z`

/** The seed-scale clinic (61 974 clients), or a small one with VETSYNC_E2E_SCALE=small. */
export const seedScaleOptions = (): ClinicOptions => {
  const small = process.env.VETSYNC_E2E_SCALE === "small"
  return {
    seed: "seed-scale",
    now: todayNoon(),
    ...(small ? { clients: 2_000, patients: 2_600, priceItems: 300 } : SEED_SCALE),
  }
}
