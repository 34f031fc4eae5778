import { once } from "node:events"
import { promisify } from "node:util"
import { createGzip, gzip as gzipCb, type Gzip } from "node:zlib"
import { SNAPSHOT_FORMAT, type SnapshotLine, type SnapshotHeader } from "@vetsync/shared"

const gzip = promisify(gzipCb)

/**
 * A snapshot's gzip NDJSON written line by line, so a build never holds the whole clinic's records:
 * each records line is compressed as it is written. The header, which counts the records and lists
 * every document's heads, is only known at the end; it is compressed on its own and put first.
 * Concatenated gzip members are one gzip stream (RFC 1952 §2.2): zlib's gunzip and fetch's
 * content-decoding read them as the one NDJSON text, header first.
 */
export class SnapshotStream {
  readonly #body: Gzip = createGzip()
  readonly #out: Buffer[] = []
  readonly #ended: Promise<void>
  records = 0

  constructor() {
    this.#body.on("data", (b: Buffer) => this.#out.push(b))
    this.#ended = once(this.#body, "end").then(() => undefined)
  }

  /** Writes one line after the header (records, price list, rejections, profile); counts records. */
  async write(line: Exclude<SnapshotLine, SnapshotHeader | { type: "end" }>): Promise<void> {
    if (line.type === "records")
      this.records += line.clients.length + line.patients.length + line.appointments.length + line.invoices.length
    if (!this.#body.write(`${JSON.stringify(line)}\n`)) await once(this.#body, "drain")
  }

  /** Ends the snapshot with its end line; the whole gzip, header first. */
  async finish(header: Omit<SnapshotHeader, "type" | "format" | "records">): Promise<Buffer> {
    this.#body.end(`${JSON.stringify({ type: "end", records: this.records } satisfies SnapshotLine)}\n`)
    await this.#ended
    const first: SnapshotHeader = { type: "header", format: SNAPSHOT_FORMAT, ...header, records: this.records }
    return Buffer.concat([await gzip(`${JSON.stringify(first)}\n`), ...this.#out])
  }

  /** Gives up on a build that failed. */
  abort(): void {
    this.#body.destroy()
  }
}
