import { SERVER_OWNED_KINDS, kindOfKey, type DocKey } from "@vetsync/shared"

/** Price list, rejections and the clinic profile: written by the bridge (a service) only. */
export const isServerOwned = (key: DocKey): boolean => {
  const kind = kindOfKey(key)
  return kind !== undefined && SERVER_OWNED_KINDS.includes(kind)
}
