import * as path from "node:path"
import * as A from "@automerge/automerge"
import { clientShardKey, decodeChangeMessage, hashPin, type StaffMember } from "@vetsync/shared"
import { eventually } from "@vetsync/test-kit"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { DeskError, type SessionView } from "../../src/core/api.js"
import { LOCKOUT_MS, MAX_WRONG_PINS } from "../../src/core/DeskSession.js"
import { DeskCore } from "../../src/index.js"
import { CLINIC, NO_PIN_MEMBER, seedStaff, tmpDir } from "./fixtures.js"

/**
 * Staff at the desk (issue 11, point 2): the staff document's members sign in with their PINs,
 * checked offline; once a member has a PIN, changes need someone signed in; every change's
 * Automerge message names the signed-in member and the desk.
 */
const member = (id: string, name: string, role: StaffMember["role"], pinHash: string, active = true): StaffMember => ({
  id,
  name,
  role,
  active,
  pinHash,
  workingHours: role === "vet" ? { "1": [{ from: "09:00", to: "18:00" }] } : {},
})

const refusal = async (p: Promise<unknown>): Promise<DeskError> => {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  )
  if (!(e instanceof DeskError)) throw new Error(`expected a DeskError, got ${String(e)}`)
  return e
}

describe("signing in at the desk", () => {
  let desk: DeskCore
  let clock = Date.parse("2026-12-01T09:00:00.000Z")
  const sessions: SessionView[] = []

  beforeAll(async () => {
    const dataDir = path.join(tmpDir("session"), "desk")
    await seedStaff(dataDir, [
      member("st-vet", "Петрова А. В.", "vet", await hashPin("1234")),
      member("st-rec", "Иванова М. С.", "reception", await hashPin("87654321")),
      member("st-left", "Ушедший У. У.", "vet", await hashPin("1111"), false),
      NO_PIN_MEMBER,
    ])
    desk = await DeskCore.open({
      dataDir,
      clinicId: CLINIC,
      deskId: "front-1",
      deskCode: "F",
      now: () => new Date(clock),
    })
    desk.onEvent(e => {
      if (e.type === "session") sessions.push(e.session)
    })
    await eventually(
      "the staff document in the read model",
      async () => (await desk.api["staff.list"]()).length === 4,
      30_000,
    )
  })
  afterAll(async () => {
    await desk?.close()
  })

  const create = (name: string) => desk.api["clients.create"]({ name, phone: "+7 900 000-00-00" })
  /** the messages of a client's shard's changes, decoded */
  const authorsOf = (clientId: string) =>
    desk.docs.use(clientShardKey(clientId), h => A.getHistory(h.doc()).map(c => decodeChangeMessage(c.change.message)))

  it("lists the staff without PIN hashes, active first", async () => {
    const list = await desk.api["staff.list"]()
    expect(list.map(s => s.id)).toEqual(["st-nopin", "st-rec", "st-vet", "st-left"])
    for (const s of list) expect(Object.keys(s)).not.toContain("pinHash")
    expect(JSON.stringify(list)).not.toMatch(/scrypt/)
    expect(await desk.api["session.current"]()).toEqual({ required: true, staff: null })
  })

  it("refuses a change while nobody is signed in, with the code the UI shows", async () => {
    const e = await refusal(create("Без подписи"))
    expect(e.code).toBe("signed_out")
    expect(e.message).toMatch(/sign in first/)
  })

  it("signs in with the right PIN; the change's message names the member and the desk", async () => {
    const s = await desk.api["session.signIn"]({ staffId: "st-vet", pin: "1234" })
    expect(s.staff).toMatchObject({ id: "st-vet", name: "Петрова А. В.", role: "vet" })
    expect(sessions.at(-1)?.staff?.id).toBe("st-vet")
    const { client } = await create("Подписанный Клиент")
    const authors = await authorsOf(client.id)
    expect(authors.at(-1)).toEqual({ desk: "front-1", staff: "st-vet", cmd: "" })
  })

  it("switches person in one step: the next change names the new member", async () => {
    const s = await desk.api["session.signIn"]({ staffId: "st-rec", pin: "87654321" })
    expect(s.staff?.id).toBe("st-rec")
    const { client } = await create("Второй Клиент")
    expect((await authorsOf(client.id)).at(-1)).toEqual({ desk: "front-1", staff: "st-rec", cmd: "" })
  })

  it("a wrong PIN keeps the session as it was; five in a row make the member wait 30 s", async () => {
    for (let i = 1; i < MAX_WRONG_PINS; i++) {
      const e = await refusal(desk.api["session.signIn"]({ staffId: "st-vet", pin: "4321" }))
      expect(e.fields?.[0]?.code).toBe("wrong-pin")
    }
    expect((await desk.api["session.current"]()).staff?.id).toBe("st-rec")
    expect((await refusal(desk.api["session.signIn"]({ staffId: "st-vet", pin: "0000" }))).fields?.[0]?.code).toBe(
      "locked",
    )
    // locked: even the right PIN waits
    const locked = await refusal(desk.api["session.signIn"]({ staffId: "st-vet", pin: "1234" }))
    expect(locked.fields?.[0]?.code).toBe("locked")
    expect(locked.message).toMatch(/wait 30 s/)
    clock += LOCKOUT_MS + 1
    expect((await desk.api["session.signIn"]({ staffId: "st-vet", pin: "1234" })).staff?.id).toBe("st-vet")
  })

  it("refuses members who left, unknown ids, and a member without a PIN while others have one", async () => {
    expect((await refusal(desk.api["session.signIn"]({ staffId: "st-left", pin: "1111" }))).fields?.[0]?.code).toBe(
      "unknown-staff",
    )
    expect((await refusal(desk.api["session.signIn"]({ staffId: "st-nobody", pin: "1111" }))).fields?.[0]?.code).toBe(
      "unknown-staff",
    )
    expect((await refusal(desk.api["session.signIn"]({ staffId: NO_PIN_MEMBER.id, pin: "" }))).fields?.[0]?.code).toBe(
      "no-pin",
    )
  })

  it("signs out in one step; changes are refused again", async () => {
    const s = await desk.api["session.signOut"]()
    expect(s).toEqual({ required: true, staff: null })
    expect(sessions.at(-1)?.staff).toBeNull()
    expect((await refusal(create("После выхода"))).code).toBe("signed_out")
  })
})

describe("a clinic whose staff have no PINs", () => {
  let desk: DeskCore
  beforeAll(async () => {
    const dataDir = path.join(tmpDir("session-open"), "desk")
    await seedStaff(dataDir, [NO_PIN_MEMBER])
    desk = await DeskCore.open({ dataDir, clinicId: CLINIC, deskId: "front-2", deskCode: "G" })
    await eventually(
      "the staff document in the read model",
      async () => (await desk.api["staff.list"]()).length === 1,
      30_000,
    )
  })
  afterAll(async () => {
    await desk?.close()
  })

  it("works as before: changes need no sign-in and name no member", async () => {
    expect(await desk.api["session.current"]()).toEqual({ required: false, staff: null })
    const { client } = await desk.api["clients.create"]({ name: "Как Раньше" })
    const messages = await desk.docs.use(clientShardKey(client.id), h =>
      A.getHistory(h.doc()).map(c => decodeChangeMessage(c.change.message)),
    )
    expect(messages.at(-1)).toEqual({ desk: "front-2", staff: "", cmd: "" })
  })
})
