/**
 * Structured logs (pino). Secrets are redacted wherever they appear in a logged object. Format: JSON lines,
 * or one readable line per entry (log-pretty.ts) on a terminal or when asked.
 */
import { pino, type Logger } from 'pino'
import { LOG_FORMATS, type LogFormat, prettyStream } from './log-pretty.js'

export type { Logger }

const SECRET_PATHS = [
  'token',
  'password',
  'secret',
  'apiKey',
  'api_key',
  'key',
  'authorization',
  'serviceKey',
  '*.token',
  '*.password',
  '*.secret',
  '*.apiKey',
  '*.api_key',
  '*.serviceKey',
  '*.authorization',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-service-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-service-key"]',
]

export interface LoggerOptions {
  level?: string
  /** Destination stream (tests); stdout otherwise. */
  destination?: NodeJS.WritableStream
  name?: string
  /** `auto` (default): pretty when stdout is a terminal, JSON otherwise. */
  format?: LogFormat
}

export { LOG_FORMATS, type LogFormat }

/** Whether `format` means pretty lines on stdout here. */
export function wantsPretty(format: LogFormat | undefined, stdout: { isTTY?: boolean } = process.stdout): boolean {
  return format === 'pretty' || ((format ?? 'auto') === 'auto' && stdout.isTTY === true)
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const opts = {
    level: options.level ?? 'info',
    redact: { paths: SECRET_PATHS, censor: '[redacted]' },
    base: options.name ? { name: options.name } : { pid: process.pid },
  }
  // A given destination is pretty only when asked (`auto` looks at stdout).
  const out = options.destination ?? process.stdout
  const pretty = options.destination ? options.format === 'pretty' : wantsPretty(options.format)
  if (pretty) {
    const colour = (out as { isTTY?: boolean }).isTTY === true && !process.env.NO_COLOR
    return pino(opts, prettyStream(out, { colour }) as unknown as pino.DestinationStream)
  }
  return options.destination ? pino(opts, options.destination as pino.DestinationStream) : pino(opts)
}
