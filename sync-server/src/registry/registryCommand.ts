import { parseArgs } from "node:util"
import {
  clinicAdd,
  clinicList,
  deskAdd,
  deskList,
  deskRevoke,
  serviceAdd,
  serviceRevoke,
  type Queryable,
} from "./commands.js"

const when = (d: Date | null): string => (d ? d.toISOString() : "never")

export const REGISTRY_USAGE = `  vetsync clinics  add ID [--name NAME] | list
  vetsync desks    add --clinic ID [--desk-id ID] [--name NAME] [--ttl-hours 72]   prints a one-time enrolment token
  vetsync desks    list [--clinic ID]                      desks with state and last sync
  vetsync desks    revoke DESK_ID                          cuts the desk off on every relay at once
  vetsync services add NAME | revoke NAME                  a service credential (the bridge: VETSYNC_RELAY_CREDENTIAL)`

/** One registry command, parsed: nothing is opened before the arguments are known to be right. */
export type RegistryAction =
  | { op: "clinic-add"; id: string; name?: string }
  | { op: "clinic-list" }
  | { op: "desk-add"; clinicId: string; deskId?: string; name?: string; ttlHours?: number }
  | { op: "desk-list"; clinicId?: string }
  | { op: "desk-revoke"; deskId: string }
  | { op: "service-add"; name: string }
  | { op: "service-revoke"; name: string }

/** Parses `vetsync clinics|desks|services ...`; throws with the usage on anything it does not know. */
export const parseRegistryCommand = (group: "clinics" | "desks" | "services", argv: string[]): RegistryAction => {
  const usage = (why: string): Error => new Error(`${why}\nusage:\n${REGISTRY_USAGE}`)
  let parsed: ReturnType<typeof parseArgs<{ allowPositionals: true; options: typeof OPTIONS }>>
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS })
  } catch (e) {
    throw usage((e as Error).message)
  }
  const { values, positionals } = parsed
  const [sub, arg, extra] = positionals
  if (extra !== undefined) throw usage(`unexpected argument ${extra}`)
  if (group === "clinics" && sub === "add" && arg) return { op: "clinic-add", id: arg, name: values.name }
  if (group === "clinics" && sub === "list" && !arg) return { op: "clinic-list" }
  if (group === "desks" && sub === "add" && values.clinic && !arg) {
    const ttl = values["ttl-hours"] === undefined ? undefined : Number(values["ttl-hours"])
    if (ttl !== undefined && !(ttl > 0)) throw usage("--ttl-hours must be a positive number")
    return { op: "desk-add", clinicId: values.clinic, deskId: values["desk-id"], name: values.name, ttlHours: ttl }
  }
  if (group === "desks" && sub === "list" && !arg) return { op: "desk-list", clinicId: values.clinic }
  if (group === "desks" && sub === "revoke" && arg) return { op: "desk-revoke", deskId: arg }
  if (group === "services" && sub === "add" && arg) return { op: "service-add", name: arg }
  if (group === "services" && sub === "revoke" && arg) return { op: "service-revoke", name: arg }
  throw usage(sub ? `vetsync ${group} ${sub}: missing or unexpected arguments` : `vetsync ${group}: which subcommand?`)
}

const OPTIONS = {
  clinic: { type: "string" },
  "desk-id": { type: "string" },
  name: { type: "string" },
  "ttl-hours": { type: "string" },
} as const

/** Carries out a parsed registry command against a migrated database; returns the lines to print. */
export const runRegistryAction = async (a: RegistryAction, db: Queryable): Promise<string[]> => {
  switch (a.op) {
    case "clinic-add":
      await clinicAdd(db, a.id, a.name)
      return [`clinic ${a.id} added`]
    case "clinic-list":
      return (await clinicList(db)).map(c => `${c.id}\t${c.desks} desk(s)\t${c.name}`)
    case "desk-add": {
      const added = await deskAdd(db, { clinicId: a.clinicId, deskId: a.deskId, name: a.name, ttlHours: a.ttlHours })
      return [
        `desk ${added.deskId} added to clinic ${added.clinicId}`,
        `one-time enrolment token (shown once, valid until ${added.expiresAt.toISOString()}):`,
        added.enrolmentToken,
      ]
    }
    case "desk-list":
      return (await deskList(db, a.clinicId)).map(
        d => `${d.deskId}\t${d.clinicId}\t${d.state}\tlast sync ${when(d.lastSeenAt)}\t${d.name}`,
      )
    case "desk-revoke":
      if (!(await deskRevoke(db, a.deskId))) throw new Error(`no desk ${a.deskId}, or it is revoked already`)
      return [`desk ${a.deskId} revoked: relays disconnect it now`]
    case "service-add": {
      const { credential } = await serviceAdd(db, a.name)
      return [`service ${a.name} credential (shown once; any earlier one stops working):`, credential]
    }
    case "service-revoke":
      if (!(await serviceRevoke(db, a.name))) throw new Error(`no service ${a.name}, or it is revoked already`)
      return [`service ${a.name} revoked`]
  }
}

/** Parses and runs one registry command (tests, and callers that hold a database already). */
export const registryCommand = async (
  group: "clinics" | "desks" | "services",
  argv: string[],
  db: Queryable,
): Promise<string[]> => runRegistryAction(parseRegistryCommand(group, argv), db)
