import { validateProfileFields, type ClinicProfile } from "@vetsync/shared"
import { clinicSet, clinicShow } from "./clinicProfile.js"
import { deskStatusList, deskStatusTable } from "./deskStatus.js"
import { parseSubcommand } from "./parseSubcommand.js"
import {
  checkDeskCode,
  clinicAdd,
  clinicList,
  deskAdd,
  deskRevoke,
  serviceAdd,
  serviceRevoke,
  type Queryable,
} from "./commands.js"

export const REGISTRY_USAGE = `  vetsync clinics  add ID [--name NAME] | list | show ID
  vetsync clinics  set ID [--name NAME] [--legal-name TEXT] [--address TEXT] [--phone PHONE] [--inn INN] [--kpp KPP]
                   [--ogrn OGRN] [--bank NAME] [--bik BIK] [--account NUMBER] [--corr-account NUMBER] [--tz ZONE]
  vetsync desks    add --clinic ID [--desk-id ID] [--code CODE] [--name NAME] [--ttl-hours 72]   prints a one-time enrolment token
  vetsync desks    list [--clinic ID] [--json]             desks: code, online, records waiting, last sync in/out, versions, clock
  vetsync desks    revoke DESK_ID                          cuts the desk off on every relay at once
  vetsync services add NAME | revoke NAME                  a service credential (the bridge: VETSYNC_RELAY_CREDENTIAL)`

/** One registry command, parsed: nothing is opened before the arguments are known to be right. */
export type RegistryAction =
  | { op: "clinic-add"; id: string; name?: string }
  | { op: "clinic-list" }
  | { op: "clinic-show"; id: string }
  | { op: "clinic-set"; id: string; patch: Partial<ClinicProfile> }
  | { op: "desk-add"; clinicId: string; deskId?: string; code?: string; name?: string; ttlHours?: number }
  | { op: "desk-list"; clinicId?: string; json: boolean }
  | { op: "desk-revoke"; deskId: string }
  | { op: "service-add"; name: string }
  | { op: "service-revoke"; name: string }

/** Parses `vetsync clinics|desks|services ...`; throws with the usage on anything it does not know. */
export const parseRegistryCommand = (group: "clinics" | "desks" | "services", argv: string[]): RegistryAction => {
  const { values, sub, arg, usage, only } = parseSubcommand(group, argv, OPTIONS, REGISTRY_USAGE)
  if (group === "clinics" && sub === "add" && arg) {
    only("name")
    return { op: "clinic-add", id: arg, name: values.name }
  }
  if (group === "clinics" && sub === "list" && !arg) {
    only()
    return { op: "clinic-list" }
  }
  if (group === "clinics" && sub === "show" && arg) {
    only()
    return { op: "clinic-show", id: arg }
  }
  if (group === "clinics" && sub === "set" && arg) {
    only(...Object.keys(PROFILE_OPTIONS))
    const patch: Partial<ClinicProfile> = {}
    for (const [option, field] of Object.entries(PROFILE_OPTIONS)) {
      const v = values[option as keyof typeof PROFILE_OPTIONS]
      if (v !== undefined) patch[field] = v.trim()
    }
    if (Object.keys(patch).length === 0) throw usage("vetsync clinics set: which fields? (--name, --tz ...)")
    // each field's own format first, before any database is opened; the whole profile once it is read
    const v = validateProfileFields(patch)
    if (!v.ok) throw usage(v.errors.map(e => `--${OPTION_OF[e.field as keyof ClinicProfile]} ${e.message}`).join("; "))
    return { op: "clinic-set", id: arg, patch }
  }
  if (group === "desks" && sub === "add" && values.clinic && !arg) {
    only("clinic", "desk-id", "code", "name", "ttl-hours")
    const ttl = values["ttl-hours"] === undefined ? undefined : Number(values["ttl-hours"])
    if (ttl !== undefined && !(ttl > 0)) throw usage("--ttl-hours must be a positive number")
    if (values.code !== undefined) {
      try {
        checkDeskCode(values.code)
      } catch (e) {
        throw usage((e as Error).message)
      }
    }
    return {
      op: "desk-add",
      clinicId: values.clinic,
      deskId: values["desk-id"],
      code: values.code,
      name: values.name,
      ttlHours: ttl,
    }
  }
  if (group === "desks" && sub === "list" && !arg) {
    only("clinic", "json")
    return { op: "desk-list", clinicId: values.clinic, json: values.json === true }
  }
  if (group === "desks" && sub === "revoke" && arg) {
    only()
    return { op: "desk-revoke", deskId: arg }
  }
  if (group === "services" && (sub === "add" || sub === "revoke") && arg) {
    only()
    return { op: sub === "add" ? "service-add" : "service-revoke", name: arg }
  }
  throw usage(sub ? `vetsync ${group} ${sub}: missing or unexpected arguments` : `vetsync ${group}: which subcommand?`)
}

