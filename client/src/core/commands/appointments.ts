import { appointmentsKey, type Appointment, type AppointmentsDoc, type Client, type Patient } from "@vetsync/shared"
import { DeskError, type BookInput, type MoveInput } from "../api.js"
import { roster } from "../views/roster.js"
import { createClient, createPatient, newClient, newPatient } from "./clients.js"
import { assertValid, docKeyOfRecord, insertRecord, notFound, patchRecord, problemsOf, refuseProblems, type CommandContext } from "./context.js"
import { refuseOverlap } from "./overlap.js"

/** The staff id of a vet named on the roster ("" when the roster does not name them). */
const vetIdOf = (ctx: CommandContext, vet: string): string => roster(ctx).find(v => v.name === vet)?.id ?? ""

/** Books an appointment for an existing client and patient, or creates them first. */
export const book = async (
  ctx: CommandContext,
  input: BookInput,
): Promise<{ appointment: Appointment; client: Client; patient: Patient }> => {
  const now = ctx.now()
  const draft: Appointment = {
    id: ctx.newId(),
    createdAt: now,
    updatedAt: now,
    createdBy: ctx.deskId,
    updatedBy: ctx.deskId,
    deleted: false,
    clientId: input.clientId ?? "00000000-0000-4000-8000-000000000000",
    patientId: input.patientId ?? "00000000-0000-4000-8000-000000000000",
    vet: (input.vet ?? "").trim(),
    vetId: input.vetId ?? vetIdOf(ctx, (input.vet ?? "").trim()),
    start: input.start,
    end: input.end,
    reason: input.reason ?? "",
    status: "scheduled",
  }
  // every problem at once, before anybody is created (a bad time creates nothing): the
  // appointment's and the new client's and patient's, named by their arguments (newClient.name)
  refuseProblems("appointment", [
    ...problemsOf(ctx, "appointments", draft),
    ...(!input.clientId && input.newClient ? problemsOf(ctx, "clients", newClient(ctx, input.newClient, draft.clientId), "newClient.") : []),
    ...(!input.patientId && input.newPatient
      ? problemsOf(ctx, "patients", newPatient(ctx, draft.clientId, input.newPatient, draft.patientId), "newPatient.")
      : []),
  ])
  if (!input.clientId && !input.newClient) throw new DeskError("bad_request", "an appointment needs clientId or newClient")
  if (!input.patientId && !input.newPatient) throw new DeskError("bad_request", "an appointment needs patientId or newPatient")
  if (input.patientId && !input.clientId)
    throw new DeskError("bad_request", "an existing patient (patientId) needs its client (clientId), not newClient")
  // before anybody is created: a booking over another of the same vet, unless staff said so
  refuseOverlap(ctx, draft.vet, draft, input.override)

  let client: Client | undefined
  let patient: Patient | undefined
  if (input.clientId) {
    client = ctx.rm.clients.get(input.clientId)
    if (!client || client.deleted) throw notFound("client", input.clientId)
  }
  if (input.patientId) {
    patient = ctx.rm.patients.get(input.patientId)
    if (!patient || patient.deleted) throw notFound("patient", input.patientId)
    if (client && patient.clientId !== client.id) throw new DeskError("bad_request", "the patient belongs to another client")
  }
  if (!client && input.newClient) {
    const created = await createClient(ctx, { ...input.newClient, patients: input.newPatient && !patient ? [input.newPatient] : [] })
    client = created.client
    patient = patient ?? created.patients[0]
  }
  if (!client) throw new DeskError("bad_request", "an appointment needs a client")
  if (!patient && input.newPatient) patient = await createPatient(ctx, { ...input.newPatient, clientId: client.id })
  if (!patient) throw new DeskError("bad_request", "an appointment needs a patient")

  const appointment: Appointment = { ...draft, clientId: client.id, patientId: patient.id }
  assertValid(ctx, "appointments", appointment, "appointment")
  // the partition is the month of the start in the clinic's zone, chosen now and kept for good
  const key = appointmentsKey(appointment.start, ctx.timeZone())
  await ctx.write<AppointmentsDoc>(key, doc => insertRecord(doc, "appointments", { ...appointment }), [
    { collection: "appointments", id: appointment.id },
  ])
  return { appointment, client, patient }
}

export const setAppointmentStatus = async (ctx: CommandContext, id: string, status: Appointment["status"]): Promise<Appointment> => {
  const key = docKeyOfRecord(ctx, "appointments", id)
  const current = await ctx.readFromDoc(key, "appointments", id)
  if (!current) throw notFound("appointment", id)
  const changes = { status, updatedAt: ctx.now(), updatedBy: ctx.deskId }
  const next = { ...current, ...changes }
  assertValid(ctx, "appointments", next, "appointment")
  await ctx.write<AppointmentsDoc>(key, doc => patchRecord(doc, "appointments", id, { ...current }, changes), [
    { collection: "appointments", id },
  ])
  return next
}

/**
 * Moves an appointment to another start (its duration kept) and/or vet. It stays in the document
 * it was created in (its partition is chosen once). Refused over another booking of the vet
 * (code "overlap") unless `override`.
 */
export const moveAppointment = async (ctx: CommandContext, input: MoveInput): Promise<Appointment> => {
  const key = docKeyOfRecord(ctx, "appointments", input.id)
  const current = await ctx.readFromDoc(key, "appointments", input.id)
  if (!current || current.deleted) throw notFound("appointment", input.id)
  const vet = input.vet === undefined ? current.vet : input.vet.trim()
  const vetId = input.vetId ?? (input.vet === undefined ? (current.vetId ?? "") : vetIdOf(ctx, vet))
  const length = Date.parse(current.end) - Date.parse(current.start)
  const startMs = Date.parse(input.start)
  // a start that is no instant is refused by the validator below (its end is left as it was)
  const end = Number.isFinite(startMs) && Number.isFinite(length) ? new Date(startMs + length).toISOString() : current.end
  const changes = { vet, vetId, start: input.start, end, updatedAt: ctx.now(), updatedBy: ctx.deskId }
  const next: Appointment = { ...current, ...changes }
  assertValid(ctx, "appointments", next, "appointment")
  refuseOverlap(ctx, vet, next, input.override, input.id)
  await ctx.write<AppointmentsDoc>(key, doc => patchRecord(doc, "appointments", input.id, { ...current }, changes), [
    { collection: "appointments", id: input.id },
  ])
  return next
}
