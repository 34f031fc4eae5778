import { BRIDGE_ENV } from "@vetsync/bridge/config"
import { DESK_WEB_ENV } from "@vetsync/client/config"
import { envTable } from "@vetsync/shared/config"
import { RELAY_ENV } from "@vetsync/sync-server/config"

/** Where the README's generated table starts and ends. */
export const TABLE_START = "<!-- config:begin (generated from the schemas by `npm run config:docs`; do not edit) -->"
export const TABLE_END = "<!-- config:end -->"

/** Every variable of the relay, the bridge and the desk (`vetsync desk`'s, a superset of Electron's), as the README lists them. */
export const configTable = (): string =>
  envTable([
    { name: "relay", schema: RELAY_ENV },
    { name: "bridge", schema: BRIDGE_ENV },
    { name: "desk", schema: DESK_WEB_ENV },
  ])

/** The README with its table between the markers made anew. */
export const withConfigTable = (readme: string): string => {
  const start = readme.indexOf(TABLE_START)
  const end = readme.indexOf(TABLE_END)
  if (start < 0 || end < start) throw new Error(`the README has no ${TABLE_START} ... ${TABLE_END} section`)
  return `${readme.slice(0, start + TABLE_START.length)}\n${configTable()}\n${readme.slice(end)}`
}
