import { randomInt } from "node:crypto"
import { parseArgs } from "node:util"
import { runChaos } from "./runChaos.js"

const USAGE = `usage: npm run chaos -- [--seed N] [--minutes M] [--min-steps S] [--desks 3] [--no-faults] [--no-lan] [--dir RUN_DIR] [--quiet-seconds S]
  the seeded whole-system chaos run (issue #9); --no-lan: the desks without LAN sync (no LAN partitions); DATABASE_URL: use that PostgreSQL instead of an embedded one`

/** `npm run chaos -- --seed N --minutes M`: one run; exits 1 when the oracle finds a problem. */
const main = async (): Promise<number> => {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: {
      seed: { type: "string" },
      minutes: { type: "string", default: "1" },
      desks: { type: "string", default: "3" },
      "min-steps": { type: "string", default: "0" },
      "no-faults": { type: "boolean", default: false },
      "no-lan": { type: "boolean", default: false },
      dir: { type: "string" },
      "quiet-seconds": { type: "string" },
      help: { type: "boolean", default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  const seed = values.seed === undefined ? randomInt(1, 2 ** 31 - 1) : Number(values.seed)
  const minutes = Number(values.minutes)
  const desks = Number(values.desks)
  if (!Number.isSafeInteger(seed) || !(minutes > 0) || !Number.isInteger(desks) || desks < 2) {
    console.error(USAGE)
    return 2
  }
  const result = await runChaos({
    seed,
    minutes,
    desks,
    minSteps: Number(values["min-steps"]),
    faults: !values["no-faults"],
    lan: !values["no-lan"],
    ...(values.dir ? { runDir: values.dir } : {}),
    ...(process.env.DATABASE_URL ? { databaseUrl: process.env.DATABASE_URL } : {}),
    ...(values["quiet-seconds"] ? { quietMs: Number(values["quiet-seconds"]) * 1000 } : {}),
  })
  console.log(result.report)
  return result.passed ? 0 : 1
}

process.exitCode = await main()
