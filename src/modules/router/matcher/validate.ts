/**
 * Validation of string-match rules: the zod shape of a new rule and of a patch, plus the checks that
 * involve several fields (a regex must be valid and safe, `respond` needs its text, …). Every failure is a
 * WaddleError WB_INPUT_INVALID naming the field.
 */
import { z } from 'zod'
import { describeIssue } from '../../../contract/validate.js'
import { WaddleError } from '../../../runtime/errors.js'
import { regexProblem } from './regex-tools.js'
import { hasLoneSurrogate } from './text.js'
import { CATCH_ALL, MATCH_TYPES, MAX_PATTERN_LENGTH, RULE_ACTIONS, type RuleAction, type StringRule } from './types.js'

const fields = {
  pattern: z.string().min(1).max(MAX_PATTERN_LENGTH),
  match_type: z.enum(MATCH_TYPES),
  case_sensitive: z.boolean(),
  action: z.enum(RULE_ACTIONS),
  action_value: z.string().max(2000).nullable(),
  /** Up to 14 days (Twitch's maximum timeout). */
  timeout_seconds: z.number().int().min(1).max(1_209_600).nullable(),
  priority: z.number().int().min(-1_000_000).max(1_000_000),
  entity_id: z.string().min(1).max(800).nullable(),
  enabled: z.boolean(),
  created_by: z.string().max(256).nullable(),
}

/** The body of a new rule: `pattern` is required, every other field has a default. */
export const ruleInputSchema = z.strictObject({
  pattern: fields.pattern,
  match_type: fields.match_type.default('contains'),
  case_sensitive: fields.case_sensitive.default(false),
  action: fields.action.default('warn'),
  action_value: fields.action_value.default(null),
  timeout_seconds: fields.timeout_seconds.default(null),
  priority: fields.priority.default(100),
  entity_id: fields.entity_id.default(null),
  enabled: fields.enabled.default(true),
  created_by: fields.created_by.default(null),
})
/** What {@link ruleInputSchema} accepts. */
export type RuleInput = z.input<typeof ruleInputSchema>
/** A new rule after defaults. */
export type RuleFields = z.output<typeof ruleInputSchema>

/** A partial update: any subset of the fields (at least one). */
export const rulePatchSchema = z.strictObject({
  pattern: fields.pattern.optional(),
  match_type: fields.match_type.optional(),
  case_sensitive: fields.case_sensitive.optional(),
  action: fields.action.optional(),
  action_value: fields.action_value.optional(),
  timeout_seconds: fields.timeout_seconds.optional(),
  priority: fields.priority.optional(),
  entity_id: fields.entity_id.optional(),
  enabled: fields.enabled.optional(),
})
/** What {@link rulePatchSchema} accepts. */
export type RulePatch = z.input<typeof rulePatchSchema>

/** Parses `input` with `schema`, throwing WB_INPUT_INVALID naming the first bad (or unknown) field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const parsed = schema.safeParse(input)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  if (issue?.code === 'unrecognized_keys') {
    throw new WaddleError('WB_INPUT_INVALID', { field: String(issue.keys[0]), reason: 'is not a rule field' })
  }
  const { field, message } = describeIssue(parsed.error)
  throw new WaddleError('WB_INPUT_INVALID', { field, reason: message })
}

const invalid = (field: string, reason: string): WaddleError => new WaddleError('WB_INPUT_INVALID', { field, reason })

const NEEDS_VALUE: Partial<Record<RuleAction, string>> = {
  respond: 'the reply text',
  command: 'the command line, e.g. !so {user}',
  webhook: 'the webhook URL',
}

/**
 * The checks across fields of a complete rule. Throws WB_INPUT_INVALID naming `pattern`, `action_value`
 * or `timeout_seconds`.
 */
export function checkRule(
  rule: Pick<StringRule, 'pattern' | 'match_type' | 'case_sensitive' | 'action' | 'action_value' | 'timeout_seconds'>,
): void {
  const { pattern } = rule
  if (hasLoneSurrogate(pattern)) throw invalid('pattern', 'is not well-formed Unicode (lone surrogate)')
  const trimmed = pattern.trim()
  if (trimmed === '' && rule.match_type !== 'contains')
    throw invalid('pattern', `must not be blank for a ${rule.match_type} rule`)
  if (rule.match_type === 'regex' && trimmed !== CATCH_ALL) {
    const problem = regexProblem(pattern, rule.case_sensitive)
    if (problem !== undefined) throw invalid('pattern', problem)
  }
  const value = rule.action_value ?? ''
  const needs = NEEDS_VALUE[rule.action]
  if (needs !== undefined && value.trim() === '')
    throw invalid('action_value', `is required for action ${rule.action} (${needs})`)
  if (rule.action === 'command' && !/^[!#][\p{L}\p{N}_-]/u.test(value.trimStart())) {
    throw invalid('action_value', 'must be a command line starting with ! or #, e.g. !so {user}')
  }
  if (rule.action === 'webhook') {
    let url: URL | undefined
    try {
      url = new URL(value)
    } catch {}
    if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw invalid('action_value', 'must be an http(s) URL')
  }
  if (rule.timeout_seconds !== null && rule.action !== 'timeout')
    throw invalid('timeout_seconds', 'applies only to the timeout action')
}
