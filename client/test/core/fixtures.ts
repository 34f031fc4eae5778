import { createHash } from "node:crypto"
import * as path from "node:path"
import * as A from "@automerge/automerge"
import Database from "better-sqlite3"
import {
  PROFILE_FIELDS,
  SafeFsStorageAdapter,
  docIdFor,
  genesisDoc,
  priceItemToDoc,
  type Client,
  type ClinicProfile,
  type Patient,
  type PriceItem,
  type PriceListDoc,
  type ProfileDoc,
  type StaffDoc,
  type StaffMember,
} from "@vetsync/shared"
import { RelayServer } from "@vetsync/sync-server"
import { testTmpDir } from "@vetsync/test-kit"
import { DeskCore } from "../../src/index.js"

export const CLINIC = "clinic-test"

/** A new directory for a test, removed when the test run ends (testTmpDir). */
export const tmpDir = (name: string): string => testTmpDir(name)

export const PRICE_ITEMS: PriceItem[] = [
  {
    id: "item-consult",
    code: "S001",
    name: "Консультация терапевта",
    kind: "service",
    price: 150000,
    unit: "шт",
    active: true,
    updatedAt: "2026-11-01T00:00:00.000Z",
  },
  {
    id: "item-vaccine",
    code: "S002",
    name: "Вакцинация",
    kind: "service",
    price: 220050,
    unit: "шт",
    active: true,
    updatedAt: "2026-11-01T00:00:00.000Z",
  },
  {
    id: "item-food",
    code: "P001",
    name: "Корм лечебный 1 кг",
    kind: "product",
    price: 98000,
    unit: "кг",
    active: true,
    updatedAt: "2026-11-01T00:00:00.000Z",
  },
]

/** Writes a price-list document into a relay's storage, as the bridge publishes it. */
export const seedPriceList = async (relayDataDir: string, clinicId = CLINIC, items = PRICE_ITEMS): Promise<void> => {
  let doc = A.clone(genesisDoc<PriceListDoc>(clinicId, "pricelist"), { actor: "bb".repeat(16) })
  doc = A.change(doc, d => {
    for (const i of items) d.items[i.id] = priceItemToDoc(i)
    d.publishedAt = new A.ImmutableString("2026-11-01T00:00:00.000Z")
  })
  const bin = A.save(doc)
  const storage = new SafeFsStorageAdapter(path.join(relayDataDir, "docs"))
  await storage.save(
    [docIdFor(clinicId, "pricelist"), "incremental", createHash("sha256").update(bin).digest("hex")],
    bin,
  )
}

/** Writes a clinic-profile document into a relay's (or a desk's) storage, as the bridge publishes it. */
export const seedProfile = async (dataDir: string, profile: ClinicProfile, clinicId = CLINIC): Promise<void> => {
  let doc = A.clone(genesisDoc<ProfileDoc>(clinicId, "profile"), { actor: "bc".repeat(16) })
  doc = A.change(doc, d => {
    for (const f of PROFILE_FIELDS) d.profile[f] = new A.ImmutableString(profile[f])
    d.publishedAt = new A.ImmutableString("2026-11-01T00:00:00.000Z")
  })
  const bin = A.save(doc)
  const storage = new SafeFsStorageAdapter(path.join(dataDir, "docs"))
  await storage.save(
    [docIdFor(clinicId, "profile"), "incremental", createHash("sha256").update(bin).digest("hex")],
    bin,
  )
}

/** Writes a staff document into a relay's (or a desk's) storage, as the bridge publishes it. */
export const seedStaff = async (dataDir: string, staff: StaffMember[], clinicId = CLINIC): Promise<void> => {
  let doc = A.clone(genesisDoc<StaffDoc>(clinicId, "staff"), { actor: "bd".repeat(16) })
  doc = A.change(doc, d => {
    for (const m of staff)
      d.members[m.id] = {
        id: new A.ImmutableString(m.id),
        name: new A.ImmutableString(m.name),
        role: new A.ImmutableString(m.role),
        active: m.active,
        pinHash: new A.ImmutableString(m.pinHash),
        workingHours: new A.ImmutableString(JSON.stringify(m.workingHours)),
      }
    d.publishedAt = new A.ImmutableString("2026-11-01T00:00:00.000Z")
  })
  const bin = A.save(doc)
  const storage = new SafeFsStorageAdapter(path.join(dataDir, "docs"))
  await storage.save([docIdFor(clinicId, "staff"), "incremental", createHash("sha256").update(bin).digest("hex")], bin)
}

/** A member without a PIN: a clinic whose staff have none needs no sign-in, but may sign in to be named. */
export const NO_PIN_MEMBER: StaffMember = {
  id: "st-nopin",
  name: "Без ПИН Б. Б.",
  role: "reception",
  active: true,
  pinHash: "",
  workingHours: {},
}

export const startRelay = (dataDir: string, port = 0): Promise<RelayServer> =>
  RelayServer.start({ dataDir, port, clinics: [CLINIC], keepAliveMs: 30_000 })

export const relayUrl = (relay: RelayServer): string => `ws://127.0.0.1:${relay.port}/sync`

export const openDesk = (
  dataDir: string,
  server: string | undefined,
  deskId: string,
  deskCode = deskId.toUpperCase(),
): Promise<DeskCore> => DeskCore.open({ dataDir, server, clinicId: CLINIC, deskId, deskCode })

const FIXTURE_AT = "2026-11-01T10:00:00.000Z"
const fixtureMeta = {
  createdAt: FIXTURE_AT,
  updatedAt: FIXTURE_AT,
  createdBy: "desk-a",
  updatedBy: "desk-a",
  deleted: false,
}

/** A client record for read-model tests (no document behind it). */
export const sampleClient = (id: string, name: string, more: Partial<Client> = {}): Client => ({
  id,
  name,
  phone: "+7 900 000-00-00",
  email: "",
  address: "",
  notes: "",
  ...fixtureMeta,
  ...more,
})

/** A patient record for read-model tests (no document behind it). */
export const samplePatient = (id: string, clientId: string, name: string, more: Partial<Patient> = {}): Patient => ({
  id,
  clientId,
  name,
  species: "кошка",
  breed: "",
  sex: "female",
  birthDate: "2020-01-01",
  chip: "",
  notes: "",
  ...fixtureMeta,
  ...more,
})

/**
 * The records, price list and search rows of a read model's file, each table in a fixed order (read
 * through a connection of its own, so an open desk's is untouched): what two read models that should
 * agree are compared by.
 */
export const recordRows = (file: string): Record<string, unknown[]> => {
  const db = new Database(file, { readonly: true })
  try {
    const all = (sql: string): unknown[] => db.prepare(sql).all()
    return {
      clients: all("SELECT * FROM clients ORDER BY id"),
      patients: all("SELECT * FROM patients ORDER BY id"),
      appointments: all("SELECT * FROM appointments ORDER BY id"),
      invoices: all("SELECT * FROM invoices ORDER BY id"),
      price: all("SELECT * FROM price_items ORDER BY id"),
      search: all("SELECT id, body FROM client_search ORDER BY id"),
    }
  } finally {
    db.close()
  }
}
