/** IPC channel names shared by main and preload (kept dependency-free: the preload bundles it). */
export const CHANNELS = {
  call: "vetsync:call",
  event: "vetsync:event",
  print: "vetsync:print",
} as const
