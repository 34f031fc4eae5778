import * as path from "node:path"
import fc from "fast-check"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { eventually } from "@vetsync/test-kit"
import { DESK_COMMANDS, DeskCore, type ApiResponse, type DeskCommand } from "../../src/index.js"
import { PINNED } from "../../src/core/DocFollower.js"
import { ARG_CAPS } from "../../src/core/commandArgs.js"
import { dispatchCall } from "../../src/host/dispatch.js"
import { badArgs, honestArgs, notAnObject } from "./commandArbitraries.js"
import { CLINIC, NO_PIN_MEMBER, seedPriceList, seedStaff, tmpDir } from "./fixtures.js"
import { NOW, type Pool } from "./honestArgs.js"
import { actHonestly, fingerprint } from "./honestCalls.js"
import { validatorBreaks } from "./validatorBreaks.js"

/**
 * The desk API's boundary, proven both ways with generated input (issue #9 point 7): every
 * honest argument of every command passes the boundary and the shared validators, and every
 * honest write lands; every bad one is refused with `validation` (`bad_request` for arguments
 * that are not an object) and nothing is written. A real DeskCore on a temp dir (its price list
 * put on its disk as the relay would send it; no relay, so nothing but the calls changes the
 * desk), called through dispatchCall (what HTTP and IPC call).
 *
 * Seeds: printed at the start; replay with VETSYNC_FC_SEED=<seed> (VETSYNC_FC_RUNS scales the runs).
 */
const SEED = process.env.VETSYNC_FC_SEED !== undefined ? Number(process.env.VETSYNC_FC_SEED) : Math.floor(Math.random() * 2 ** 31)
const SCALE = Number(process.env.VETSYNC_FC_RUNS ?? 1)
const params = (runs: number) => ({ seed: SEED, numRuns: Math.max(1, Math.round(runs * SCALE)), endOnFailure: true })

