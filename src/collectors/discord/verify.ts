/**
 * Ed25519 verification of Discord HTTP interactions: Discord signs `timestamp + raw body` with the
 * application's key; `DISCORD_PUBLIC_KEY` is the raw 32-byte public key as 64 hex characters. A request is
 * accepted only with a valid signature and a timestamp within five minutes of now (either side), so a
 * captured request cannot be replayed later.
 */
import { createPublicKey, type KeyObject, verify } from 'node:crypto'

/** How far a signed timestamp may be from now, either side. */
export const MAX_SKEW_MS = 5 * 60_000

/** The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw key follows it. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')

/** Why a request was refused. */
export type VerifyFailure = 'missing_signature' | 'bad_signature' | 'stale_timestamp'

/** The verdict on one request. */
export type VerifyResult = { readonly ok: true } | { readonly ok: false; readonly reason: VerifyFailure }

/**
 * Imports Discord's hex public key. Throws when it is not 64 hex characters (a configuration error,
 * reported at start rather than on every request).
 */
export function publicKeyFromHex(hex: string): KeyObject {
  const clean = hex.trim()
  if (!/^[0-9a-fA-F]{64}$/.test(clean))
    throw new Error('DISCORD_PUBLIC_KEY must be 64 hex characters (the raw Ed25519 public key)')
  return createPublicKey({ key: Buffer.concat([SPKI_PREFIX, Buffer.from(clean, 'hex')]), format: 'der', type: 'spki' })
}

/** The signed parts of a request. */
export interface SignedRequest {
  /** `X-Signature-Ed25519` (hex). */
  readonly signature: string | undefined
  /** `X-Signature-Timestamp` (unix seconds, as sent). */
  readonly timestamp: string | undefined
  /** The body exactly as received. */
  readonly rawBody: string
}

/** Checks one request's signature and freshness; `now` is injectable for tests. */
export function verifyInteraction(key: KeyObject, req: SignedRequest, now: number = Date.now()): VerifyResult {
  const { signature, timestamp, rawBody } = req
  if (!signature || !timestamp) return { ok: false, reason: 'missing_signature' }
  if (!/^[0-9a-fA-F]{128}$/.test(signature)) return { ok: false, reason: 'bad_signature' }
  let valid = false
  try {
    valid = verify(null, Buffer.from(timestamp + rawBody, 'utf8'), key, Buffer.from(signature, 'hex'))
  } catch {
    valid = false
  }
  if (!valid) return { ok: false, reason: 'bad_signature' }
  // Checked after the signature so an attacker cannot probe the clock with unsigned requests.
  const seconds = Number(timestamp)
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now - seconds * 1000) > MAX_SKEW_MS)
    return { ok: false, reason: 'stale_timestamp' }
  return { ok: true }
}
