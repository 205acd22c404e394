/**
 * Execution routing targets: turns a `commands` row (`target_type`, `location_url`) into something the router
 * can `execute(request, {timeoutMs})`, whatever the transport. See docs/targets.md.
 *
 * | target_type | location_url                                  | configuration (env)                                  |
 * |-------------|-----------------------------------------------|------------------------------------------------------|
 * | module      | (ignored)                                     | the module's client: in-process or HTTP              |
 * | container   | `http(s)://host[:port][/base]`                | `WADDLEBOT_CONTAINER_API_KEY`, `WADDLEBOT_WEBHOOK_SECRET` (both optional) |
 * | webhook     | `https://host/path`                           | `WADDLEBOT_WEBHOOK_SECRET` (required)                 |
 * | lambda      | `lambda:<function>[@region][?endpoint=<url>]` | `AWS_REGION`, `AWS_LAMBDA_ENDPOINT`, `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`/`AWS_SESSION_TOKEN` |
 * | openwhisk   | `openwhisk:<namespace>/<action>`              | `OPENWHISK_API_HOST`, `OPENWHISK_AUTH` (`user:pass`)  |
 *
 * Container and webhook URLs come from the table, not from config: their addresses are checked
 * (address-guard.ts; loopback, link-local and metadata addresses need WADDLEBOT_TARGET_ALLOW).
 */
import type { ExecutionRequest } from '../../contract/execution.js'
import { WaddleError } from '../errors.js'
import { addressGuard } from './address-guard.js'
import type { ModuleClients } from '../module-clients.js'
import type { BreakerState } from './breaker.js'
import { createContainerTarget } from './container.js'
import { createLambdaTarget, type LambdaCredentials } from './lambda.js'
import { createOpenWhiskTarget } from './openwhisk.js'
import type { PolicyOptions, PolicyTarget } from './policy.js'
import { type ExecuteOptions, type ExecutionTarget, TARGET_TYPES, type TargetType } from './types.js'
import { createWebhookTarget } from './webhook.js'

export { type AddressGuard, addressGuard } from './address-guard.js'
export { type BreakerState, CircuitBreaker } from './breaker.js'
export { createContainerTarget } from './container.js'
export { createLambdaTarget } from './lambda.js'
export { createOpenWhiskTarget } from './openwhisk.js'
export { checkReply, type PolicyOptions, type PolicyTarget, withPolicy } from './policy.js'
export { type ExecuteOptions, type ExecutionTarget, TARGET_TYPES, TargetFailure, type TargetType } from './types.js'
export { createWebhookTarget, signWebhook, verifyWebhookSignature } from './webhook.js'

/** The columns of a `commands` row a target is built from. */
export interface TargetRow {
  readonly target_type?: string | null
  readonly location_url: string | null
  readonly module: string
  readonly name: string
  readonly timeout_ms: number
}

export interface TargetDeps {
  /** Resolves `module` targets (the runtime's ModuleClients: in-process or HTTP). */
  readonly modules: Pick<ModuleClients, 'get'>
  /** Where OPENWHISK_*, AWS_*, WADDLEBOT_WEBHOOK_SECRET… are read (default process.env; pass settings.env). */
  readonly env?: Readonly<Record<string, string | undefined>>
  /** Timeout default, retries, backoff, breaker threshold/cooldown, onRetry for every remote target. */
  readonly policy?: PolicyOptions
}

/**
 * Builds the target for one row. `module` rows get the module's client; the others a new remote target with
 * its own breaker (use a TargetRegistry to share one per location). Never throws: an unusable row yields a
 * target whose execute rejects with WB_TARGET_INVALID.
 */
export function createTarget(row: TargetRow, deps: TargetDeps): ExecutionTarget {
  const type = (row.target_type || 'module') as TargetType
  if (type === 'module') return deps.modules.get(row.module)
  try {
    return buildRemote(type, row, deps)
  } catch (error) {
    return invalidTarget(row, type, error instanceof Error ? error.message : String(error))
  }
}

