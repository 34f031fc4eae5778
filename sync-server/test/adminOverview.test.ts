import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { ADMIN_THRESHOLDS, adminOverview, deskFlags, type AdminThresholds } from "../src/admin/adminOverview.js"
import { escapeHtml, flagText, renderAdminPage, renderLoginPage } from "../src/admin/adminPage.js"
import { ADMIN_TEXT, adminLangOf } from "../src/admin/adminText.js"
import type { DeskStatus } from "../src/registry/deskStatus.js"

const NOW = new Date("2026-12-02T01:00:00Z")
const HOUR = 3600_000
const around = (spanMs: number) => fc.integer({ min: -spanMs, max: 0 }).map(d => new Date(NOW.getTime() + d))
const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null })

/** What deskStatusList may answer: any registry row, with or without a report. */
const deskStatus = (clinicIds: string[]): fc.Arbitrary<DeskStatus> =>
  fc.record({
    deskId: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
    clinicId: fc.constantFrom(...clinicIds),
    code: fc.stringMatching(/^[A-Z][A-Z0-9]{0,5}$/),
    name: fc.string({ maxLength: 40 }),
    state: fc.constantFrom("pending", "expired", "enrolled", "revoked"),
    lastSeenAt: maybe(around(72 * HOUR)),
    online: fc.boolean(),
    report: maybe(
      fc.record({
        receivedAt: around(72 * HOUR),
        waiting: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 100_000 })),
        oldestWaitingAt: maybe(around(72 * HOUR)),
        lastSyncInAt: maybe(around(72 * HOUR)),
        lastSyncOutAt: maybe(around(72 * HOUR)),
        appVersion: fc.stringMatching(/^[0-9A-Za-z][0-9A-Za-z.+-]{0,39}$/),
        schemaVersion: fc.integer({ min: 1, max: 1000 }),
        clockOffsetMs: fc.integer({ min: -600_000, max: 600_000 }),
      }),
    ),
  })

const clinicIds = fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), { minLength: 1, maxLength: 5 })
const registry = clinicIds.chain(ids =>
  fc.tuple(fc.constant(ids.map(id => ({ id, name: "" }))), fc.array(deskStatus(ids), { maxLength: 20 })),
)
const thresholds: fc.Arbitrary<AdminThresholds> = fc.record({
  offlineMs: fc.integer({ min: 60_000, max: 48 * HOUR }),
  waitingMs: fc.integer({ min: 60_000, max: 48 * HOUR }),
  clockMs: fc.integer({ min: 1_000, max: 600_000 }),
})

describe("the admin page's overview", () => {
  it("keeps every desk under its clinic, and each clinic's summary adds up", () => {
    fc.assert(
      fc.property(registry, thresholds, ([clinics, desks], t) => {
        const o = adminOverview(clinics, desks, NOW, t)
        expect(o.clinics.map(c => c.clinicId)).toEqual(clinics.map(c => c.id))
        expect(o.clinics.flatMap(c => c.desks.map(d => d.deskId)).sort()).toEqual(desks.map(d => d.deskId).sort())
        for (const c of o.clinics) {
          const s = c.summary
          expect(c.desks.every(d => d.clinicId === c.clinicId)).toBe(true)
          expect(s.online + s.offline).toBe(s.enrolled)
          expect(s.enrolled + s.pending).toBe(s.desks)
          expect(s.desks + s.revoked).toBe(c.desks.length)
          expect(s.flagged).toBe(c.desks.filter(d => d.flags.length > 0).length)
          const enrolled = c.desks.filter(d => d.state === "enrolled")
          expect(s.waiting).toBe(enrolled.reduce((n, d) => n + (d.report?.waiting ?? 0), 0))
          const oldest = enrolled.flatMap(d => (d.oldestWaitingAt ? [d.oldestWaitingAt.getTime()] : []))
          expect(s.oldestWaitingAt?.getTime() ?? null).toBe(oldest.length ? Math.min(...oldest) : null)
        }
      }),
    )
  })

  it("flags enrolled desks silent, offline, waiting or off the clock past the thresholds, and nothing else", () => {
    fc.assert(
      fc.property(registry, thresholds, ([clinics, desks], t) => {
        for (const d of adminOverview(clinics, desks, NOW, t).clinics.flatMap(c => c.desks)) {
          const kinds = d.flags.map(f => f.kind)
          if (d.state !== "enrolled") {
            expect(kinds).toEqual([])
            continue
          }
          const contact = [d.report?.receivedAt, d.lastSeenAt].flatMap(x => (x ? [x.getTime()] : []))
          const last = contact.length ? Math.max(...contact) : null
          expect(kinds.includes("silent")).toBe(!d.online && last === null)
          expect(kinds.includes("offline")).toBe(!d.online && last !== null && NOW.getTime() - last >= t.offlineMs)
          const r = d.report
          const since = r && r.waiting > 0 && r.oldestWaitingAt ? r.oldestWaitingAt.getTime() + r.clockOffsetMs : null
          expect(kinds.includes("waiting")).toBe(since !== null && NOW.getTime() - since >= t.waitingMs)
          expect(kinds.includes("clock")).toBe(r !== null && Math.abs(r.clockOffsetMs) >= t.clockMs)
        }
      }),
    )
  })

  it("an online desk with nothing waiting and a true clock is never flagged", () => {
    fc.assert(
      fc.property(deskStatus(["c1"]), d => {
        const honest: DeskStatus = {
          ...d,
          state: "enrolled",
          online: true,
          report: d.report && { ...d.report, waiting: 0, oldestWaitingAt: null, clockOffsetMs: 0 },
        }
        expect(deskFlags(honest, NOW, null, NOW, ADMIN_THRESHOLDS)).toEqual([])
      }),
    )
  })
})

