import { pino, type DestinationStream, type Logger } from "pino"
import PinoPretty from "pino-pretty"

export type { Logger } from "pino"

/** The levels VETSYNC_LOG_LEVEL accepts, quietest last. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const
export type LogLevel = (typeof LOG_LEVELS)[number]
/** json: one JSON object a line; pretty: pino-pretty's human lines; auto: pretty when stdout is a terminal */
export const LOG_FORMATS = ["auto", "json", "pretty"] as const
export type LogFormat = (typeof LOG_FORMATS)[number]

/** The fields a line may carry besides level, time and msg (child loggers add them once). */
export interface LogFields {
  clinic?: string
  desk?: string
  peer?: string
}

export interface LoggerOptions {
  /** the process: relay, bridge, desk, cli (the `name` field of every line) */
  name: string
  level?: LogLevel
  format?: LogFormat
  /** where the terminal's lines go; default stdout */
  stream?: DestinationStream & { isTTY?: boolean }
  /** more destinations that always get JSON lines (a desk's rotating file) */
  files?: DestinationStream[]
}

const isLevel = (s: string | undefined): s is LogLevel => (LOG_LEVELS as readonly string[]).includes(s ?? "")
const isFormat = (s: string | undefined): s is LogFormat => (LOG_FORMATS as readonly string[]).includes(s ?? "")

/**
 * The level and format a process logs at when its configuration says nothing: VETSYNC_LOG_LEVEL
 * and VETSYNC_LOG_FORMAT (checked by the relay's and the bridge's schemas; here an unknown value
 * falls back), else info, or warn under vitest so that test output stays readable.
 */
export const logDefaults = (env: NodeJS.ProcessEnv = process.env): { level: LogLevel; format: LogFormat } => ({
  level: isLevel(env.VETSYNC_LOG_LEVEL) ? env.VETSYNC_LOG_LEVEL : env.VITEST ? "warn" : "info",
  format: isFormat(env.VETSYNC_LOG_FORMAT) ? env.VETSYNC_LOG_FORMAT : "auto",
})

/**
 * A pino logger: JSON lines (level as its label, ISO time, name, msg, and the child fields clinic,
 * desk, peer where known), or pino-pretty's human lines when the format is pretty, or auto and the
 * stream is a terminal. Files always get JSON. Synchronous streams: nothing is lost when the
 * process exits right after a line (a refused start).
 */
export const createLogger = (opts: LoggerOptions): Logger => {
  const defaults = logDefaults()
  const level = opts.level ?? defaults.level
  const format = opts.format ?? defaults.format
  const out = opts.stream ?? pino.destination({ dest: 1, sync: true })
  const tty = opts.stream
    ? opts.stream.isTTY === true || ((opts.stream as { fd?: number }).fd === 2 && process.stderr.isTTY)
    : process.stdout.isTTY
  const pretty = format === "pretty" || (format === "auto" && tty)
  const terminal: DestinationStream = pretty
    ? PinoPretty({
        destination: out as NodeJS.WritableStream,
        sync: true,
        colorize: tty,
        translateTime: "SYS:HH:MM:ss.l",
        ignore: "pid,hostname",
      })
    : out
  const options = {
    name: opts.name,
    level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  }
  if (!opts.files?.length) return pino(options, terminal)
  // each stream at the logger's level: multistream's own default (info) would drop debug lines
  const streams = [terminal, ...opts.files].map(stream => ({ stream, level: level === "silent" ? "fatal" : level }))
  return pino(options, pino.multistream(streams))
}

let root: Logger | undefined

/** The process's logger (set by its entry point with setRootLogger; by default one from the environment). */
export const rootLogger = (): Logger =>
  (root ??= createLogger({ name: process.title === "node" ? "vetsync" : process.title }))

/** Makes `logger` what rootLogger() returns: the entry point of the relay, the bridge, a desk. */
export const setRootLogger = (logger: Logger): void => {
  root = logger
}

export type LineLevel = "debug" | "info" | "warn" | "error"
/** A line's fields: who it is about, and its level (default info). */
export interface LineFields extends LogFields {
  level?: LineLevel
}
/**
 * The log callback the relay's, the bridge's and the desk's parts take: a line and, where known,
 * who it is about. Tests pass `line => lines.push(line)`; processes pass lineLog(their logger).
 */
export type LineLog = (line: string, fields?: LineFields) => void

/** A LineLog writing to a pino logger, each line at its level with its fields. */
export const lineLog =
  (logger: Logger): LineLog =>
  (line, { level = "info", ...fields } = {}) =>
    logger[level](fields, line)

/**
 * A failed start, logged to stderr (fatal, with the error) before the process exits 1. A
 * configuration error's message is the whole story; anything else keeps its stack.
 */
export const logStartFailure = (name: string, e: unknown, explained: boolean): void => {
  const logger = createLogger({ name, stream: pino.destination({ dest: 2, sync: true }) })
  if (explained) logger.fatal(`failed to start: ${(e as Error).message}`)
  else logger.fatal({ err: e }, "failed to start")
}
