import { envTypes, type EnvType } from "@vetsync/shared/config"
import { z } from "zod"
import type { FiscalConfig } from "../../core/fiscal/FiscalDesk.js"

/** A peer on the LAN: a host name or IPv4 address, or an IPv6 one in brackets, then its port. */
const PEER = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/
/** The registry's rule for a desk's code (`vetsync desks add --code`): its invoice numbers' prefix. */
const DESK_CODE = /^[A-Z][A-Z0-9]{0,5}$/
const ATOL = /^atol:(https?:\/\/\S+)$/

/** `--fiscal`'s value as a register's configuration; throws (naming the flag) on what it cannot take. */
export const parseFiscal = (v: string): FiscalConfig => {
  if (v === "none" || v === "emulator") return { kind: v }
  const url = ATOL.exec(v)?.[1]
  if (url !== undefined) return { kind: "atol", url }
  throw new Error(
    `--fiscal must be none, emulator or atol:http://host:port (ATOL Driver 10's web server), not ${JSON.stringify(v)}`,
  )
}

/** The kinds of values only the desk's variables hold (the others are @vetsync/shared/config's envTypes). */
export const deskEnvTypes = {
  relayAddress: {
    schema: z.string().superRefine((s, ctx) => {
      let url: URL
      try {
        url = new URL(s)
      } catch {
        ctx.addIssue({ code: "custom", message: "not a URL" })
        return
      }
      if (!["ws:", "wss:", "http:", "https:"].includes(url.protocol))
        ctx.addIssue({ code: "custom", message: `its scheme is ${url.protocol}` })
      else if (url.hostname === "") ctx.addIssue({ code: "custom", message: "it names no host" })
    }),
    expected:
      "a ws:// or wss:// sync URL (wss://relay.example/sync), or the relay's http:// or https:// address (its /sync is meant)",
  } satisfies EnvType<string>,

  deskCode: {
    schema: z.string().regex(DESK_CODE, { message: "not a capital letter and up to 5 capitals or digits" }),
    expected: "a desk code: a capital letter, then up to 5 capitals or digits (D1, K2)",
  } satisfies EnvType<string>,

  fiscal: {
    schema: z.string().refine(s => s === "none" || s === "emulator" || ATOL.test(s), {
      message: "not none, emulator or atol:<http(s) URL>",
    }),
    expected: "none, emulator, or atol:<ATOL Driver 10's web server> (atol:http://127.0.0.1:16732)",
  } satisfies EnvType<string>,

  lanPort: {
    schema: envTypes.wholeNumber(1, 65535).schema,
    expected: "a TCP port, a whole number from 1 to 65535",
  } satisfies EnvType<number>,

  lanPeers: {
    schema: z.string().transform((s, ctx) => {
      const peers = s
        .split(",")
        .map(p => p.trim())
        .filter(p => p !== "")
      for (const p of peers) {
        const port = Number(PEER.exec(p)?.[2] ?? NaN)
        if (!(port >= 1 && port <= 65535)) ctx.addIssue({ code: "custom", message: `${JSON.stringify(p)} is not host:port` })
      }
      return [...new Set(peers)]
    }),
    expected: "host:port separated by commas (192.168.1.20:4810,desk-2.local:4810, [fe80::1]:4810)",
  } satisfies EnvType<string[]>,
} as const
