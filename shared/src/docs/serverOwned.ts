import { kindOfKey, type DocKey } from "./layout.js"
import { SERVER_OWNED_KINDS } from "./types.js"

/**
 * Price list, rejections, the clinic profile and staff: written by the bridge (a service) only.
 * The one home of the decision: the relay refuses a desk's write to them (RelayPolicy), and a desk
 * never takes them from a LAN peer (DocStore's access rule), only from the relay.
 */
export const isServerOwned = (key: DocKey): boolean => {
  const kind = kindOfKey(key)
  return kind !== undefined && SERVER_OWNED_KINDS.includes(kind)
}
