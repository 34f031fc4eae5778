import * as path from "node:path"
import pinoRoll from "pino-roll"
import type { DestinationStream } from "pino"
import { createLogger, type LogFormat, type LoggerOptions, type LogLevel, type Logger } from "./logger.js"

export interface DeskLogFileOptions {
  /** the desk's data directory: the files are `<dataDir>/logs/desk.<n>.log` */
  dataDir: string
  /** a file is closed and a new one begun past this size; pino-roll's notation ("10m", "512k"). Default 10m */
  size?: string
  /** older files kept besides the current one; default 7 */
  keep?: number
}

/** The directory a desk's log files are in. */
export const deskLogDir = (dataDir: string): string => path.join(dataDir, "logs")

/**
 * A desk's rotating log file (pino-roll): JSON lines into `<dataDir>/logs/desk.N.log`, a new file
 * each day and whenever one passes `size`, and at most `keep` older files (the oldest are removed).
 */
export const deskLogFile = (
  opts: DeskLogFileOptions,
): Promise<DestinationStream & { end(): void; flushSync(): void }> =>
  pinoRoll({
    file: path.join(deskLogDir(opts.dataDir), "desk"),
    extension: ".log",
    size: opts.size ?? "10m",
    frequency: "daily",
    mkdir: true,
    limit: { count: opts.keep ?? 7 },
    // pino-roll rotates on the stream's 'drain', which a synchronous SonicBoom never emits
    sync: false,
  })

/** A desk process's logger and the file under it; close() ends the file. */
export interface DeskLog {
  logger: Logger
  /** the directory of the rotating files */
  dir: string
  close(): void
}

/**
 * The logger of a desk process (`vetsync desk`, the Electron main process): the terminal as any
 * process (JSON, or pretty on a terminal), and JSON lines in the rotating file of its data directory.
 */
export const openDeskLog = async (
  opts: DeskLogFileOptions & { level?: LogLevel; format?: LogFormat; stream?: LoggerOptions["stream"] },
): Promise<DeskLog> => {
  const file = await deskLogFile(opts)
  const logger = createLogger({
    name: "desk",
    files: [file],
    ...(opts.level ? { level: opts.level } : {}),
    ...(opts.format ? { format: opts.format } : {}),
    ...(opts.stream ? { stream: opts.stream } : {}),
  })
  return {
    logger,
    dir: deskLogDir(opts.dataDir),
    close: () => {
      file.flushSync()
      file.end()
    },
  }
}
