/** Link codes: 6 characters of A–Z and 2–9 without the look-alikes 0, O, 1 and I; stored as SHA-256 hashes. */
import { createHash, randomInt, timingSafeEqual } from 'node:crypto'

export const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'
export const CODE_LENGTH = 6

/** A fresh code from the system's CSPRNG. */
export function newCode(): string {
  let code = ''
  for (let i = 0; i < CODE_LENGTH; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]
  return code
}

export const hashCode = (code: string): string => createHash('sha256').update(code.trim().toUpperCase()).digest('hex')

/** Whether `typed` is the code behind `hash` (case-insensitive, constant time). */
export function codeMatches(typed: string, hash: string): boolean {
  const a = Buffer.from(hashCode(typed), 'hex')
  const b = Buffer.from(hash, 'hex')
  return a.length === b.length && timingSafeEqual(a, b)
}
