/**
 * Container target: a module served over HTTP at an arbitrary URL (not one of waddlebot.yaml's modules).
 * Same wire format as the HTTP module client: `POST <url>/api/v1/execute` with the ExecutionRequest JSON,
 * reply = ExecutionResult. Never sends the internal service key (the URL comes from the commands table, not
 * from the operator's config); authenticate with an API key (`X-API-Key`) and/or the webhook signature.
 */
import type { AddressGuard } from './address-guard.js'
import { post, readJson } from './http.js'
import { type PolicyOptions, type PolicyTarget, withPolicy } from './policy.js'
import { safeUrl } from './types.js'
import { SIGNATURE_HEADER, signWebhook, TIMESTAMP_HEADER } from './webhook.js'

export interface ContainerTargetOptions {
  /** Base URL of the module (`/api/v1/execute` is appended unless the path already ends with it). */
  url: string
  /** Sent as `X-API-Key` (e.g. a key made with `waddlebot keys create <name> --scope module`). */
  apiKey?: string
  /** When set, requests carry the same signature headers as a webhook. */
  secret?: string
  /** Module name reported by the target (default `container`). */
  module?: string
  policy?: PolicyOptions
  /** Checks the addresses connected to (targets from the commands table; address-guard.ts). */
  guard?: AddressGuard
}

/** The execute URL of a container base URL. */
export function containerExecuteUrl(base: string): URL {
  const url = new URL(base)
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TypeError(`container URL must be http(s): ${safeUrl(url)}`)
  if (!url.pathname.endsWith('/api/v1/execute')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/api/v1/execute`
  return url
}

/** An ExecutionTarget for a module container at `url`. */
export function createContainerTarget(options: ContainerTargetOptions): PolicyTarget {
  const url = containerExecuteUrl(options.url)
  const location = `container:${safeUrl(url)}`
  return withPolicy(
    { transport: 'container', module: options.module ?? 'container', location },
    async (request, signal) => {
      const body = JSON.stringify(request)
      const headers: Record<string, string> = { 'user-agent': 'waddlebot-router' }
      if (options.apiKey) headers['x-api-key'] = options.apiKey
      if (options.secret) {
        const timestamp = String(Math.floor(Date.now() / 1000))
        headers[TIMESTAMP_HEADER] = timestamp
        headers[SIGNATURE_HEADER] = signWebhook(options.secret, timestamp, body)
      }
      return readJson(location, await post(location, url.href, body, headers, signal, options.guard))
    },
    options.policy,
  )
}
