/**
 * The `stringmatch` repository: add, list, update and remove rules (validated), load the compiled matcher,
 * and count matches. Changes are NOT announced here: callers that hold a cache call
 * `announceRulesChanged(cache)` (matcher-cache.ts) after a change.
 */
import { WaddleError } from '../../../runtime/errors.js'
import { sql } from '../../../runtime/storage/sql.js'
import type { Queryable } from '../../../runtime/storage/types.js'
import { type CompiledMatcher, compileMatcher } from './compile.js'
import type { StringRule } from './types.js'
import {
  checkRule,
  parseOrThrow,
  type RuleInput,
  type RulePatch,
  ruleInputSchema,
  rulePatchSchema,
} from './validate.js'

export type { RuleInput, RulePatch } from './validate.js'

type Row = Record<keyof StringRule, unknown>

const COLUMNS = sql.raw(
  'id, pattern, match_type, case_sensitive, priority, entity_id, action, action_value, timeout_seconds, enabled, created_by, created_at, updated_at, match_count',
)

const num = (v: unknown): number => Number(v)
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v))
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v))

/** A database row as a {@link StringRule} (0/1 → booleans, bigint text → numbers). */
export function ruleFromRow(row: Row): StringRule {
  return {
    id: num(row.id),
    pattern: String(row.pattern),
    match_type: row.match_type as StringRule['match_type'],
    case_sensitive: Boolean(num(row.case_sensitive)),
    priority: num(row.priority),
    entity_id: strOrNull(row.entity_id),
    action: row.action as StringRule['action'],
    action_value: strOrNull(row.action_value),
    timeout_seconds: numOrNull(row.timeout_seconds),
    enabled: Boolean(num(row.enabled)),
    created_by: strOrNull(row.created_by),
    created_at: num(row.created_at),
    updated_at: num(row.updated_at),
    match_count: num(row.match_count),
  }
}

/** The id from a path or CLI argument, or undefined when it is not a positive integer. */
export function parseRuleId(id: unknown): number | undefined {
  const n =
    typeof id === 'number' ? id : typeof id === 'string' && /^\d{1,15}$/.test(id.trim()) ? Number(id) : Number.NaN
  return Number.isSafeInteger(n) && n > 0 ? n : undefined
}

const unknownRule = (id: unknown): WaddleError => new WaddleError('WB_RULE_UNKNOWN', { id: String(id) })

/**
 * Validates and stores a new rule; returns it with its id.
 * @throws WaddleError WB_INPUT_INVALID naming the bad field (e.g. `pattern` for an invalid regex).
 */
export async function addRule(db: Queryable, input: RuleInput | unknown): Promise<StringRule> {
  const rule = parseOrThrow(ruleInputSchema, input)
  checkRule(rule)
  const now = Date.now()
  const row =
    await db.one<Row>(sql`insert into stringmatch (pattern, match_type, case_sensitive, priority, entity_id, action,
      action_value, timeout_seconds, enabled, created_by, created_at, updated_at, match_count)
    values (${rule.pattern}, ${rule.match_type}, ${rule.case_sensitive}, ${rule.priority}, ${rule.entity_id}, ${rule.action},
      ${rule.action_value}, ${rule.timeout_seconds}, ${rule.enabled}, ${rule.created_by}, ${now}, ${now}, 0)
    returning ${COLUMNS}`)
  return ruleFromRow(row!)
}

/** Options of {@link listRules}. */
export interface ListRulesOptions {
  /** Only the rules that apply to this entity: global ones and its own. */
  readonly entityId?: string | undefined
  /** Leave out disabled rules. */
  readonly enabledOnly?: boolean | undefined
}

