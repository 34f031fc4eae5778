import { clientShardKey, phoneKey, type Client, type ClientShardDoc, type Patient } from "@vetsync/shared"
import type { ClientInput, PatientInput } from "../api.js"
import { assertValid, clean, insertRecord, notFound, patchRecord, problemsOf, refuseProblems, type CommandContext } from "./context.js"

/** `id`: a new one, or a stand-in when the record is only checked */
export const newClient = (ctx: CommandContext, input: ClientInput, id = ctx.newId()): Client => {
  const now = ctx.now()
  return {
    id,
    createdAt: now,
    updatedAt: now,
    createdBy: ctx.deskId,
    updatedBy: ctx.deskId,
    deleted: false,
    name: input.name.trim(),
    phone: (input.phone ?? "").trim(),
    email: (input.email ?? "").trim(),
    address: (input.address ?? "").trim(),
    notes: input.notes ?? "",
  }
}

export const newPatient = (ctx: CommandContext, clientId: string, input: PatientInput, id = ctx.newId()): Patient => {
  const now = ctx.now()
  return {
    id,
    createdAt: now,
    updatedAt: now,
    createdBy: ctx.deskId,
    updatedBy: ctx.deskId,
    deleted: false,
    clientId,
    name: input.name.trim(),
    species: input.species.trim(),
    breed: (input.breed ?? "").trim(),
    sex: input.sex ?? "unknown",
    birthDate: (input.birthDate ?? "").trim(),
    chip: (input.chip ?? "").replace(/\s/g, ""),
    notes: input.notes ?? "",
  }
}

/** Creates a client and its patients in one change of the client's shard. */
export const createClient = async (
  ctx: CommandContext,
  input: ClientInput & { patients?: PatientInput[] },
): Promise<{ client: Client; patients: Patient[] }> => {
  const client = newClient(ctx, input)
  const patients = (input.patients ?? []).map(p => newPatient(ctx, client.id, p))
  // every problem at once: the client's and each patient's, by its place in the arguments
  refuseProblems("client", [
    ...problemsOf(ctx, "clients", client),
    ...patients.flatMap((p, i) => problemsOf(ctx, "patients", p, `patients[${i}].`)),
  ])
  await ctx.write<ClientShardDoc>(
    clientShardKey(client.id),
    doc => {
      insertRecord(doc, "clients", { ...client })
      for (const p of patients) insertRecord(doc, "patients", { ...p })
    },
    [{ collection: "clients", id: client.id }, ...patients.map(p => ({ collection: "patients" as const, id: p.id }))],
  )
  return { client, patients }
}

/**
 * Updates a client. A phone arrives canonical (commandArgs). A phone stored before phones were
 * normalised ("+7 952 618-10-32") is left as it is when the patch holds the same number: the
 * document changes only when staff change the number, so an edit of the address writes no phone,
 * a desk opening an old card and saving it starts no conflict with another desk's real change of
 * the phone, and a record's history shows a phone change only when someone made one. The read
 * model finds the old form by its canonical key all the same.
 */
export const updateClient = async (ctx: CommandContext, id: string, patch: Partial<ClientInput>): Promise<Client> => {
  const key = clientShardKey(id)
  const current = await ctx.readFromDoc(key, "clients", id)
  if (!current) throw notFound("client", id)
  const { phone, ...rest } = patch
  const samePhone = phone !== undefined && phone !== "" && phone === phoneKey(current.phone)
  const changes = { ...clean(samePhone ? rest : patch), updatedAt: ctx.now(), updatedBy: ctx.deskId }
  const next: Client = { ...current, ...changes }
  assertValid(ctx, "clients", next, "client")
  await ctx.write<ClientShardDoc>(key, doc => patchRecord(doc, "clients", id, { ...current }, changes), [{ collection: "clients", id }])
  return next
}

export const deleteClient = async (ctx: CommandContext, id: string): Promise<{ ok: true }> => {
  const key = clientShardKey(id)
  const current = await ctx.readFromDoc(key, "clients", id)
  if (!current) throw notFound("client", id)
  const changes = { deleted: true, updatedAt: ctx.now(), updatedBy: ctx.deskId }
  await ctx.write<ClientShardDoc>(key, doc => patchRecord(doc, "clients", id, { ...current }, changes), [{ collection: "clients", id }])
  return { ok: true }
}

export const createPatient = async (ctx: CommandContext, input: PatientInput & { clientId: string }): Promise<Patient> => {
  const owner = ctx.rm.clients.get(input.clientId)
  if (!owner || owner.deleted) throw notFound("client", input.clientId)
  const patient = newPatient(ctx, input.clientId, input)
  assertValid(ctx, "patients", patient, "patient")
  await ctx.write<ClientShardDoc>(clientShardKey(patient.clientId), doc => insertRecord(doc, "patients", { ...patient }), [
    { collection: "patients", id: patient.id },
  ])
  return patient
}

const patientKey = (ctx: CommandContext, id: string): { key: ReturnType<typeof clientShardKey>; clientId: string } => {
  const p = ctx.rm.patients.get(id)
  if (!p) throw notFound("patient", id)
  return { key: clientShardKey(p.clientId), clientId: p.clientId }
}

export const updatePatient = async (ctx: CommandContext, id: string, patch: Partial<PatientInput>): Promise<Patient> => {
  const { key } = patientKey(ctx, id)
  const current = await ctx.readFromDoc(key, "patients", id)
  if (!current) throw notFound("patient", id)
  const changes = { ...clean(patch), updatedAt: ctx.now(), updatedBy: ctx.deskId }
  if (typeof changes.chip === "string") changes.chip = changes.chip.replace(/\s/g, "")
  const next: Patient = { ...current, ...changes }
  assertValid(ctx, "patients", next, "patient")
  await ctx.write<ClientShardDoc>(key, doc => patchRecord(doc, "patients", id, { ...current }, changes), [{ collection: "patients", id }])
  return next
}

export const deletePatient = async (ctx: CommandContext, id: string): Promise<{ ok: true }> => {
  const { key } = patientKey(ctx, id)
  const current = await ctx.readFromDoc(key, "patients", id)
  if (!current) throw notFound("patient", id)
  const changes = { deleted: true, updatedAt: ctx.now(), updatedBy: ctx.deskId }
  await ctx.write<ClientShardDoc>(key, doc => patchRecord(doc, "patients", id, { ...current }, changes), [{ collection: "patients", id }])
  return { ok: true }
}