function buildRemote(type: TargetType, row: TargetRow, deps: TargetDeps): PolicyTarget {
  if (!TARGET_TYPES.includes(type)) throw new Error(`unknown target_type ${type}`)
  const env = deps.env ?? process.env
  const location = row.location_url?.trim()
  if (!location) throw new Error('location_url is empty')
  const policy: PolicyOptions = { ...deps.policy, timeoutMs: row.timeout_ms || deps.policy?.timeoutMs || 5000 }
  const base = { module: row.module, policy }
  const guard = addressGuard(env.WADDLEBOT_TARGET_ALLOW)
  if (type === 'container') {
    return createContainerTarget({
      ...base,
      url: httpUrl(location),
      guard,
      ...optional('apiKey', env.WADDLEBOT_CONTAINER_API_KEY),
      ...optional('secret', env.WADDLEBOT_WEBHOOK_SECRET),
    })
  }
  if (type === 'webhook') {
    const secret = env.WADDLEBOT_WEBHOOK_SECRET
    if (!secret) throw new Error('WADDLEBOT_WEBHOOK_SECRET is not set')
    return createWebhookTarget({ ...base, url: httpUrl(location), secret, guard })
  }
  if (type === 'lambda') {
    const m = /^lambda:([^@?\s]+)(?:@([a-z0-9-]+))?(?:\?endpoint=(\S+))?$/.exec(location)
    if (!m) throw new Error(`location_url ${location} is not lambda:<function>[@region][?endpoint=<url>]`)
    const endpoint = m[3] ? decodeURIComponent(m[3]) : env.AWS_LAMBDA_ENDPOINT
    const credentials: LambdaCredentials | undefined =
      env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
        ? {
            accessKeyId: env.AWS_ACCESS_KEY_ID,
            secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
            ...optional('sessionToken', env.AWS_SESSION_TOKEN),
          }
        : undefined
    return createLambdaTarget({
      ...base,
      functionName: m[1],
      region: m[2] || env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1',
      ...optional('endpoint', endpoint),
      ...(credentials ? { credentials } : {}),
    })
  }
  const m = /^openwhisk:([^/\s]+)\/(\S+)$/.exec(location)
  if (!m) throw new Error(`location_url ${location} is not openwhisk:<namespace>/<action>`)
  const apiHost = env.OPENWHISK_API_HOST
  const auth = env.OPENWHISK_AUTH
  if (!apiHost || !auth) throw new Error('OPENWHISK_API_HOST and OPENWHISK_AUTH must be set')
  return createOpenWhiskTarget({ ...base, apiHost, auth, namespace: m[1], action: m[2] })
}

function httpUrl(location: string): string {
  if (!/^https?:\/\/[^/\s]+/.test(location)) throw new Error('location_url must be an http(s) URL')
  return location
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value ? { [key]: value } : {}) as { [P in K]?: string }
}

function invalidTarget(row: TargetRow, type: string, reason: string): ExecutionTarget {
  return {
    transport: 'http',
    module: row.module,
    location: `invalid:${type}`,
    async execute() {
      throw new WaddleError('WB_TARGET_INVALID', { command: row.name, target_type: type, reason })
    },
  }
}

/**
 * One target (and one circuit breaker) per (target_type, location_url), shared by every command pointing
 * there. `for(row)` never throws; it returns a target whose default timeout is the row's `timeout_ms`.
 */
export class TargetRegistry {
  readonly #targets = new Map<string, PolicyTarget>()

  constructor(private readonly deps: TargetDeps) {}

  /** The target for a commands row: `targets.for(row).execute(request, {timeoutMs})`. */
  for(row: TargetRow): ExecutionTarget {
    const type = (row.target_type || 'module') as TargetType
    if (type === 'module') return this.deps.modules.get(row.module)
    const key = `${type} ${row.location_url ?? ''}`
    let target = this.#targets.get(key)
    if (!target) {
      try {
        target = buildRemote(type, row, this.deps)
      } catch (error) {
        return invalidTarget(row, type, error instanceof Error ? error.message : String(error))
      }
      this.#targets.set(key, target)
    }
    const shared = target
    const defaultTimeout = row.timeout_ms || this.deps.policy?.timeoutMs || 5000
    return {
      transport: shared.transport,
      module: row.module,
      location: shared.location,
      execute: (request: ExecutionRequest, options?: ExecuteOptions) =>
        shared.execute(request, { timeoutMs: options?.timeoutMs ?? defaultTimeout }),
    }
  }

  /** Breaker state of every remote target built so far (for dashboards; /metrics has the gauge). */
  states(): { target: string; state: BreakerState }[] {
    return [...this.#targets.values()].map((t) => ({ target: t.location, state: t.breaker.state }))
  }

  /** Drops every target: frees SDK clients and removes their gauge series. */
  async close(): Promise<void> {
    const targets = [...this.#targets.values()]
    this.#targets.clear()
    await Promise.all(targets.map((t) => t.close?.()))
  }
}
