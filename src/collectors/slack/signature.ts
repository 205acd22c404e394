/**
 * Slack request signing (v0): `x-slack-signature: v0=<hex HMAC-SHA256(signingSecret, "v0:<ts>:<rawBody>")>`
 * with `x-slack-request-timestamp` in Unix seconds, accepted within a 5-minute window either side of now.
 * Compared in constant time. Nothing is forwarded for a request that fails here.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'

/** Slack's replay window: 5 minutes. */
export const SLACK_SIGNATURE_WINDOW_MS = 5 * 60 * 1000

export type SignatureFailure = 'missing_headers' | 'bad_timestamp' | 'stale_timestamp' | 'bad_signature'

export interface SignatureInput {
  readonly signingSecret: string
  /** The raw request body, exactly as received. */
  readonly rawBody: string
  readonly timestamp: string | undefined
  readonly signature: string | undefined
  /** Epoch ms (default Date.now()). */
  readonly now?: number
  readonly windowMs?: number
}

/** The v0 signature of `rawBody` at `timestampSec`. */
export function slackSignature(signingSecret: string, timestampSec: string | number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex')}`
}

/** Verifies a Slack request; `{ok: false, reason}` says why it is refused. */
export function verifySlackSignature(input: SignatureInput): { ok: true } | { ok: false; reason: SignatureFailure } {
  const { timestamp, signature } = input
  if (!timestamp || !signature) return { ok: false, reason: 'missing_headers' }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' }
  const ageMs = Math.abs((input.now ?? Date.now()) - Number(timestamp) * 1000)
  if (ageMs > (input.windowMs ?? SLACK_SIGNATURE_WINDOW_MS)) return { ok: false, reason: 'stale_timestamp' }
  const expected = Buffer.from(slackSignature(input.signingSecret, timestamp, input.rawBody), 'utf8')
  const given = Buffer.from(signature, 'utf8')
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'bad_signature' }
  return { ok: true }
}
