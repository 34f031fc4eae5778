import { createHash } from "node:crypto"
import type { AdminClinic, AdminDesk, AdminOverview, DeskFlag } from "./adminOverview.js"
import { ADMIN_LANGS, ADMIN_TEXT, type AdminLang, type AdminText } from "./adminText.js"

/** Text as HTML text or a quoted attribute's value: nothing in it can open a tag, an entity or leave the quotes. */
export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, c => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] ?? c)

const STYLE = `
*{box-sizing:border-box}
body{margin:0;padding:16px 20px;font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f5f6f8}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 6px}
header{display:flex;flex-wrap:wrap;align-items:baseline;justify-content:space-between;gap:8px 16px}
header div{display:flex;align-items:baseline;gap:12px}
.meta{color:#566070;margin:0}
table{width:100%;border-collapse:collapse;background:#fff;border:1px solid #d5d9e0;table-layout:auto}
th,td{padding:5px 8px;text-align:left;vertical-align:top;border-bottom:1px solid #e3e6eb;overflow-wrap:break-word}
th{background:#eceff3;font-weight:600;font-size:13px}
td.n,th.n,.nw{text-align:right;white-space:nowrap}.nw{text-align:left}
tr.flagged td:first-child{box-shadow:inset 4px 0 #c62828}
.id,.small{color:#566070;font-size:12px}.id{overflow-wrap:anywhere}
.ok{color:#1b6e2e}.off{color:#8a5a00}.bad{color:#c62828;font-weight:600}
ul.flags{margin:0;padding:0;list-style:none}ul.flags li{color:#c62828;font-weight:600}ul.flags li+li{margin-top:4px}
a{color:#0b57a4}a:focus,button:focus,input:focus{outline:3px solid #f0b400;outline-offset:1px}
button{font:inherit;padding:4px 12px;border:1px solid #8a94a6;border-radius:4px;background:#fff;cursor:pointer}
form.inline{display:inline;margin:0}
nav.lang{display:inline;color:#566070}nav.lang a{margin-left:6px}
main.login{max-width:420px;margin:80px auto;background:#fff;border:1px solid #d5d9e0;padding:24px;border-radius:6px}
main.login label{display:block;margin:16px 0 4px;font-weight:600}
main.login input{width:100%;font:inherit;padding:6px 8px;border:1px solid #8a94a6;border-radius:4px}
main.login button{margin-top:12px}
.error{color:#c62828;font-weight:600}
`

/** The Content-Security-Policy of every admin page: nothing but this one inline stylesheet, forms to itself. */
export const ADMIN_CSP = `default-src 'none'; style-src 'sha256-${createHash("sha256").update(STYLE).digest("base64")}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`

const page = (lang: AdminLang, title: string, body: string, refresh: boolean): string =>
  `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${
    refresh ? '<meta http-equiv="refresh" content="60">' : ""
  }<title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`

/** 2026-12-01 09:14:02 UTC */
export const utc = (d: Date | null): string =>
  d
    ? d
        .toISOString()
        .replace("T", " ")
        .replace(/\.\d{3}Z$/, " UTC")
    : "-"

/** 45 s, 12 min, 3 h 5 min, 2 d 4 h (in Russian: 45 с, 12 мин, 3 ч 5 мин, 2 д 4 ч) */
export const duration = (ms: number, lang: AdminLang = "en"): string => {
  const u = ADMIN_TEXT[lang].units
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} ${u.s}`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} ${u.min}`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 ? `${h} ${u.h} ${m % 60} ${u.min}` : `${h} ${u.h}`
  return h % 24 ? `${Math.floor(h / 24)} ${u.d} ${h % 24} ${u.h}` : `${Math.floor(h / 24)} ${u.d}`
}

const offset = (ms: number, lang: AdminLang): string =>
  `${ms >= 0 ? "+" : "−"}${(Math.abs(ms) / 1000).toFixed(1)} ${ADMIN_TEXT[lang].units.s}`

/** A flag as the page says it. */
export const flagText = (f: DeskFlag, lang: AdminLang = "en"): string => {
  const t = ADMIN_TEXT[lang]
  switch (f.kind) {
    case "offline":
      return t.flagOffline(duration(f.forMs, lang))
    case "silent":
      return t.flagSilent
    case "waiting":
      return t.flagWaiting(f.records, duration(f.forMs, lang))
    case "clock":
      return t.flagClock(offset(f.offsetMs, lang))
  }
}

const stateCell = (d: AdminDesk, t: AdminText): string => {
  if (d.state !== "enrolled") return `<span class="small">${escapeHtml(t.state(d.state))}</span>`
  return d.online ? `<span class="ok">${escapeHtml(t.online)}</span>` : `<span class="off">${escapeHtml(t.offline)}</span>`
}

