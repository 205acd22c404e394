/**
 * The router's public face: what other modules, collectors and the CLI may use without reaching into its
 * internals. String-match rules (the `waddlebot moderation` commands), chat-log replay, and releasing a
 * collector container's coordination claims straight in the database (a collector stopping after the
 * router's server, hosted in the same process, has closed).
 */
import type { Settings } from '../../runtime/config.js'
import { sql } from '../../runtime/storage/sql.js'
import type { Queryable, Storage } from '../../runtime/storage/types.js'
import { coordinationOptions } from './coordination/options.js'
import { createCoordination } from './coordination/store.js'

export { type ChatLine, parseChatLog, type ReplayReport, replayChatLog, type RuleHits } from './matcher/chat-log.js'
export { type NotifyResult, notifyRulesChanged } from './matcher/notify.js'
export { addRule, getRule, listRules, removeRule, type RuleInput, type RulePatch, updateRule } from './matcher/rules.js'
export { compiledFor, groupRows } from './filters/book.js'
export { describeAction, describeFilter } from './filters/commands.js'
export type { CompiledFilters } from './filters/evaluate.js'
export { everyFilterOn, replayFilters } from './filters/replay.js'
export { formatValue } from './filters/settings.js'
export { announceFiltersChanged, listFilterRows, resetFilterSettings, setFilterSettings } from './filters/store.js'
export { FILTER_NAMES, type FilterName, isFilterName } from './filters/types.js'
export { routerMigrations } from './migrations.js'
export { type InstalledTarget, MARKET_MODULE_PREFIX } from './command-index.js'
export { DEFAULT_COMMUNITY, ENTITIES_CHANGED } from './entities.js'
export { roleCacheKey } from './permissions.js'
export { MATCH_TYPES, type MatchType, RULE_ACTIONS, type RuleAction, type StringRule } from './matcher/types.js'

/** Releases every claim of `containerId` in the coordination table of `storage` (the router's database). */
export async function releaseClaimsInDatabase(
  storage: Storage,
  settings: Settings,
  containerId: string,
): Promise<void> {
  await createCoordination(storage, coordinationOptions(settings)).release(containerId)
}

/**
 * When `entityId`'s stream went live, as its collector last reported it (`POST /coordination/status`):
 * epoch ms while live, null while offline, undefined when no collector reports that entity.
 */
export async function liveSince(db: Queryable, entityId: string): Promise<number | null | undefined> {
  const row = await db.one<{ is_live: number | boolean; live_since: number | string | null }>(
    sql`select is_live, live_since from coordination where entity_id = ${entityId}`,
  )
  if (!row) return undefined
  return Number(row.is_live) === 1 && row.live_since !== null ? Number(row.live_since) : null
}
