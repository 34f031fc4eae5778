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

/**
 * The registry commands `vetsync clinics|desks|services ...` against a migrated database.
 * Returns the lines to print; throws with a usage message on bad arguments.
 */
export const registryCommand = async (
  group: "clinics" | "desks" | "services",
  argv: string[],
  db: Queryable,
): Promise<string[]> => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      clinic: { type: "string" },
      "desk-id": { type: "string" },
      name: { type: "string" },
      "ttl-hours": { type: "string" },
    },
  })
  const [sub, arg] = positionals
  if (group === "clinics" && sub === "add" && arg) {
    await clinicAdd(db, arg, values.name)
    return [`clinic ${arg} added`]
  }
  if (group === "clinics" && sub === "list")
    return (await clinicList(db)).map(c => `${c.id}\t${c.desks} desk(s)\t${c.name}`)
  if (group === "desks" && sub === "add" && values.clinic) {
    const ttl = values["ttl-hours"] === undefined ? undefined : Number(values["ttl-hours"])
    const added = await deskAdd(db, {
      clinicId: values.clinic,
      deskId: values["desk-id"],
      name: values.name,
      ttlHours: ttl,
    })
    return [
      `desk ${added.deskId} added to clinic ${added.clinicId}`,
      `one-time enrolment token (shown once, valid until ${added.expiresAt.toISOString()}):`,
      added.enrolmentToken,
    ]
  }
  if (group === "desks" && sub === "list")
    return (await deskList(db, values.clinic)).map(
      d => `${d.deskId}\t${d.clinicId}\t${d.state}\tlast sync ${when(d.lastSeenAt)}\t${d.name}`,
    )
  if (group === "desks" && sub === "revoke" && arg) {
    if (!(await deskRevoke(db, arg))) throw new Error(`no desk ${arg}, or it is revoked already`)
    return [`desk ${arg} revoked: relays disconnect it now`]
  }
  if (group === "services" && sub === "add" && arg) {
    const { credential } = await serviceAdd(db, arg)
    return [`service ${arg} credential (shown once; any earlier one stops working):`, credential]
  }
  if (group === "services" && sub === "revoke" && arg) {
    if (!(await serviceRevoke(db, arg))) throw new Error(`no service ${arg}, or it is revoked already`)
    return [`service ${arg} revoked`]
  }
  throw new Error(`usage:\n${REGISTRY_USAGE}`)
}
