import { contextBridge, ipcRenderer } from "electron"
import { createPreloadApi } from "../src/host/ipc/preloadApi.js"

/** The whole preload: one typed object, `window.vetsync = { call, onEvent, print }` (a DeskBridge). */
contextBridge.exposeInMainWorld("vetsync", createPreloadApi(ipcRenderer))