const deskRow = (d: AdminDesk, now: Date, lang: AdminLang): string => {
  const t = ADMIN_TEXT[lang]
  const ago = (at: Date | null): string =>
    at
      ? `${escapeHtml(t.ago(duration(now.getTime() - at.getTime(), lang)))}<br><span class="small">${escapeHtml(utc(at))}</span>`
      : escapeHtml(t.never)
  const r = d.report
  const name = d.name ? `${escapeHtml(d.name)}<br>` : ""
  const cells = [
    `<strong>${escapeHtml(d.code)}</strong> ${name}<span class="id">${escapeHtml(d.deskId)}</span>`,
    `<td class="nw">${stateCell(d, t)}</td>`,
    ago(d.lastContactAt),
    r ? `<td class="n">${r.waiting}</td>` : '<td class="n">-</td>',
    d.oldestWaitingAt ? ago(d.oldestWaitingAt) : "-",
    r ? `${escapeHtml(t.syncIn)}: ${ago(r.lastSyncInAt)}<br>${escapeHtml(t.syncOut)}: ${ago(r.lastSyncOutAt)}` : "-",
    r ? `${escapeHtml(t.app)} ${escapeHtml(r.appVersion)}<br>${escapeHtml(t.schema)} ${r.schemaVersion}` : "-",
    `<td class="nw">${r ? escapeHtml(offset(r.clockOffsetMs, lang)) : "-"}</td>`,
    d.flags.length ? `<ul class="flags">${d.flags.map(f => `<li>${escapeHtml(flagText(f, lang))}</li>`).join("")}</ul>` : "",
  ]
  const tds = cells.map(c => (c.startsWith("<td") ? c : `<td>${c}</td>`)).join("")
  return `<tr${d.flags.length ? ' class="flagged"' : ""} data-desk="${escapeHtml(d.deskId)}">${tds}</tr>`
}

const clinicTitle = (c: AdminClinic): string =>
  c.name ? `${escapeHtml(c.name)} <span class="id">${escapeHtml(c.clinicId)}</span>` : escapeHtml(c.clinicId)

const clinicSection = (c: AdminClinic, now: Date, lang: AdminLang): string => {
  const t = ADMIN_TEXT[lang]
  const table = c.desks.length
    ? `<table><thead><tr>${t.deskHead.map((h, i) => `<th${i === 3 ? ' class="n"' : ""}>${escapeHtml(h)}</th>`).join("")}</tr></thead><tbody>${c.desks
        .map(d => deskRow(d, now, lang))
        .join("")}</tbody></table>`
    : `<p class="meta">${escapeHtml(t.noDesks)}</p>`
  return `<section id="clinic-${escapeHtml(c.clinicId)}" data-clinic="${escapeHtml(c.clinicId)}"><h2>${clinicTitle(c)}</h2>${table}</section>`
}

const summaryRow = (c: AdminClinic): string => {
  const s = c.summary
  const n = (v: number, cls = ""): string => `<td class="n${cls ? ` ${cls}` : ""}">${v}</td>`
  return `<tr${s.flagged ? ' class="flagged"' : ""} data-clinic="${escapeHtml(c.clinicId)}"><td><a href="#clinic-${escapeHtml(c.clinicId)}">${clinicTitle(c)}</a></td>${n(
    s.desks,
  )}${n(s.online, s.online ? "ok" : "")}${n(s.offline, s.offline ? "off" : "")}${n(s.pending)}${n(s.waiting)}<td>${escapeHtml(
    utc(s.oldestWaitingAt),
  )}</td>${n(s.flagged, s.flagged ? "bad" : "ok")}</tr>`
}

/** The other languages' links: the same page with `?lang=`. */
const langSwitch = (lang: AdminLang, path: string): string =>
  `<nav class="lang" aria-label="${escapeHtml(ADMIN_TEXT[lang].language)}">${ADMIN_LANGS.filter(l => l !== lang)
    .map(l => `<a href="${path}?lang=${l}" lang="${l}" hreflang="${l}">${escapeHtml(ADMIN_TEXT[l].name)}</a>`)
    .join("")}</nav>`

/** The admin page: a summary line per clinic, then each clinic's desks with their status and flags. */
export const renderAdminPage = (o: AdminOverview, signedIn: boolean, lang: AdminLang = "en"): string => {
  const now = o.generatedAt
  const th = o.thresholds
  const t = ADMIN_TEXT[lang]
  const signOut = signedIn
    ? `<form class="inline" method="post" action="/admin/logout?lang=${lang}"><button type="submit">${escapeHtml(t.signOut)}</button></form>`
    : ""
  const body = `<header><h1>${escapeHtml(t.heading)}</h1><div><span class="meta">${escapeHtml(utc(now))} · ${escapeHtml(
    t.refreshes,
  )}</span>${langSwitch(lang, "/admin")}${signOut}</div></header>
<p class="meta">${escapeHtml(t.flagged(duration(th.offlineMs, lang), duration(th.waitingMs, lang), duration(th.clockMs, lang)))}</p>
<section aria-labelledby="clinics"><h2 id="clinics">${escapeHtml(t.clinics)}</h2>${
    o.clinics.length
      ? `<table><thead><tr>${t.summaryHead
          .map((h, i) => `<th${i > 0 && i !== 6 ? ' class="n"' : ""}>${escapeHtml(h)}</th>`)
          .join("")}</tr></thead><tbody>${o.clinics.map(summaryRow).join("")}</tbody></table>`
      : `<p class="meta">${escapeHtml(t.noClinics)}</p>`
  }</section>
${o.clinics.map(c => clinicSection(c, now, lang)).join("\n")}`
  return page(lang, t.title, body, true)
}

/** The sign-in form (`message`: why the last attempt failed, in `lang`). */
export const renderLoginPage = (message?: string, lang: AdminLang = "en"): string => {
  const t = ADMIN_TEXT[lang]
  return page(
    lang,
    t.signInTitle,
    `<main class="login"><h1>${escapeHtml(t.signInHeading)}</h1><form method="post" action="/admin/login?lang=${lang}"><label for="token">${escapeHtml(
      t.tokenLabel,
    )}</label><input id="token" name="token" type="password" autocomplete="current-password" autofocus required><button type="submit">${escapeHtml(
      t.signIn,
    )}</button></form>${message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : ""}<p>${langSwitch(lang, "/admin")}</p></main>`,
    false,
  )
}
