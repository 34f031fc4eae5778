/**
 * A staff member's name by id: THE one seam where the desk names its staff (the history, the
 * conflict panel). The staff list (the server-owned `staff` document, StaffView in
 * shared/src/schema/staff.ts) is being built on another branch; until it is merged this returns
 * the id itself, and the integrator rewires this one function to the staff list's read model.
 */
export const staffName = (staffId: string): string => staffId
