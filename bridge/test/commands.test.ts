import { randomUUID } from "node:crypto"
import { Repo } from "@automerge/automerge-repo"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { clientShardKey } from "@vetsync/shared"
import { Bridge } from "../src/Bridge.js"
import { importCommand, priceCommand } from "../src/commands.js"
import { readBack } from "./helpers/records.js"
import { useTestDatabase } from "@vetsync/db/testing"

const db = useTestDatabase()

describe("vetsync price / import commands", () => {
  let bridge: Bridge
  let repo: Repo
  const env = () => ({ DATABASE_URL: db.url })
  beforeAll(async () => {
    repo = new Repo({ network: [] })
    bridge = await Bridge.start({ dataDir: db.dir, databaseUrl: db.url, repo })
  })
  afterAll(async () => {
    await bridge.stop()
  })

  it("price set writes the nomenclature, price list shows it", async () => {
    expect(
      await priceCommand(
        ["set", "--clinic", "cmd", "--code", "VAC", "--price", "1500,50", "--name", "Vaccination"],
        env(),
      ),
    ).toEqual(["VAC\t1500.50\tVaccination"])
    await priceCommand(["set", "--clinic", "cmd", "--code", "VAC", "--price", "1600"], env())
    // no --vat: the default "none" (veterinary services are commonly VAT-exempt)
    expect(await priceCommand(["list", "--clinic", "cmd"], env())).toEqual(["VAC\t1600.00\tservice\tnone\tVaccination"])
    await priceCommand(["set", "--clinic", "cmd", "--code", "FOOD", "--price", "900", "--kind", "product", "--vat", "vat22"], env())
    await priceCommand(["set", "--clinic", "cmd", "--code", "VAC", "--price", "1600"], env())
    expect(await priceCommand(["list", "--clinic", "cmd"], env())).toEqual([
      "FOOD\t900.00\tproduct\tvat22\tFOOD",
      "VAC\t1600.00\tservice\tnone\tVaccination",
    ])
    await expect(priceCommand(["set", "--clinic", "cmd", "--code", "X", "--price", "1", "--vat", "18%"], env())).rejects.toThrow(
      /--vat is one of none, vat0/,
    )
    await expect(priceCommand(["set", "--clinic", "cmd", "--code", "X", "--price=-1"], env())).rejects.toThrow(
      /non-negative/,
    )
  })

  it("import asks the running bridge, which loads the rows into the documents", async () => {
    const id = randomUUID()
    const raw = await db.pool.connect()
    await raw.query("BEGIN")
    await raw.query("SET LOCAL session_replication_role = replica")
    await raw.query("INSERT INTO clinics (id) VALUES ('imp') ON CONFLICT DO NOTHING")
    await raw.query("INSERT INTO clients (id, clinic_id, name) VALUES ($1, 'imp', 'Old client')", [id])
    await raw.query("COMMIT")
    raw.release()
    const out = await importCommand(["--clinic", "imp"], env())
    expect(out[0]).toMatch(/^imported imp: .*"clients":1/)
    expect(await readBack(repo, "imp", "clients", id, clientShardKey(id))).toMatchObject({ name: "Old client" })
  })
})
