import { useTestDatabase } from "@vetsync/db/testing"
import { PgOwnershipStore } from "../src/PgOwnershipStore.js"
import { ownershipSuite } from "./ownershipSuite.js"

const db = useTestDatabase({ prefix: "ownership" })

ownershipSuite("PostgreSQL", {
  shared: true,
  place: async () => {
    await db.pool.query("TRUNCATE relay_clinics, relay_doc_owners")
    return { open: () => new PgOwnershipStore(db.pool) }
  },
})
