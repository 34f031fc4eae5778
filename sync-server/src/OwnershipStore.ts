/** What DocOwnership keeps: the known clinics, and document id -> clinic id for claimed documents. */
export interface OwnershipState {
  clinics: string[]
  owners: Record<string, string>
}

/**
 * Where DocOwnership keeps the known clinics and the claims: a file of one relay
 * (FileOwnershipStore, ownership.json) or PostgreSQL shared by several relays (PgOwnershipStore).
 * Either way the first claim of a document that reaches the store wins.
 */
export interface OwnershipStore {
  /** for messages: the file, or "PostgreSQL" */
  readonly where: string
  /** everything stored (by this relay or, for a shared store, any other) */
  load(): Promise<OwnershipState>
  /**
   * Stores new clinics and claims (a claim of a document that has an owner changes nothing);
   * answers the stored owner of every claimed document.
   */
  save(clinics: readonly string[], claims: ReadonlyMap<string, string>): Promise<Map<string, string>>
  close(): Promise<void>
}
