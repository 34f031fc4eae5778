import { isIPv4 } from "node:net"
import * as fc from "fast-check"
import { describe, expect, it } from "vitest"
import { keepsConnection } from "../../src/lan/lanTls.js"
import { dialAddress, peerToDial, serviceName, serviceTxt, type FoundService, type MdnsSelf } from "../../src/lan/mdnsPeers.js"

const NAME_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-".split("")
const name = fc.array(fc.constantFrom(...NAME_CHARS), { minLength: 1, maxLength: 64 }).map(cs => cs.join(""))
const ipv4 = fc.ipV4()
// routable IPv6 (a link-local one is never dialled)
const ipv6 = fc.ipV6().filter(a => !/^fe[89ab]/i.test(a))
const port = fc.integer({ min: 1, max: 65535 })

/** What an honest desk's publication looks like when another desk's browser finds it. */
const honest = (self: MdnsSelf, peerDesk: fc.Arbitrary<string>) =>
  fc.record({ desk: peerDesk, port, v4: fc.array(ipv4, { minLength: 1, maxLength: 3 }), v6: fc.array(ipv6, { maxLength: 2 }), fromListed: fc.boolean() }).map(
    ({ desk, port, v4, v6, fromListed }): FoundService => ({
      port,
      addresses: [...v6, ...v4],
      referer: { address: fromListed ? v4[v4.length - 1]! : "127.0.0.1" },
      txt: serviceTxt({ clinicId: self.clinicId, deskId: desk }),
    }),
  )
const selves = fc.record({ clinicId: name, deskId: name })

describe("which desks found by mDNS a desk dials (issue 15)", () => {
  it("an honest desk of our clinic that expects us to dial: dialled at an IPv4 address of its record (or loopback, where the answer came from)", () => {
    fc.assert(
      fc.property(
        selves.chain(self => fc.tuple(fc.constant(self), honest(self, name.filter(d => keepsConnection(self.deskId, d))))),
        ([self, found]) => {
          const v = peerToDial(found, self)
          expect(v).toMatchObject({ dial: true, deskId: (found.txt as { desk: string }).desk })
          if (!v.dial) return
          const [host, p] = [v.address.slice(0, v.address.lastIndexOf(":")), Number(v.address.slice(v.address.lastIndexOf(":") + 1))]
          expect(p).toBe(found.port)
          expect(isIPv4(host)).toBe(true)
          expect([...(found.addresses ?? []), "127.0.0.1"]).toContain(host)
          // the answer's source when the record lists it: the address on the link both desks share
          if (found.referer?.address !== "127.0.0.1") expect(host).toBe(found.referer?.address)
        },
      ),
    )
  })

  it("of two honest desks of one clinic exactly one dials the other", () => {
    fc.assert(
      fc.property(name, name, name, port, port, ipv4, ipv4, (clinicId, d1, d2, p1, p2, a1, a2) => {
        fc.pre(d1 !== d2)
        const one = { clinicId, deskId: d1 }
        const two = { clinicId, deskId: d2 }
        const pub = (self: MdnsSelf, p: number, a: string): FoundService => ({ port: p, addresses: [a], referer: { address: a }, txt: serviceTxt(self) })
        const dials = [peerToDial(pub(two, p2, a2), one).dial, peerToDial(pub(one, p1, a1), two).dial]
        expect(dials.filter(Boolean)).toHaveLength(1)
      }),
    )
  })

  it("a desk of another clinic, and this desk itself, are never dialled", () => {
    fc.assert(
      fc.property(selves, name, (self, other) => {
        fc.pre(other !== self.clinicId)
        fc.assert(
          fc.property(honest({ clinicId: other, deskId: "" }, name), found => {
            expect(peerToDial(found, self)).toMatchObject({ dial: false, why: "other-clinic" })
          }),
          { numRuns: 5 },
        )
        fc.assert(
          fc.property(honest(self, fc.constant(self.deskId)), found => {
            expect(peerToDial(found, self)).toMatchObject({ dial: false, why: "self" })
          }),
          { numRuns: 5 },
        )
      }),
      { numRuns: 50 },
    )
  })

  it("a malformed record is never dialled: TXT without clinic or desk, names that are no desk names, no valid port", () => {
    const badName = fc.oneof(
      fc.constant(""),
      fc.string({ minLength: 65, maxLength: 80 }),
      fc.string().filter(s => !/^[A-Za-z0-9_-]{1,64}$/.test(s)),
      fc.integer(),
      fc.constant(true),
      fc.constant(null),
    )
    const badTxt = fc.oneof(
      fc.constant(undefined),
      fc.constant("clinic=c"),
      fc.record({ desk: name }),
      fc.record({ clinic: name }),
      fc.record({ clinic: badName, desk: name }),
      fc.record({ clinic: name, desk: badName }),
    )
    const badPort = fc.oneof(fc.integer({ max: 0 }), fc.integer({ min: 65536 }), fc.double({ min: 1.1, max: 65534.9, noInteger: true }), fc.string(), fc.constant(undefined))
    fc.assert(
      fc.property(selves, badTxt, port, ipv4, (self, txt, p, a) => {
        expect(peerToDial({ port: p, addresses: [a], referer: { address: a }, txt }, self)).toMatchObject({ dial: false, why: "malformed" })
      }),
    )
    fc.assert(
      fc.property(selves, name, badPort, ipv4, (self, desk, p, a) => {
        const txt = serviceTxt({ clinicId: self.clinicId, deskId: desk })
        expect(peerToDial({ port: p, addresses: [a], referer: { address: a }, txt }, self)).toMatchObject({ dial: false, why: "malformed" })
      }),
    )
  })

  it("addresses: IPv4 over IPv6, a routable IPv6 in brackets, a link-local one or none gives nothing", () => {
    expect(dialAddress({ addresses: ["fd00::2", "192.0.2.7"], referer: { address: "192.0.2.9" } }, 4810)).toBe("192.0.2.7:4810")
    expect(dialAddress({ addresses: ["fe80::1", "fd00::2"] }, 4810)).toBe("[fd00::2]:4810")
    expect(dialAddress({ addresses: ["fe80::1"] }, 4810)).toBeUndefined()
    expect(dialAddress({ addresses: ["desk.local", 7] }, 4810)).toBeUndefined()
  })

  it("the service name is one DNS label without dots", () => {
    fc.assert(
      fc.property(selves, self => {
        const n = serviceName(self)
        expect(Buffer.byteLength(n)).toBeLessThanOrEqual(63)
        expect(n).not.toContain(".")
      }),
    )
  })
})