describe("the desk API's boundary, with generated input", () => {
  let desk: DeskCore
  const pool: Pool = { clients: [], appointments: [], invoices: [] }
  const call = (command: DeskCommand, args: unknown): Promise<ApiResponse<unknown>> => dispatchCall(desk, command, args)
  const value = async <T>(command: DeskCommand, args: unknown): Promise<T> => {
    const r = await call(command, args)
    if (!r.ok) throw new Error(`${command} failed: ${r.error.code} ${r.error.message}`)
    return r.value as T
  }

  beforeAll(async () => {
    console.log(`[fc] seed ${SEED}: replay with VETSYNC_FC_SEED=${SEED}`)
    const dataDir = path.join(tmpDir("boundary"), "desk")
    await seedPriceList(dataDir)
    await seedStaff(dataDir, [NO_PIN_MEMBER])
    desk = await DeskCore.open({
      dataDir,
      clinicId: CLINIC,
      deskId: "desk-fc",
      deskCode: "F",
      now: () => new Date(NOW),
      fiscal: { kind: "emulator" },
    })
    await eventually(
      "the price list on the desk",
      async () => (await value<unknown[]>("pricelist.search", { query: "" })).length === 3,
      60_000,
    )
    // the desk's start-up writes (its pinned documents' heads) are over before anything is compared
    await eventually("the desk's pinned documents", () => desk.rm.ledger.allDocHeads().length >= PINNED.size, 30_000)
    for (const name of ["Иванов Пётр", "Смирнова Анна", "O'Brien"]) {
      const { client, patients } = await value<{ client: { id: string }; patients: { id: string }[] }>("clients.create", {
        name,
        patients: [
          { name: "Рекс", species: "собака" },
          { name: "Мурка", species: "кошка" },
        ],
      })
      pool.clients.push({ id: client.id, patients: patients.map(p => p.id) })
    }
    const [first] = pool.clients
    if (!first) throw new Error("no pool")
    for (const hour of [9, 10]) {
      const booked = await value<{ appointment: { id: string } }>("appointments.book", {
        clientId: first.id,
        patientId: first.patients[0],
        vet: "Петров",
        start: `2026-06-15T0${hour - 1}:00:00.000Z`,
        end: `2026-06-15T0${hour - 1}:30:00.000Z`,
      })
      pool.appointments.push(booked.appointment.id)
      const invoice = await value<{ id: string }>("invoices.create", { clientId: first.id, lines: [{ itemId: "item-consult", qtyMilli: 1000 }] })
      pool.invoices.push(invoice.id)
    }
  })
  afterAll(async () => {
    await desk?.close()
  })

  it("answers `validation` with field errors for the arguments seen answered `internal`", async () => {
    const r = await call("clients.create", { name: 42 })
    expect(r).toMatchObject({ ok: false, error: { code: "validation", fields: [{ field: "name", code: "type", message: "must be text" }] } })
    const nested = await call("invoices.create", { clientId: pool.clients[0]?.id, lines: [{ itemId: "item-consult", qtyMilli: "2" }], extra: 1 })
    expect(nested.ok ? [] : nested.error.fields?.map(f => `${f.field}:${f.code}`)).toEqual(["lines[0].qtyMilli:type", "extra:unknown_field"])
    const patch = await call("patients.update", { id: pool.clients[0]?.patients[0], patch: { clientId: pool.clients[1]?.id, deleted: true } })
    expect(patch.ok ? [] : patch.error.fields?.map(f => `${f.field}:${f.code}`)).toEqual(["patch.clientId:unknown_field", "patch.deleted:unknown_field"])
  })

  it("takes honest arguments of every command, and every honest write lands", async () => {
    const honest = honestArgs(pool)
    for (const command of DESK_COMMANDS) {
      await fc.assert(
        fc.asyncProperty(honest[command], async args => {
          await actHonestly(desk, command, args)
        }),
        // an id is all these take: a few runs say it
        params(["invoices.markPaid", "invoices.void", "clients.delete", "patients.delete"].includes(command) ? 8 : 25),
      )
    }
  })

  it("takes arguments right at the caps: 50 patients, 500 invoice lines, a million units, the longest query and page", async () => {
    const [c] = pool.clients
    const patients = Array.from({ length: ARG_CAPS.patients }, (_, i) => ({ name: `Питомец ${i}`, species: "рыбка", notes: "н".repeat(10_000) }))
    const created = await value<{ patients: unknown[] }>("clients.create", { name: "Многодетная Мария", notes: "з".repeat(10_000), patients })
    expect(created.patients).toHaveLength(ARG_CAPS.patients)
    const lines = Array.from({ length: ARG_CAPS.lines }, (_, i) => ({ itemId: i % 2 ? "item-food" : "item-consult", qtyMilli: i === 0 ? ARG_CAPS.qtyMilli : 1 }))
    const invoice = await value<{ id: string; lines: unknown[] }>("invoices.create", { clientId: c?.id, patientId: c?.patients[0], lines })
    expect(desk.rm.invoices.get(invoice.id)?.lines).toHaveLength(ARG_CAPS.lines)
    await value("clients.search", { query: "ё".repeat(ARG_CAPS.query), limit: ARG_CAPS.limit })
    await value("invoices.list", { limit: ARG_CAPS.limit })
  })

  it("refuses bad arguments of every command with `validation` and field errors, and writes nothing", async () => {
    const honest = honestArgs(pool)
    for (const command of DESK_COMMANDS) {
      await fc.assert(
        fc.asyncProperty(badArgs(command, honest[command]), async ({ what, args }) => {
          const before = fingerprint(desk)
          const r = await call(command, args)
          expect(r.ok, `${command} with ${what} was taken`).toBe(false)
          if (r.ok) return
          expect(r.error.code, `${command} with ${what}: ${r.error.message}`).toBe("validation")
          expect(r.error.fields?.length, `${command} with ${what}: no field errors`).toBeGreaterThan(0)
          expect(fingerprint(desk), `${command} with ${what} wrote`).toEqual(before)
        }),
        params(30),
      )
    }
  })

  it("refuses what the shared validators refuse (a birth date in the future on every path ...) and writes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(validatorBreaks(pool), async ({ command, what, args }) => {
        const before = fingerprint(desk)
        const r = await call(command, args)
        expect(r.ok, `${command} with ${what} was taken`).toBe(false)
        if (r.ok) return
        expect(["validation", "bad_request"], `${command} with ${what}: ${r.error.message}`).toContain(r.error.code)
        expect(fingerprint(desk), `${command} with ${what} wrote`).toEqual(before)
      }),
      params(150),
    )
  })

  it("refuses arguments that are not an object with `bad_request`, and writes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...DESK_COMMANDS), notAnObject, async (command, args) => {
        const before = fingerprint(desk)
        const r = await call(command, args)
        expect(r).toMatchObject({ ok: false, error: { code: "bad_request" } })
        expect(fingerprint(desk)).toEqual(before)
      }),
      params(60),
    )
  })
})
