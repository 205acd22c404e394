/**
 * Webhook target: POSTs the ExecutionRequest JSON to a URL, signed so the receiver can tell it came from
 * this bot: `X-Waddlebot-Timestamp: <unix s>` and
 * `X-Waddlebot-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + rawBody)>`.
 * The reply must be the ExecutionResult JSON.
 */
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { AddressGuard } from './address-guard.js'
import { post, readJson } from './http.js'
import { type PolicyOptions, type PolicyTarget, withPolicy } from './policy.js'
import { safeUrl } from './types.js'

export const TIMESTAMP_HEADER = 'X-Waddlebot-Timestamp'
export const SIGNATURE_HEADER = 'X-Waddlebot-Signature'

/** `sha256=<hex>` over `timestamp + "." + rawBody`. */
export function signWebhook(secret: string, timestamp: string | number, rawBody: string | Uint8Array): string {
  const hmac = createHmac('sha256', secret)
  hmac.update(`${timestamp}.`)
  hmac.update(rawBody)
  return `sha256=${hmac.digest('hex')}`
}

/**
 * For receivers: true when `signature` is the signature of `rawBody` at `timestamp` under `secret`, and the
 * timestamp is within `toleranceS` seconds of now (replay window). Compares in constant time. Pass the body
 * exactly as received (the raw bytes, not re-serialized JSON).
 */
export function verifyWebhookSignature(
  secret: string,
  timestamp: string | number | undefined,
  rawBody: string | Uint8Array,
  signature: string | undefined,
  toleranceS = 300,
  nowS: number = Date.now() / 1000,
): boolean {
  if (!secret || timestamp === undefined || signature === undefined) return false
  const ts = String(timestamp)
  if (!/^\d{1,12}$/.test(ts) || Math.abs(nowS - Number(ts)) > toleranceS) return false
  if (!/^sha256=[0-9a-f]{64}$/i.test(signature)) return false
  const expected = Buffer.from(signWebhook(secret, ts, rawBody).slice(7), 'hex')
  const given = Buffer.from(signature.slice(7), 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

export interface WebhookTargetOptions {
  /** http(s) URL the request is POSTed to. */
  url: string
  /** Shared HMAC secret; the receiver verifies with the same one. */
  secret: string
  /** Module name reported by the target (default `webhook`). */
  module?: string
  /** Extra headers (not signed). */
  headers?: Record<string, string>
  policy?: PolicyOptions
  /** Checks the addresses connected to (targets from the commands table; address-guard.ts). */
  guard?: AddressGuard
}

/** A signed-webhook ExecutionTarget. Every attempt (retries too) is signed with a fresh timestamp. */
export function createWebhookTarget(options: WebhookTargetOptions): PolicyTarget {
  const url = new URL(options.url)
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TypeError(`webhook URL must be http(s): ${safeUrl(url)}`)
  if (!options.secret) throw new TypeError('webhook secret is empty')
  const location = `webhook:${safeUrl(url)}`
  return withPolicy(
    { transport: 'webhook', module: options.module ?? 'webhook', location },
    async (request, signal) => {
      const body = JSON.stringify(request)
      const timestamp = String(Math.floor(Date.now() / 1000))
      const headers = {
        ...options.headers,
        'user-agent': 'waddlebot-router',
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signWebhook(options.secret, timestamp, body),
      }
      return readJson(location, await post(location, url.href, body, headers, signal, options.guard))
    },
    options.policy,
  )
}
