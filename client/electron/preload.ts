import { contextBridge, ipcRenderer } from "electron"
import { createPreloadApi } from "./preload-api.js"

/** The whole preload: one typed object, `window.vetsync = { call, onEvent, print }`. */
contextBridge.exposeInMainWorld("vetsync", createPreloadApi(ipcRenderer))
