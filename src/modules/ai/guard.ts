/**
 * The router's moderation over AI text, through the router's public face: the string-match rules in force for
 * the channel (a rule whose action is warn, delete, timeout or ban blocks the text) and the channel's enabled
 * spam filters that judge content (links, zalgo, repetition, caps, symbols, emotes; not first-chatter, which
 * is about the asker, nor length, since answers are trimmed to the platform's limit). Rules and settings are
 * read from the router's tables at each check, so a change applies to the next question.
 */
import type { Queryable } from '../../runtime/storage/types.js'
import { compiledFor, groupRows, listFilterRows, listRules, replayChatLog, replayFilters } from '../router/public.js'

const BLOCKING_ACTIONS = new Set(['warn', 'delete', 'timeout', 'ban'])
const CONTENT_FILTERS = new Set(['links', 'zalgo', 'repetition', 'caps', 'symbols', 'emotes'])

/** What blocked a text (`rule 12 (ban)`, `filter links`), or undefined when it may be posted. */
export async function moderationBlock(
  db: Queryable,
  text: string,
  where: { entityId: string; communityId: string },
): Promise<string | undefined> {
  const rules = await listRules(db, { entityId: where.entityId, enabledOnly: true })
  const report = replayChatLog(rules, [{ message: text }], where.entityId)
  const rule = report.rules.find((r) => r.hits > 0 && BLOCKING_ACTIONS.has(r.action))
  if (rule) return `rule ${rule.id} (${rule.action})`
  const filters = compiledFor(groupRows(await listFilterRows(db, where.communityId)), where.communityId, where.entityId)
  if (filters.active.length === 0) return undefined
  const hit = replayFilters(filters, [{ message: text }]).filters.find(
    (f) => f.enabled && f.hits > 0 && CONTENT_FILTERS.has(f.filter),
  )
  return hit ? `filter ${hit.filter}` : undefined
}
