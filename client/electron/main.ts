import { app, BrowserWindow, dialog, ipcMain } from "electron"
import { join } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { parseShellConfig } from "../src/host/config/deskConfig.js"
import { forwardEvents, isAppPage, registerDeskIpc, sendCurrentEvents, trustedSender } from "../src/host/ipc/ipcTransport.js"
import { registerPrintIpc } from "../src/host/ipc/printIpc.js"
import { DeskHost } from "../src/setup/DeskHost.js"
import type { HostEvent } from "../src/setup/setupApi.js"
import { openDeskLog, rootLogger, setRootLogger } from "@vetsync/shared/log"

/**
 * The Electron shell, kept thin: the desk process (DeskHost: the stored credential, the first-run
 * screen's setup API, then the desk core) runs in the main process, the UI in a sandboxed
 * renderer that reaches it only through the preload's `window.vetsync`. The IPC transport, its
 * printing and the configuration are the desk's host seam (client/src/host); here is only what
 * needs Electron itself.
 */
const here = fileURLToPath(new URL(".", import.meta.url))

const start = async (): Promise<void> => {
  await app.whenReady()
  const config = parseShellConfig(process.argv, process.env, join(app.getPath("userData"), "desk"))
  // JSON lines in <data-dir>/logs/desk.N.log (rotating), and stdout
  const deskLog = await openDeskLog({ dataDir: config.dataDir })
  setRootLogger(deskLog.logger)
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
  // a second start (a double click on the icon) brings this window forward instead of opening the data directory twice
  app.on("second-instance", () => {
    if (win.isMinimized()) win.restore()
    win.focus()
  })
  const sink = { send: (c: string, e: HostEvent) => win.webContents.send(c, e), isDestroyed: () => win.isDestroyed() }
  forwardEvents(host, sink)
  // what went out while the page loaded reached no listener: each load starts with the current state
  win.webContents.on("did-finish-load", () => void sendCurrentEvents(host, sink))
  win.webContents.setWindowOpenHandler(() => ({ action: "deny" }))
  // the window shows the desk's page and nothing else: a foreign page would get window.vetsync
  const stayHome = (e: { preventDefault(): void }, url: string): void => {
    if (!isAppPage(appUrl, url)) e.preventDefault()
  }
  win.webContents.on("will-navigate", stayHome)
  win.webContents.on("will-redirect", stayHome)

  registerPrintIpc(
    ipcMain,
    {
      contents: win.webContents,
      async choosePdfPath() {
        const saved = await dialog.showSaveDialog(win, { defaultPath: "invoice.pdf", filters: [{ name: "PDF", extensions: ["pdf"] }] })
        return saved.canceled ? undefined : saved.filePath
      },
    },
    isTrusted,
  )

  await win.loadFile(page)
  app.on("window-all-closed", () => {
    void host.close().finally(() => {
      deskLog.close()
      app.quit()
    })
  })
}

// one desk process per machine and user: two would open the same data directory (SQLite, documents)
if (!app.requestSingleInstanceLock()) app.quit()
else
  start().catch(e => {
    rootLogger().fatal({ err: e }, "failed to start")
    dialog.showErrorBox("VetSync", e instanceof Error ? (e.stack ?? e.message) : String(e))
    app.exit(1)
  })
