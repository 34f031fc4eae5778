import * as path from "node:path"
import { PassThrough } from "node:stream"
import fc from "fast-check"
import { afterEach, describe, expect, it } from "vitest"
import { snapshotLines, type SnapshotRecords } from "@vetsync/shared"
import { applySnapshotStream, linesOf } from "../../src/core/applySnapshotStream.js"
import { BootstrapTimings } from "../../src/core/BootstrapTimings.js"
import { ReadModel } from "../../src/core/readmodel/ReadModel.js"
import { SnapshotApplier } from "../../src/core/SnapshotApplier.js"
import { sampleClient, tmpDir } from "./fixtures.js"

const part = (key: SnapshotRecords["key"], id: string, name: string): SnapshotRecords => ({
  type: "records",
  key,
  clients: [sampleClient(id, name, { phone: "+7 900 111-22-33" })],
  patients: [],
  appointments: [],
  invoices: [],
})
const text = (clinicId: string): string =>
  snapshotLines({ clinicId, generatedAt: "2026-11-02T00:00:00.000Z", docs: {} }, [part("clients/0", "a", "Соколова Анна")], [], [])
    .map(l => JSON.stringify(l))
    .join("\n") + "\n"

const noProgress = { total: () => undefined, applied: () => undefined }

/**
 * The CI run of e3cf255 died of "the desk is closing" as an uncaught exception: the snapshot's
 * download was still open after its end line, and the desk's close aborted it into a stream no one
 * listened to any more. Whatever ends the apply, the input is let go of.
 */
describe("applySnapshotStream lets go of its input", () => {
  const open: ReadModel[] = []
  afterEach(() => {
    for (const rm of open.splice(0)) rm.close()
  })
  const applier = (): SnapshotApplier => {
    const rm = ReadModel.open(path.join(tmpDir("snapstream"), "readmodel.sqlite"))
    open.push(rm)
    return new SnapshotApplier(rm, "c1")
  }

  it("once the end line is in, though the download is still open", async () => {
    const input = new PassThrough()
    input.write(text("c1"))
    const { header, lines } = await applySnapshotStream(input, applier(), new BootstrapTimings(), noProgress)
    expect(header.clinicId).toBe("c1")
    expect(lines).toBeGreaterThan(2)
    expect(input.destroyed).toBe(true)
    expect(input.listenerCount("error")).toBe(0)
    // an abort now is no event at all (before, an "error" with no listener: uncaught)
    input.destroy(new Error("the desk is closing"))
  })

  it("when a line is refused half-way", async () => {
    const input = new PassThrough()
    input.write(text("another-clinic"))
    await expect(applySnapshotStream(input, applier(), new BootstrapTimings(), noProgress)).rejects.toThrow()
    expect(input.destroyed).toBe(true)
  })

  it("when the stream ends before the end line", async () => {
    const input = new PassThrough()
    input.end(text("c1").split("\n").slice(0, 2).join("\n") + "\n")
    await expect(applySnapshotStream(input, applier(), new BootstrapTimings(), noProgress)).rejects.toThrow(/cut off/)
    expect(input.destroyed).toBe(true)
  })
})

describe("linesOf", () => {
  it("gives the lines of any text however its bytes are cut into chunks (multi-byte letters, \\r\\n, no final newline)", async () => {
    const word = fc.constantFrom("Соколова", "ёж", "a", "", " ", "\r", "🐕", '{"x":1}')
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(word, { maxLength: 6 }).map(ws => ws.join("")), { maxLength: 8 }),
        fc.constantFrom("\n", "\r\n"),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
        async (lines, eol, finalEol, cuts) => {
          const text = lines.join(eol) + (finalEol && lines.length > 0 ? eol : "")
          const bytes = Buffer.from(text, "utf8")
          const input = new PassThrough()
          for (let at = 0, i = 0; at < bytes.length; i++) {
            const n = cuts[i % cuts.length]!
            input.write(bytes.subarray(at, at + n))
            at += n
          }
          input.end()
          const got: string[] = []
          for await (const l of linesOf(input)) got.push(l)
          // as readline with crlfDelay Infinity read them: no line after a final newline
          const want = text === "" ? [] : text.split(/\r?\n/)
          if (want.length > 0 && want[want.length - 1] === "" && /\n$/.test(text)) want.pop()
          expect(got).toEqual(want)
        },
      ),
      { numRuns: 200 },
    )
  })

  it("throws the stream's error", async () => {
    const input = new PassThrough()
    input.write("one\ntw")
    setImmediate(() => input.destroy(new Error("the network went away")))
    const got: string[] = []
    await expect(
      (async () => {
        for await (const l of linesOf(input)) got.push(l)
      })(),
    ).rejects.toThrow("the network went away")
    expect(got).toEqual(["one"])
  })
})
