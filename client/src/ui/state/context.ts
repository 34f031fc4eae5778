import { getContext, setContext } from "svelte"
import type { DeskState } from "./desk.svelte.js"
import type { SessionState } from "./session.svelte.js"

const KEY = Symbol("vetsync.desk")
const SESSION = Symbol("vetsync.session")

export const provideDesk = (desk: DeskState): DeskState => setContext(KEY, desk)
export const useDesk = (): DeskState => {
  const desk = getContext<DeskState | undefined>(KEY)
  if (!desk) throw new Error("DeskState is not provided")
  return desk
}

export const provideSession = (session: SessionState): SessionState => setContext(SESSION, session)
/** who works at the desk, where the app provides it (a component mounted alone has none) */
export const useSession = (): SessionState | undefined => getContext<SessionState | undefined>(SESSION)
