import type * as http from "node:http"
import type { LineLog } from "@vetsync/shared/log"
import { clinicList, type Queryable } from "../registry/commands.js"
import { deskStatusList } from "../registry/deskStatus.js"
import { ADMIN_COOKIE, sessionOf, type AdminAccess } from "./AdminAccess.js"
import { adminOverview, type AdminOverview, type AdminThresholds } from "./adminOverview.js"
import { ADMIN_CSP, renderAdminPage, renderLoginPage } from "./adminPage.js"
import { ADMIN_TEXT, adminLangOf, type AdminLang } from "./adminText.js"

/** The admin page's parts: who may read it, the registry it reads, and how the relay is reached. */
export interface AdminDeps {
  access: AdminAccess
  /** the registry's PostgreSQL */
  registry: Queryable
  /** the relay serves https itself (the cookie is then Secure; behind a proxy, X-Forwarded-Proto says) */
  tls: boolean
  thresholds?: AdminThresholds
  log: LineLog
}

const ADMIN_PATHS = new Set(["/admin", "/admin.json", "/admin/login", "/admin/logout"])
const MAX_LOGIN_BODY = 4096

/** The overview from the registry: `vetsync desks list`'s query (deskStatusList) and the clinics. */
export const loadAdminOverview = async (
  db: Queryable,
  now: Date,
  thresholds?: AdminThresholds,
): Promise<AdminOverview> => {
  const [clinics, desks] = await Promise.all([clinicList(db), deskStatusList(db)])
  return adminOverview(clinics, desks, now, thresholds)
}

const html = (res: http.ServerResponse, status: number, body: string, extra: http.OutgoingHttpHeaders = {}): void => {
  res
    .writeHead(status, {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": ADMIN_CSP,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      "referrer-policy": "no-referrer",
      ...extra,
    })
    .end(body)
}

const json = (res: http.ServerResponse, status: number, body: unknown, extra: http.OutgoingHttpHeaders = {}): void => {
  res
    .writeHead(status, { "content-type": "application/json", "cache-control": "no-store", ...extra })
    .end(JSON.stringify(body))
}

const readForm = (req: http.IncomingMessage): Promise<URLSearchParams | null> =>
  new Promise(resolve => {
    const chunks: Buffer[] = []
    let size = 0
    req.on("data", (c: Buffer) => {
      size += c.length
      if (size > MAX_LOGIN_BODY) {
        resolve(null)
        req.destroy()
      } else chunks.push(c)
    })
    req.on("end", () => resolve(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))))
    req.on("error", () => resolve(null))
  })

const secure = (req: http.IncomingMessage, tls: boolean): boolean =>
  tls ||
  String(req.headers["x-forwarded-proto"] ?? "")
    .split(",")[0]
    ?.trim() === "https"

const UNAUTHORIZED = { "www-authenticate": 'Bearer realm="vetsync-admin"' }

/**
 * `GET /admin` (the page; without a credential, 401 with the sign-in form), `GET /admin.json`,
 * `POST /admin/login` (form field `token`: a session cookie, HttpOnly, SameSite=Strict) and
 * `POST /admin/logout`. With no admin token configured (`deps` undefined) each answers 404, as any
 * unknown path. Returns false for other paths.
 */
export const handleAdminRequest = (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  pathname: string,
  deps: AdminDeps | undefined,
): boolean => {
  if (!ADMIN_PATHS.has(pathname)) return false
  const get = pathname === "/admin" || pathname === "/admin.json"
  if (!deps || req.method !== (get ? "GET" : "POST")) {
    json(res, 404, { error: "not found" })
    return true
  }
  const { access } = deps
  const lang = langOf(req)
  const fail = (e: unknown): void => {
    deps.log(`admin ${pathname} failed: ${(e as Error).message}`, { level: "error" })
    if (!res.headersSent) json(res, 500, { error: "admin page failed" })
  }
  if (pathname === "/admin/logout") {
    // sessions are stateless (AdminAccess): the browser's cookie goes, and this relay refuses it from now on
    access.close(sessionOf(req.headers.cookie))
    res.writeHead(303, { location: `/admin?lang=${lang}`, "set-cookie": cookie(req, deps, "", 0) }).end()
    return true
  }
  if (pathname === "/admin/login") {
    login(req, res, deps, lang).catch(fail)
    return true
  }
  const how = access.allowed(req)
  if (how === "throttled") {
    json(res, 429, { error: "too many failed attempts; try again in a minute" })
    return true
  }
  if (!how) {
    if (pathname === "/admin.json") json(res, 401, { error: "the admin token is needed" }, UNAUTHORIZED)
    else html(res, 401, renderLoginPage(undefined, lang), UNAUTHORIZED)
    return true
  }
  loadAdminOverview(deps.registry, new Date(), deps.thresholds)
    .then(o => (pathname === "/admin.json" ? json(res, 200, o) : html(res, 200, renderAdminPage(o, how === "session", lang))))
    .catch(fail)
  return true
}

const cookie = (req: http.IncomingMessage, deps: AdminDeps, value: string, maxAge: number): string =>
  `${ADMIN_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure(req, deps.tls) ? "; Secure" : ""}`

/** The page's language: `?lang=ru|en`, else Accept-Language, else English. */
const langOf = (req: http.IncomingMessage): AdminLang =>
  adminLangOf(new URL(req.url ?? "/", "http://relay").searchParams.get("lang"), req.headers["accept-language"])

const login = async (
  req: http.IncomingMessage,
  res: http.ServerResponse,
  deps: AdminDeps,
  lang: AdminLang,
): Promise<void> => {
  const { access } = deps
  const t = ADMIN_TEXT[lang]
  if (access.throttled()) return html(res, 429, renderLoginPage(t.tooMany, lang))
  const form = await readForm(req)
  const token = form?.get("token") ?? ""
  if (!access.tokenMatches(token)) {
    access.failed()
    deps.log("admin sign-in refused: wrong token", { level: "warn" })
    return html(res, 401, renderLoginPage(t.wrongToken, lang), UNAUTHORIZED)
  }
  const sid = access.open()
  deps.log("admin signed in")
  res.writeHead(303, { location: `/admin?lang=${lang}`, "set-cookie": cookie(req, deps, sid, access.sessionSeconds) }).end()
}