/** `vetsync clinics set` options and the profile field each sets. */
const PROFILE_OPTIONS = {
  name: "name",
  "legal-name": "legalName",
  address: "address",
  phone: "phone",
  inn: "inn",
  kpp: "kpp",
  ogrn: "ogrn",
  bank: "bankName",
  bik: "bik",
  account: "account",
  "corr-account": "correspondentAccount",
  tz: "timeZone",
} as const satisfies Record<string, keyof ClinicProfile>
const OPTION_OF = Object.fromEntries(Object.entries(PROFILE_OPTIONS).map(([o, f]) => [f, o])) as Record<
  keyof ClinicProfile,
  string
>

const OPTIONS = {
  clinic: { type: "string" },
  "desk-id": { type: "string" },
  code: { type: "string" },
  "ttl-hours": { type: "string" },
  json: { type: "boolean" },
  ...(Object.fromEntries(Object.keys(PROFILE_OPTIONS).map(o => [o, { type: "string" }])) as Record<
    keyof typeof PROFILE_OPTIONS,
    { type: "string" }
  >),
} as const

/** Carries out a parsed registry command against a migrated database; returns the lines to print. */
export const runRegistryAction = async (a: RegistryAction, db: Queryable): Promise<string[]> => {
  switch (a.op) {
    case "clinic-add":
      await clinicAdd(db, a.id, a.name)
      return [`clinic ${a.id} added`]
    case "clinic-list":
      return (await clinicList(db)).map(c => `${c.id}\t${c.desks} desk(s)\t${c.name}`)
    case "clinic-show":
      return profileLines(await clinicShow(db, a.id))
    case "clinic-set":
      return [
        `clinic ${a.id}: profile saved (desks receive it through the bridge)`,
        ...profileLines(await clinicSet(db, a.id, a.patch)),
      ]
    case "desk-add": {
      const added = await deskAdd(db, {
        clinicId: a.clinicId,
        deskId: a.deskId,
        code: a.code,
        name: a.name,
        ttlHours: a.ttlHours,
      })
      return [
        `desk ${added.deskId} (code ${added.code}) added to clinic ${added.clinicId}`,
        `one-time enrolment token (shown once, valid until ${added.expiresAt.toISOString()}):`,
        added.enrolmentToken,
      ]
    }
    case "desk-list": {
      const desks = await deskStatusList(db, a.clinicId)
      return a.json ? [JSON.stringify(desks, null, 2)] : deskStatusTable(desks)
    }
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

/** A profile as `--option value` lines, "(not set)" where empty: what `clinics show` prints. */
const profileLines = (p: ClinicProfile): string[] =>
  Object.entries(PROFILE_OPTIONS).map(([option, field]) => `  --${option.padEnd(12)} ${p[field] || "(not set)"}`)

/** Parses and runs one registry command (tests, and callers that hold a database already). */
export const registryCommand = async (
  group: "clinics" | "desks" | "services",
  argv: string[],
  db: Queryable,
): Promise<string[]> => runRegistryAction(parseRegistryCommand(group, argv), db)
