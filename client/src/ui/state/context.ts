import { getContext, setContext } from "svelte"
import type { DeskState } from "./desk.svelte.js"

const KEY = Symbol("vetsync.desk")

export const provideDesk = (desk: DeskState): DeskState => setContext(KEY, desk)
export const useDesk = (): DeskState => {
  const desk = getContext<DeskState | undefined>(KEY)
  if (!desk) throw new Error("DeskState is not provided")
  return desk
}
