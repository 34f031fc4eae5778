import type { Client, Patient } from "@vetsync/shared"
import type { ClientCard, ConflictView, RejectionView } from "../api.js"

/**
 * A client's card: the client, its patients, the conflicts of the client and its patients, and
 * the first of their rejections staff still have to deal with (the lists' order: newest first).
 */
export const clientCard = (
  client: Client,
  patients: Patient[],
  conflicts: readonly ConflictView[],
  rejections: readonly RejectionView[],
): ClientCard => {
  const related = new Set([client.id, ...patients.map(p => p.id)])
  return {
    client,
    patients,
    conflicts: conflicts.filter(c => related.has(c.id)),
    rejection: rejections.find(r => related.has(r.id)) ?? null,
  }
}
