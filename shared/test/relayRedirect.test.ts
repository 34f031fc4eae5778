import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { followableRedirect } from "../src/net/relayRedirect.js"

const host = fc.constantFrom("127.0.0.1", "relay-a.clinic.lan", "relay-b.example.org", "[::1]")
const port = fc.integer({ min: 1, max: 65_535 })
const path = fc.constantFrom("/sync", "/clinics/x/snapshot", "/clinics/a%20b/heads", "/clinics/y/resync")
const query = fc.constantFrom("", "?token=abc", "?desk=d1&v=2")
const scheme = fc.constantFrom("ws", "wss", "http", "https")
const address = (s: string, h: string, p: number, pathname: string, q: string): string => `${s}://${h}:${p}${pathname}${q}`

describe("followableRedirect: where a desk follows a relay's 307", () => {
  it("follows every location in the configured scheme, absolute or relative, keeping the query when none is named", () => {
    fc.assert(
      fc.property(scheme, host, port, path, query, host, port, path, query, fc.boolean(), (s, h1, p1, path1, q1, h2, p2, path2, q2, relative) => {
        const configured = address(s, h1, p1, path1, q1)
        const location = relative ? `${path2}${q2}` : address(s, h2, p2, path2, q2)
        const to = followableRedirect(location, configured, configured)
        expect(to).toBeDefined()
        const want = new URL(location, configured)
        if (want.search === "") want.search = new URL(configured).search
        expect(to).toBe(want.toString())
      }),
    )
  })

  it("refuses another scheme (never TLS down to plain text), a user or password in the address, and no location", () => {
    fc.assert(
      fc.property(scheme, scheme, host, port, path, host, port, path, (s1, s2, h1, p1, path1, h2, p2, path2) => {
        fc.pre(s1 !== s2)
        const configured = address(s1, h1, p1, path1, "")
        expect(followableRedirect(address(s2, h2, p2, path2, ""), configured, configured)).toBeUndefined()
        expect(followableRedirect(`${s1}://user:secret@${h2}:${p2}${path2}`, configured, configured)).toBeUndefined()
        expect(followableRedirect(`${s1}://user@${h2}:${p2}${path2}`, configured, configured)).toBeUndefined()
      }),
    )
    expect(followableRedirect(undefined, "http://a:1/x", "http://a:1/x")).toBeUndefined()
    expect(followableRedirect("", "http://a:1/x", "http://a:1/x")).toBeUndefined()
    expect(followableRedirect("http://[bad", "http://a:1/x", "http://a:1/x")).toBeUndefined()
  })
})
