import type { StaffMember } from "@vetsync/shared"

/**
 * A staff member's name by id: the one place the desk names its staff (the history, the conflict
 * panel), from the server-owned `staff` document the read model keeps. A member who left stays in
 * the document (inactive), so old changes keep their name; an id the document does not know (a
 * member of another clinic's import, or a document not yet downloaded) is shown as it is.
 */
export const staffNames =
  (staff: () => StaffMember[] | null) =>
  (staffId: string): string =>
    staff()?.find(m => m.id === staffId)?.name ?? staffId
