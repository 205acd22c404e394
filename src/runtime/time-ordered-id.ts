/**
 * UUID version 7 (RFC 9562): the first 48 bits are the Unix time in milliseconds, the rest random. Ids
 * made one after another sort one after another, so a primary-key index takes each new row at its end
 * instead of at a random page (the execution log's SQLite writer touched a random index page per row
 * with version-4 ids).
 */
import { randomUUID } from 'node:crypto'

/** A version-7 UUID, e.g. `019abf3c-5e21-7c4d-9a1e-0b8f2d6c7e15`. */
export function timeOrderedId(now: number = Date.now()): string {
  const time = now.toString(16).padStart(12, '0')
  // randomUUID() is `xxxxxxxx-xxxx-4xxx-Vxxx-xxxxxxxxxxxx`: keep its random tail and RFC variant (V),
  // replace the first 48 bits with the time and the version digit with 7.
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randomUUID().slice(15)}`
}
