/** Structured logs (pino). Secrets are redacted wherever they appear in a logged object. */
import { pino, type Logger } from 'pino'

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
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const opts = {
    level: options.level ?? 'info',
    redact: { paths: SECRET_PATHS, censor: '[redacted]' },
    base: options.name ? { name: options.name } : { pid: process.pid },
  }
  return options.destination ? pino(opts, options.destination as pino.DestinationStream) : pino(opts)
}
