/** pino-roll 4 ships no types: the part of its options VetSync uses. */
declare module "pino-roll" {
  import type { DestinationStream } from "pino"
  interface PinoRollOptions {
    file: string
    size?: string | number
    frequency?: "daily" | "hourly" | number
    extension?: string
    mkdir?: boolean
    limit?: { count?: number; removeOtherLogFiles?: boolean }
    sync?: boolean
  }
  const pinoRoll: (options: PinoRollOptions) => Promise<DestinationStream & { end(): void; flushSync(): void }>
  export default pinoRoll
}
