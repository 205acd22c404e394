/**
 * Coordination timings from the router's settings: `modules.router.coordination_*` in waddlebot.yaml,
 * or `WADDLEBOT_ROUTER_COORDINATION_*` in the environment (e.g. `WADDLEBOT_ROUTER_COORDINATION_CLAIM_TTL_MS=300`).
 */
import { z } from 'zod'
import type { Settings } from '../../../runtime/config.js'
import { WaddleError } from '../../../runtime/errors.js'
import type { CoordinationOptions } from './types.js'

const positive = z.number().int().positive().optional()

const schema = z.object({
  coordination_claim_ttl_ms: positive,
  coordination_checkin_interval_ms: positive,
  coordination_max_errors: positive,
})

/** The `createCoordination` options the settings ask for (defaults apply to what is absent). */
export function coordinationOptions(settings: Settings): CoordinationOptions {
  const parsed = schema.safeParse(settings.modules['router'] ?? {})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!
    throw new WaddleError('WB_CONFIG_INVALID', {
      key: `modules.router.${issue.path.join('.')}`,
      reason: issue.message,
      file: settings.configFile ?? 'the environment',
    })
  }
  const s = parsed.data
  const options: CoordinationOptions = {
    claimTtlMs: s.coordination_claim_ttl_ms,
    checkinIntervalMs: s.coordination_checkin_interval_ms,
    maxErrors: s.coordination_max_errors,
  }
  const ttl = options.claimTtlMs ?? 30 * 60_000
  // A short claim TTL alone (tests, demos) scales the check-in interval down with it.
  if (options.checkinIntervalMs === undefined && ttl <= 5 * 60_000)
    return { ...options, checkinIntervalMs: Math.max(1, Math.floor(ttl / 3)) }
  if ((options.checkinIntervalMs ?? 5 * 60_000) >= ttl) {
    throw new WaddleError('WB_CONFIG_INVALID', {
      key: 'modules.router.coordination_checkin_interval_ms',
      reason: `must be below coordination_claim_ttl_ms (${ttl})`,
      file: settings.configFile ?? 'the environment',
    })
  }
  return options
}
