import { app, BrowserWindow, dialog, ipcMain } from "electron"
import { writeFile } from "node:fs/promises"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { DeskHost } from "../src/setup/DeskHost.js"
import { CHANNELS } from "./channels.js"
import { FOREIGN_SENDER, forwardEvents, isAppPage, registerDeskIpc, trustedSender } from "./ipc.js"
import { parseShellConfig } from "./config.js"

/**
 * The Electron shell, kept thin: the desk process (DeskHost: the stored credential, the first-run
 * screen's setup API, then the desk core) runs in the main process, the UI in a sandboxed
 * renderer that reaches it only through the preload's `window.vetsync`.
 */
const here = fileURLToPath(new URL(".", import.meta.url))

const start = async (): Promise<void> => {
  await app.whenReady()
  const config = parseShellConfig(process.argv, process.env, join(app.getPath("userData"), "desk"))
  const host = new DeskHost(config)
  await host.start()
  const page = join(here, "../dist/ui/index.html")
  const appUrl = pathToFileURL(page).href
  const isTrusted = trustedSender(appUrl)
  registerDeskIpc(ipcMain, host, isTrusted)

  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    title: "VetSync",
    webPreferences: {
      preload: join(here, "preload.cjs"),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
    },
  })
  forwardEvents(host, { send: (c, e) => win.webContents.send(c, e), isDestroyed: () => win.isDestroyed() })
  win.webContents.setWindowOpenHandler(() => ({ action: "deny" }))
  // the window shows the desk's page and nothing else: a foreign page would get window.vetsync
  const stayHome = (e: { preventDefault(): void }, url: string): void => {
    if (!isAppPage(appUrl, url)) e.preventDefault()
  }
  win.webContents.on("will-navigate", stayHome)
  win.webContents.on("will-redirect", stayHome)

  ipcMain.handle(CHANNELS.print, async (event, options: unknown) => {
    if (!isTrusted(event)) return FOREIGN_SENDER
    try {
      if ((options as { pdf?: boolean } | undefined)?.pdf) {
        const saved = await dialog.showSaveDialog(win, { defaultPath: "invoice.pdf", filters: [{ name: "PDF", extensions: ["pdf"] }] })
        if (saved.canceled || !saved.filePath) return { ok: true, value: {} }
        const pdf = await win.webContents.printToPDF({ pageSize: "A4", printBackground: true })
        await writeFile(saved.filePath, pdf)
        return { ok: true, value: { path: saved.filePath } }
      }
      await new Promise<void>((ok, fail) =>
        win.webContents.print({ printBackground: true }, (success, reason) => (success || reason === "cancelled" ? ok() : fail(new Error(reason)))),
      )
      return { ok: true, value: {} }
    } catch (e) {
      return { ok: false, error: { code: "internal", message: e instanceof Error ? e.message : String(e) } }
    }
  })

  await win.loadFile(page)
  app.on("window-all-closed", () => {
    void host.close().finally(() => app.quit())
  })
}

start().catch(e => {
  dialog.showErrorBox("VetSync", e instanceof Error ? (e.stack ?? e.message) : String(e))
  app.exit(1)
})
