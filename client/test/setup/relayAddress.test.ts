import { describe, expect, it } from "vitest"
import { normalizeToken, parseRelayAddress, tokenProblem } from "../../src/setup/relayAddress.js"

describe("the relay address as staff type it", () => {
  it("takes the forms an IT administrator hands out, and finds the sync socket and the enrolment endpoint", () => {
    const cases: [string, string, string][] = [
      ["relay.example", "https://relay.example", "wss://relay.example/sync"],
      ["  https://relay.example/ ", "https://relay.example", "wss://relay.example/sync"],
      ["wss://relay.example/sync", "https://relay.example", "wss://relay.example/sync"],
      ["ws://192.168.1.10:8787/sync/", "http://192.168.1.10:8787", "ws://192.168.1.10:8787/sync"],
      ["http://192.168.1.10:8787", "http://192.168.1.10:8787", "ws://192.168.1.10:8787/sync"],
      ["relay.example:8443", "https://relay.example:8443", "wss://relay.example:8443/sync"],
      ["HTTPS://Relay.Example", "https://relay.example", "wss://relay.example/sync"],
      ["vetsync.клиника.рф", "https://vetsync.xn--80apagcdp.xn--p1ai", "wss://vetsync.xn--80apagcdp.xn--p1ai/sync"],
      // this computer: no TLS unless asked for
      ["localhost:8787", "http://localhost:8787", "ws://localhost:8787/sync"],
      ["127.0.0.1:8787", "http://127.0.0.1:8787", "ws://127.0.0.1:8787/sync"],
      ["[::1]:8787", "http://[::1]:8787", "ws://[::1]:8787/sync"],
    ]
    for (const [input, http, sync] of cases) expect(parseRelayAddress(input), input).toMatchObject({ ok: true, http, sync })
    expect(parseRelayAddress("relay.example")).toMatchObject({ encrypted: true, loopback: false })
    expect(parseRelayAddress("http://10.0.0.5:8787")).toMatchObject({ encrypted: false, loopback: false })
    expect(parseRelayAddress("localhost:8787")).toMatchObject({ encrypted: false, loopback: true })
  })

  it("says what is wrong with anything else", () => {
    const cases: [string, string][] = [
      ["", "empty"],
      ["   ", "empty"],
      ["ftp://relay.example", "scheme"],
      ["mailto:it@clinic.example", "scheme"],
      ["https://relay.example/vetsync", "path"],
      ["https://relay.example/enrol", "path"],
      ["relay example", "host"],
      ["https://", "host"],
      ["https://relay.example:99999", "host"],
      ["https://admin:secret@relay.example", "userinfo"],
      ["https://relay.example/?token=x", "query"],
      ["https://relay.example#sync", "query"],
    ]
    for (const [input, problem] of cases) expect(parseRelayAddress(input), input).toEqual({ ok: false, problem })
  })
})

describe("the enrolment token as staff paste it", () => {
  const token = `vse1.front-1.${"a".repeat(40)}_-9`

  it("takes the line `vetsync desks add` prints, with the breaks a terminal or a messenger adds", () => {
    expect(tokenProblem(normalizeToken(token))).toBeNull()
    expect(normalizeToken(`  ${token.slice(0, 20)}\n${token.slice(20)} \r\n`)).toBe(token)
  })

  it("tells a credential and a mangled token from an enrolment token", () => {
    expect(tokenProblem("")).toBe("empty")
    expect(tokenProblem(`vsd1.front-1.${"a".repeat(43)}`)).toBe("desk-credential")
    expect(tokenProblem(`vss1.bridge.${"a".repeat(43)}`)).toBe("service-credential")
    expect(tokenProblem(token.slice(0, -1))).toBe("shape")
    expect(tokenProblem(`${token}x`)).toBe("shape")
    expect(tokenProblem(`vse1.front 1.${"a".repeat(43)}`)).toBe("shape")
    expect(tokenProblem(`vse1.${"d".repeat(65)}.${"a".repeat(43)}`)).toBe("shape")
    expect(tokenProblem("vetsync desks add --clinic clinic-1")).toBe("shape")
  })
})
