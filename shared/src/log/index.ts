// Node only: never imported by the UI (it takes @vetsync/shared/schema alone)
export {
  createLogger,
  logDefaults,
  logStartFailure,
  rootLogger,
  setRootLogger,
  LOG_FORMATS,
  LOG_LEVELS,
  lineLog,
  type LineFields,
  type LineLevel,
  type LineLog,
  type LogFields,
  type LogFormat,
  type LogLevel,
  type Logger,
  type LoggerOptions,
} from "./logger.js"
export { deskLogDir, deskLogFile, openDeskLog, type DeskLog, type DeskLogFileOptions } from "./deskLogFile.js"