describe("the admin page's HTML", () => {
  const unescape = (s: string): string =>
    s.replace(
      /&(amp|lt|gt|quot|#39);/g,
      (_, e: string) => ({ amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" })[e] ?? "",
    )

  it("escapes any text so that it opens no tag and leaves no quote, and reads back as it was", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), s => {
        const e = escapeHtml(s)
        expect(e).not.toMatch(/[<>"']/)
        expect(unescape(e)).toBe(s)
      }),
    )
  })

  it("writes any registry's names and desks as text: no tag but its own, every name escaped", () => {
    const hostile = fc.oneof(
      fc.string(),
      fc.constantFrom("<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "</td></table>"),
    )
    fc.assert(
      fc.property(registry, fc.array(hostile, { minLength: 1, maxLength: 5 }), ([clinics, desks], names) => {
        const named = desks.map((d, i) => ({ ...d, name: names[i % names.length] ?? "" }))
        const page = renderAdminPage(
          adminOverview(
            clinics.map((c, i) => ({ ...c, name: names[i % names.length] ?? "" })),
            named,
            NOW,
          ),
          true,
        )
        expect(page.toLowerCase()).not.toContain("<script")
        expect(page).not.toContain("<img")
        const tags = new Set([...page.matchAll(/<\/?([a-z0-9]+)/g)].map(m => m[1]))
        for (const t of tags)
          expect([
            "html",
            "head",
            "meta",
            "title",
            "style",
            "body",
            "header",
            "nav",
            "div",
            "h1",
            "h2",
            "p",
            "form",
            "button",
            "section",
            "table",
            "thead",
            "tbody",
            "tr",
            "th",
            "td",
            "a",
            "span",
            "strong",
            "br",
            "ul",
            "li",
          ]).toContain(t)
        for (const d of named) if (d.name) expect(page).toContain(escapeHtml(d.name))
      }),
    )
    expect(renderLoginPage("<b>x</b>")).toContain("&lt;b&gt;x&lt;/b&gt;")
  })
})

describe("the admin page's language", () => {
  it("is ?lang when it names one, else the first language of Accept-Language it speaks (by q), else English", () => {
    expect(adminLangOf("ru", "en-US")).toBe("ru")
    expect(adminLangOf("en", "ru-RU,ru;q=0.9")).toBe("en")
    expect(adminLangOf(null, "ru-RU,ru;q=0.9,en;q=0.8")).toBe("ru")
    expect(adminLangOf("de", "de-DE,en;q=0.5,ru;q=0.9")).toBe("ru")
    expect(adminLangOf(null, "ru;q=0,en")).toBe("en")
    expect(adminLangOf(null, "fr, de")).toBe("en")
    expect(adminLangOf(null, undefined)).toBe("en")
    fc.assert(
      fc.property(fc.option(fc.string(), { nil: null }), fc.option(fc.string(), { nil: undefined }), (q, header) => {
        expect(["en", "ru"]).toContain(adminLangOf(q, header))
      }),
    )
  })

  it("renders every page in the language asked, <html lang> set, with a link to the other", () => {
    const o = adminOverview([{ id: "c1", name: "" }], [], NOW)
    for (const lang of ["en", "ru"] as const) {
      const other = lang === "en" ? "ru" : "en"
      for (const html of [renderAdminPage(o, true, lang), renderLoginPage(ADMIN_TEXT[lang].wrongToken, lang)]) {
        expect(html).toContain(`<html lang="${lang}">`)
        expect(html).toContain(`href="/admin?lang=${other}"`)
        expect(html).toContain(escapeHtml(ADMIN_TEXT[other].name))
      }
      expect(renderAdminPage(o, true, lang)).toContain(escapeHtml(ADMIN_TEXT[lang].signOut))
    }
    expect(renderLoginPage(undefined, "ru")).toContain("Токен администратора")
    expect(flagText({ kind: "waiting", records: 21, forMs: 3_900_000 }, "ru")).toBe("21 запись ждёт отправки 1 ч 5 мин")
    expect(flagText({ kind: "waiting", records: 3, forMs: 60_000 }, "ru")).toBe("3 записи ждут отправки 1 мин")
    expect(flagText({ kind: "waiting", records: 12, forMs: 60_000 }, "ru")).toBe("12 записей ждут отправки 1 мин")
  })
})
