/**
 * Which database errors mean "the server is not there right now" (refused, reset, shut down, timed out)
 * rather than "this statement is wrong". Those become WB_STORAGE_UNREACHABLE: HTTP 503 with Retry-After,
 * so a client retries later, and the pool reconnects on the next query by itself.
 */
import { isWaddleError, WaddleError } from '../errors.js'

/** Socket-level error codes of a lost or refused connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/** SQLSTATE classes 08 (connection exception) and 57P (operator intervention: shutdown, crash, starting up). */
const SQLSTATE = /^(08|57P0[1-4])/

/** pg's own messages when the socket ends or a connect times out (these carry no code). */
const PG_MESSAGES =
  /Connection terminated|connection timeout|Client has encountered a connection error|Connection is not open|timeout exceeded when trying to connect/i

export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATE.test(code))) return true
  return PG_MESSAGES.test(error.message)
}

/** `error` as WB_STORAGE_UNREACHABLE when it is a connection error; unchanged otherwise. */
export function asUnreachable(error: unknown): unknown {
  if (isWaddleError(error) || !isConnectionError(error)) return error
  return new WaddleError(
    'WB_STORAGE_UNREACHABLE',
    { reason: (error as Error).message.split('\n')[0] ?? 'connection lost' },
    { cause: error },
  )
}

/** SQLite result codes (better-sqlite3's `code`) of a row the database refuses as such. */
const SQLITE_ROW_CODES = /^SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)/

/**
 * Whether the database refused the data itself, so writing it again can never succeed: Postgres SQLSTATE
 * classes 22 (data exception, such as a NUL character in text) and 23 (integrity constraint), SQLite
 * constraint, datatype mismatch and too-big errors. Everything else (a lost connection, a busy database, a
 * missing table before migrations) may pass on a later try.
 */
export function isRowRefused(error: unknown): boolean {
  if (!(error instanceof Error)) return false
  const code = (error as { code?: unknown }).code
  if (typeof code !== 'string') return false
  return /^2[23][0-9A-Z]{3}$/.test(code) || SQLITE_ROW_CODES.test(code)
}
