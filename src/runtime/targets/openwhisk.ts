/**
 * OpenWhisk target: a blocking action invocation,
 * `POST {apiHost}/api/v1/namespaces/{ns}/actions/{action}?blocking=true&result=true` with basic auth and the
 * ExecutionRequest as parameters; the action's result is the ExecutionResult.
 *
 * OpenWhisk answers 502 when the action ran and failed (an application error): that is a failed result
 * with the action's error, never retried. 202 means the action outlived OpenWhisk's blocking wait.
 */
import type { ExecutionRequest } from '../../contract/execution.js'
import { post, readJson } from './http.js'
import { type PolicyOptions, type PolicyTarget, withPolicy } from './policy.js'
import { failedResult, safeUrl, TargetFailure } from './types.js'

export interface OpenWhiskTargetOptions {
  /** e.g. `https://openwhisk.example.com` (a bare host gets `https://`). */
  apiHost: string
  namespace: string
  /** The action, optionally inside a package: `greet` or `bot/greet`. */
  action: string
  /** `user:pass` (the OpenWhisk auth key). */
  auth: string
  /** Module name reported by the target (default `openwhisk`). */
  module?: string
  policy?: PolicyOptions
}

/** The blocking-invocation URL of an action. */
export function openWhiskActionUrl(apiHost: string, namespace: string, action: string): URL {
  const base = new URL(/^https?:\/\//.test(apiHost) ? apiHost : `https://${apiHost}`)
  const path = action.split('/').filter(Boolean).map(encodeURIComponent).join('/')
  const url = new URL(
    `${base.pathname.replace(/\/+$/, '')}/api/v1/namespaces/${encodeURIComponent(namespace)}/actions/${path}`,
    base,
  )
  url.search = 'blocking=true&result=true'
  return url
}

/** An ExecutionTarget for one OpenWhisk action. */
export function createOpenWhiskTarget(options: OpenWhiskTargetOptions): PolicyTarget {
  if (!options.namespace || !options.action) throw new TypeError('openwhisk target needs a namespace and an action')
  if (!options.auth.includes(':')) throw new TypeError('openwhisk auth must be user:pass')
  const url = openWhiskActionUrl(options.apiHost, options.namespace, options.action)
  const authorization = `Basic ${Buffer.from(options.auth).toString('base64')}`
  const location = `openwhisk:${options.namespace}/${options.action}@${safeUrl(new URL('/', url))}`
  return withPolicy(
    { transport: 'openwhisk', module: options.module ?? 'openwhisk', location },
    async (request, signal) => {
      const res = await post(location, url.href, JSON.stringify(request), { authorization }, signal)
      if (res.status === 502) return actionError(request, await res.text())
      if (res.status === 202) {
        await res.body?.cancel().catch(() => undefined)
        throw new TargetFailure(location, 'action still running after OpenWhisk’s blocking wait (202)', false)
      }
      return readJson(location, res)
    },
    options.policy,
  )
}

function actionError(request: ExecutionRequest, text: string) {
  let message = text.slice(0, 200)
  try {
    const body = JSON.parse(text) as { error?: unknown }
    if (typeof body.error === 'string') message = body.error
    else if (body.error !== undefined) message = JSON.stringify(body.error).slice(0, 200)
  } catch {
    // not JSON: keep the text
  }
  return failedResult(request, `action failed: ${message}`)
}