/** Rules ordered by priority then id. */
export async function listRules(db: Queryable, options: ListRulesOptions = {}): Promise<StringRule[]> {
  const scope =
    options.entityId === undefined ? sql`1 = 1` : sql`(entity_id is null or entity_id = ${options.entityId})`
  const enabled = options.enabledOnly ? sql`and enabled = 1` : sql.empty
  const rows = await db.query<Row>(
    sql`select ${COLUMNS} from stringmatch where ${scope} ${enabled} order by priority, id`,
  )
  return rows.map(ruleFromRow)
}

/** One rule. @throws WaddleError WB_RULE_UNKNOWN */
export async function getRule(db: Queryable, id: number | string): Promise<StringRule> {
  const ruleId = parseRuleId(id)
  const row =
    ruleId === undefined ? undefined : await db.one<Row>(sql`select ${COLUMNS} from stringmatch where id = ${ruleId}`)
  if (row === undefined) throw unknownRule(id)
  return ruleFromRow(row)
}

/**
 * Applies a partial update (validated as a whole rule after merging); returns the updated rule. Moving a
 * rule away from the timeout action clears its timeout_seconds unless the patch sets it.
 * @throws WaddleError WB_RULE_UNKNOWN, WB_INPUT_INVALID
 */
export async function updateRule(db: Queryable, id: number | string, patch: RulePatch | unknown): Promise<StringRule> {
  const changes = parseOrThrow(rulePatchSchema, patch)
  if (Object.keys(changes).length === 0)
    throw new WaddleError('WB_INPUT_INVALID', { field: 'body', reason: 'names no field to change' })
  const current = await getRule(db, id)
  const merged: StringRule = { ...current, ...(changes as Partial<StringRule>) }
  const next: StringRule =
    merged.action !== 'timeout' && changes.timeout_seconds === undefined ? { ...merged, timeout_seconds: null } : merged
  checkRule(next)
  const row = await db.one<Row>(sql`update stringmatch set pattern = ${next.pattern}, match_type = ${next.match_type},
      case_sensitive = ${next.case_sensitive}, priority = ${next.priority}, entity_id = ${next.entity_id}, action = ${next.action},
      action_value = ${next.action_value}, timeout_seconds = ${next.timeout_seconds}, enabled = ${next.enabled},
      updated_at = ${Math.max(Date.now(), current.updated_at + 1)}
    where id = ${current.id} returning ${COLUMNS}`)
  if (row === undefined) throw unknownRule(id)
  return ruleFromRow(row)
}

/** Deletes a rule. @throws WaddleError WB_RULE_UNKNOWN when there is none with that id. */
export async function removeRule(db: Queryable, id: number | string): Promise<void> {
  const ruleId = parseRuleId(id)
  const { changes } =
    ruleId === undefined ? { changes: 0 } : await db.execute(sql`delete from stringmatch where id = ${ruleId}`)
  if (changes === 0) throw unknownRule(id)
}

/** Compiles every enabled rule into one matcher. */
export async function loadMatcher(db: Queryable): Promise<CompiledMatcher> {
  return compileMatcher(await listRules(db, { enabledOnly: true }))
}

/**
 * A cheap summary that changes whenever a rule is added, removed or updated (count, highest id, latest
 * update), used to notice changes made without a cache announcement (e.g. by the CLI).
 */
export async function rulesFingerprint(db: Queryable): Promise<string> {
  const row = await db.one<{ n: unknown; m: unknown; u: unknown }>(
    sql`select count(*) as n, max(id) as m, max(updated_at) as u from stringmatch`,
  )
  return `${Number(row?.n ?? 0)}:${Number(row?.m ?? 0)}:${Number(row?.u ?? 0)}`
}

/** Adds one to `match_count` of the given rules (does not touch `updated_at`, so it triggers no rebuild). */
export async function recordMatches(db: Queryable, ruleIds: readonly number[]): Promise<void> {
  const ids = [...new Set(ruleIds)].filter((id) => Number.isSafeInteger(id))
  if (ids.length === 0) return
  await db.execute(sql`update stringmatch set match_count = match_count + 1 where id in (${sql.join(ids)})`)
}
