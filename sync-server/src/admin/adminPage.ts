import { createHash } from "node:crypto"
import type { AdminClinic, AdminDesk, AdminOverview, DeskFlag } from "./adminOverview.js"

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
ul.flags{margin:0;padding:0;list-style:none}ul.flags li{color:#c62828;font-weight:600}
a{color:#0b57a4}a:focus,button:focus,input:focus{outline:3px solid #f0b400;outline-offset:1px}
button{font:inherit;padding:4px 12px;border:1px solid #8a94a6;border-radius:4px;background:#fff;cursor:pointer}
form.inline{display:inline;margin:0}
main.login{max-width:420px;margin:80px auto;background:#fff;border:1px solid #d5d9e0;padding:24px;border-radius:6px}
main.login label{display:block;margin:16px 0 4px;font-weight:600}
main.login input{width:100%;font:inherit;padding:6px 8px;border:1px solid #8a94a6;border-radius:4px}
main.login button{margin-top:12px}
.error{color:#c62828;font-weight:600}
`

/** The Content-Security-Policy of every admin page: nothing but this one inline stylesheet, forms to itself. */
export const ADMIN_CSP = `default-src 'none'; style-src 'sha256-${createHash("sha256").update(STYLE).digest("base64")}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`

const page = (title: string, body: string, refresh: boolean): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">${
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

/** 45 s, 12 min, 3 h 5 min, 2 d 4 h */
export const duration = (ms: number): string => {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
  return h % 24 ? `${Math.floor(h / 24)} d ${h % 24} h` : `${Math.floor(h / 24)} d`
}

const ago = (d: Date | null, now: Date): string =>
  d
    ? `${escapeHtml(duration(now.getTime() - d.getTime()))} ago<br><span class="small">${escapeHtml(utc(d))}</span>`
    : "never"

const offset = (ms: number): string => `${ms >= 0 ? "+" : "−"}${(Math.abs(ms) / 1000).toFixed(1)} s`

/** A flag as the page says it. */
export const flagText = (f: DeskFlag): string => {
  switch (f.kind) {
    case "offline":
      return `offline for ${duration(f.forMs)}`
    case "silent":
      return "enrolled, never heard from"
    case "waiting":
      return `${f.records} record${f.records === 1 ? "" : "s"} waiting for ${duration(f.forMs)}`
    case "clock":
      return `clock off by ${offset(f.offsetMs)}`
  }
}

const stateCell = (d: AdminDesk): string => {
  if (d.state !== "enrolled") return `<span class="small">${escapeHtml(d.state)}</span>`
  return d.online ? '<span class="ok">online</span>' : '<span class="off">offline</span>'
}

const deskRow = (d: AdminDesk, now: Date): string => {
  const r = d.report
  const name = d.name ? `${escapeHtml(d.name)}<br>` : ""
  const cells = [
    `<strong>${escapeHtml(d.code)}</strong> ${name}<span class="id">${escapeHtml(d.deskId)}</span>`,
    `<td class="nw">${stateCell(d)}</td>`,
    ago(d.lastContactAt, now),
    r ? `<td class="n">${r.waiting}</td>` : '<td class="n">-</td>',
    d.oldestWaitingAt ? ago(d.oldestWaitingAt, now) : "-",
    r ? `in: ${ago(r.lastSyncInAt, now)}<br>out: ${ago(r.lastSyncOutAt, now)}` : "-",
    r ? `app ${escapeHtml(r.appVersion)}<br>schema ${r.schemaVersion}` : "-",
    `<td class="nw">${r ? escapeHtml(offset(r.clockOffsetMs)) : "-"}</td>`,
    d.flags.length ? `<ul class="flags">${d.flags.map(f => `<li>${escapeHtml(flagText(f))}</li>`).join("")}</ul>` : "",
  ]
  const tds = cells.map(c => (c.startsWith("<td") ? c : `<td>${c}</td>`)).join("")
  return `<tr${d.flags.length ? ' class="flagged"' : ""} data-desk="${escapeHtml(d.deskId)}">${tds}</tr>`
}

const clinicTitle = (c: AdminClinic): string =>
  c.name ? `${escapeHtml(c.name)} <span class="id">${escapeHtml(c.clinicId)}</span>` : escapeHtml(c.clinicId)

const clinicSection = (c: AdminClinic, now: Date): string => {
  const head = [
    "Desk",
    "State",
    "Last contact",
    "Waiting",
    "Oldest waiting",
    "Last sync",
    "Versions",
    "Clock",
    "Attention",
  ]
  const table = c.desks.length
    ? `<table><thead><tr>${head.map(h => `<th${h === "Waiting" ? ' class="n"' : ""}>${h}</th>`).join("")}</tr></thead><tbody>${c.desks
        .map(d => deskRow(d, now))
        .join("")}</tbody></table>`
    : '<p class="meta">No desks.</p>'
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

/** The admin page: a summary line per clinic, then each clinic's desks with their status and flags. */
export const renderAdminPage = (o: AdminOverview, signedIn: boolean): string => {
  const now = o.generatedAt
  const t = o.thresholds
  const signOut = signedIn
    ? '<form class="inline" method="post" action="/admin/logout"><button type="submit">Sign out</button></form>'
    : ""
  const summaryHead = ["Clinic", "Desks", "Online", "Offline", "Pending", "Waiting", "Oldest waiting", "Attention"]
  const body = `<header><h1>VetSync relay: clinics and desks</h1><div><span class="meta">${escapeHtml(utc(now))} · refreshes every minute</span>${signOut}</div></header>
<p class="meta">Flagged: enrolled desks not heard from for ${escapeHtml(duration(t.offlineMs))}, records waiting for ${escapeHtml(
    duration(t.waitingMs),
  )}, clocks off by ${escapeHtml(duration(t.clockMs))}. Online: reported within the last 150 s.</p>
<section aria-labelledby="clinics"><h2 id="clinics">Clinics</h2>${
    o.clinics.length
      ? `<table><thead><tr>${summaryHead.map((h, i) => `<th${i > 0 && i !== 6 ? ' class="n"' : ""}>${h}</th>`).join("")}</tr></thead><tbody>${o.clinics
          .map(summaryRow)
          .join("")}</tbody></table>`
      : '<p class="meta">No clinics in the registry.</p>'
  }</section>
${o.clinics.map(c => clinicSection(c, now)).join("\n")}`
  return page("VetSync relay: desks", body, true)
}

/** The sign-in form (`message`: why the last attempt failed). */
export const renderLoginPage = (message?: string): string =>
  page(
    "VetSync relay: sign in",
    `<main class="login"><h1>VetSync relay administration</h1><form method="post" action="/admin/login"><label for="token">Admin token</label><input id="token" name="token" type="password" autocomplete="current-password" autofocus required><button type="submit">Sign in</button></form>${
      message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : ""
    }</main>`,
    false,
  )
