import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { parseManifest, type BackupFile, type BackupManifest } from "../cli/backup/manifest.js"

const hex64 = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(b => Buffer.from(b).toString("hex"))
const segment = fc.stringMatching(/^[A-Za-z0-9_.-]{1,12}$/).filter(s => s !== ".." && s !== ".")
const file: fc.Arbitrary<BackupFile> = fc.record({
  path: fc.array(segment, { minLength: 1, maxLength: 5 }).map(p => p.join("/")),
  bytes: fc.nat(),
  sha256: hex64,
})

/** Manifests as `vetsync backup` writes them: relay part, PostgreSQL part, or both. */
const honest: fc.Arbitrary<BackupManifest> = fc
  .record({
    createdAt: fc.date({ noInvalidDate: true }).map(d => d.toISOString()),
    productVersion: fc.stringMatching(/^\d{1,2}\.\d{1,2}\.\d{1,2}$/),
    relay: fc.option(fc.record({ documents: fc.nat(), files: fc.array(file, { maxLength: 8 }) }), { nil: undefined }),
    postgres: fc.option(
      fc.record({
        file,
        serverVersion: fc.stringMatching(/^1[5-8]\.\d{1,2}$/),
        pgDumpVersion: fc.stringMatching(/^pg_dump \(PostgreSQL\) 1[5-8]\.\d{1,2}$/),
        migrations: fc.uniqueArray(fc.integer({ min: 1, max: 9999 }), { maxLength: 12 }),
      }),
      { nil: undefined },
    ),
  })
  .map(m => ({ format: "vetsync-backup" as const, formatVersion: 1 as const, ...m }))

describe("a backup's manifest", () => {
  it("reads every manifest vetsync backup writes", () => {
    fc.assert(
      fc.property(honest, m => {
        expect(parseManifest(JSON.stringify(m, null, 2))).toEqual(JSON.parse(JSON.stringify(m)))
      }),
    )
  })

  it("refuses a manifest of another format version, a file path leaving the backup, a bad checksum, or text cut short", () => {
    fc.assert(
      fc.property(honest, fc.integer({ min: 2, max: 99 }), (m, v) => {
        expect(() => parseManifest(JSON.stringify({ ...m, formatVersion: v }))).toThrow(`format version ${v}`)
        expect(() => parseManifest(JSON.stringify({ ...m, format: "tar" }))).toThrow("not a VetSync backup")
        const text = JSON.stringify(m)
        expect(() => parseManifest(text.slice(0, text.length - 1))).toThrow("damaged")
      }),
    )
    fc.assert(
      fc.property(honest, file, fc.constantFrom("../etc/passwd", "/etc/passwd", "relay/../../x"), (m, f, path) => {
        expect(() => parseManifest(JSON.stringify({ ...m, relay: { documents: 1, files: [{ ...f, path }] } }))).toThrow("relay part")
        expect(() => parseManifest(JSON.stringify({ ...m, relay: { documents: 1, files: [{ ...f, sha256: "abc" }] } }))).toThrow("relay part")
      }),
    )
  })
})
